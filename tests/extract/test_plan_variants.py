"""Plan variants the two samples do not show, so the parser is not fitted to Izboskan and Jondor alone.

Each test builds one small plan by hand — an IR Document (extract/ir.py) or a real DOCX written
with python-docx and read through `reja.pipeline.parse_file` — in a layout real district plans use
(other column orders, no fact column, an "Izoh" column, "T/r", one-row headers, "2024 yil fakt",
headings in the first cell only, "1)" numbering, five apostrophes, a Cyrillic title block over a
Latin plan, "Shu jumladan:", empty rows, a header-only first table, a table that opens on page 2
without a header). The expected items are written by hand from the fixture itself.
"""

from __future__ import annotations

import docx
import pytest
from reja.extract.plan import parse_plan

from tests.extract.plan_fixtures import C, doc, para, table

# -- helpers ------------------------------------------------------------------------------------


def _rows(plan, *fields):
    return [tuple(getattr(i, f) for f in fields) for i in plan.items]


def _flag_codes(item) -> set[str]:
    return {f.split(":", 1)[0] for f in item.flags}


def _no_flag(plan, code):
    return all(code not in _flag_codes(i) for i in plan.items)


LATIN_HEADER_8 = [["№", "Nomi", "O'lchov birligi", "2024 yil fakt", "2025 yil reja", "Amalga oshirish mexanizmi",
                   "Bajarilish muddati", "Mas'ullar"]]


# -- 1. columns in another order ------------------------------------------------------------------


def test_v01_columns_in_another_order():
    t = table([
        ["№", "Bajarilish muddati", "Nomi", "Mas'ullar", "2025-yil (reja)", "O'lchov birligi", "2024-yil (fakt)"],
        [C("I. KUTUBXONA FONDI", colspan=7)],
        ["1.", "Yil davomida", "Fondni to'ldirish", "Direktor", "1 750", "Nusxa", "1075"],
        ["2.", "I chorak", "Katalog yuritish", "Xizmat rahbari", "40", "Hujjat", "-"],
    ])
    plan = parse_plan(doc(t))
    assert _rows(plan, "item_no", "text", "unit", "fact_value", "plan_value", "deadline", "responsible") == [
        ("1", "Fondni to'ldirish", "Nusxa", 1075, 1750, "Yil davomida", "Direktor"),
        ("2", "Katalog yuritish", "Hujjat", None, 40, "I chorak", "Xizmat rahbari"),
    ]
    assert [(i.fact_year, i.plan_year) for i in plan.items] == [(2024, 2025)] * 2


# -- 2. no fact column ------------------------------------------------------------------------------


def test_v02_no_fact_column():
    t = table([
        ["№", "Bajariladigan ishlarning mazmuni", "O'lchov birligi", "2025 yil rejasi", "Bajarilish muddati"],
        [C("II. ILMIY-METODIK FAOLIYAT", colspan=5)],
        ["1.", "Qo'llanma tayyorlash", "Dona", "20", "Yil davomida"],
    ])
    item = parse_plan(doc(t)).items[0]
    assert (item.item_no, item.text, item.unit, item.plan_value, item.plan_year) == (
        "1", "Qo'llanma tayyorlash", "Dona", 20, 2025)
    assert (item.fact_value, item.fact_year, item.fact_raw) == (None, None, None)
    assert item.section_no == "II"


# -- 3. an extra "Izoh" / "Изоҳ" notes column -------------------------------------------------------


@pytest.mark.parametrize("note", ["Izoh", "Изоҳ", "Izohlar"])
def test_v03_notes_column_is_not_taken_for_a_value(note):
    t = table([
        ["№", "Nomi", "O'lchov birligi", "Reja", "Muddati", note],
        [C("I. TADBIRLAR", colspan=6)],
        ["1.", "Kitob ko'rgazmasi", "Tadbir", "12", "Har oy", "Maktablar bilan birga"],
    ])
    item = parse_plan(doc(t)).items[0]
    assert (item.text, item.unit, item.plan_value, item.deadline, item.responsible, item.mechanism) == (
        "Kitob ko'rgazmasi", "Tadbir", 12, "Har oy", None, None)
    assert "unparsable_number" not in _flag_codes(item)


# -- 4. "T/r" instead of "№" ------------------------------------------------------------------------


@pytest.mark.parametrize("number_head", ["T/r", "Т/р", "t/r", "№ t/r", "Т.р."])
def test_v04_tr_number_column(number_head):
    t = table([
        [number_head, "Тадбирлар номи", "Ўлчов бирлиги", "Муддати"],
        [C("1. Ҳужжатларни комплектлаш", colspan=4)],
        ["1.1", "Китоблар сотиб олиш", "нусха", "Йил давомида"],
        ["1.2", "Обуна", "ном", "Ҳар чорак"],
    ])
    plan = parse_plan(doc(t))
    assert _rows(plan, "item_no", "text", "unit", "deadline") == [
        ("1.1", "Китоблар сотиб олиш", "нусха", "Йил давомида"),
        ("1.2", "Обуна", "ном", "Ҳар чорак"),
    ]
    assert _no_flag(plan, "no_item_no")


# -- 5. one-row header with the years in it ---------------------------------------------------------


def test_v05_one_row_header_with_latin_years():
    t = table([*LATIN_HEADER_8,
               [C("I. ASOSIY FAOLIYAT", colspan=8)],
               ["1.", "Fondni to'ldirish", "Nusxa", "1075", "1750", "Qabul qilish", "Yil davomida", "Direktor"]])
    item = parse_plan(doc(t)).items[0]
    assert (item.fact_year, item.fact_value, item.plan_year, item.plan_value) == (2024, 1075, 2025, 1750)
    assert (item.mechanism, item.deadline, item.responsible) == ("Qabul qilish", "Yil davomida", "Direktor")


@pytest.mark.parametrize(("fact_head", "plan_head"), [
    ("2024 йил амалда", "2025 йил режа"),
    ("2024 йил факт", "2025 йил режаси"),
    ("2024 yil amalda", "2025 yil rejasi"),
    ("2024 y. fakt", "2025 y. reja"),
    ("2024 йилда бажарилди", "2025 йилга режа"),
    ("Fakt 2024", "Reja 2025"),
])
def test_v06_year_headers_written_other_ways(fact_head, plan_head):
    t = table([
        ["№", "Мазмуни", "Ўлчов бирлиги", fact_head, plan_head],
        [C("1. Фонд", colspan=5)],
        ["1.", "Китоб фонди", "нусха", "230", "250"],
    ])
    item = parse_plan(doc(t)).items[0]
    assert (item.fact_year, item.fact_value, item.plan_year, item.plan_value) == (2024, 230, 2025, 250)


# -- 7. section headings in the first cell only ------------------------------------------------------


def test_v07_section_heading_in_the_first_cell_only():
    t = table([
        ["№", "Nomi", "O'lchov birligi", "Reja", "Muddati"],
        ["I. OMMAVIY TADBIRLAR", "", "", "", ""],
        ["1.", "Kitobxonlik haftaligi", "Tadbir", "2", "Aprel"],
        ["II. FOND BILAN ISHLASH", "", "", "", ""],
        ["1.", "Fondni tozalash", "Nusxa", "300", "Dekabr"],
    ])
    plan = parse_plan(doc(t))
    assert _rows(plan, "section_no", "section_title", "item_no", "text") == [
        ("I", "OMMAVIY TADBIRLAR", "1", "Kitobxonlik haftaligi"),
        ("II", "FOND BILAN ISHLASH", "1", "Fondni tozalash"),
    ]
    assert _no_flag(plan, "no_section")


# -- 8. item numbers "1)" and "1-" -----------------------------------------------------------------


@pytest.mark.parametrize("mark", [")", "-", "."])
def test_v08_item_numbers_with_bracket_or_dash(mark):
    t = table([
        ["№", "Nomi", "O'lchov birligi", "Reja"],
        [C("I. TADBIRLAR", colspan=4)],
        [f"1{mark}", "Ko'rgazma", "Tadbir", "4"],
        [f"2{mark}", "Davra suhbati", "Tadbir", "6"],
    ])
    plan = parse_plan(doc(t))
    assert _rows(plan, "item_no", "text", "plan_value") == [("1", "Ko'rgazma", 4), ("2", "Davra suhbati", 6)]
    assert _no_flag(plan, "no_item_no")


# -- 9. apostrophes typed five ways -----------------------------------------------------------------


@pytest.mark.parametrize("apos", ["\u02bb", "\u2018", "'", "`", "\u2019"])  # oʻ o‘ o' o` o’
def test_v09_apostrophe_variants_in_headers_and_labels(apos):
    t = table([
        ["№", "Nomi", f"O{apos}lchov birligi", "Reja", f"Mas{apos}ullar"],
        [C(f"I. FOND BILAN ISHLASH BO{apos}YICHA", colspan=5)],
        ["1.", f"Fondni to{apos}ldirish", "Nusxa", "100", "Direktor"],
        [C("Shu jumladan:", colspan=2), "", "", ""],
        ["", f"Sovg{apos}a tariqasida", "Nusxa", "20", "Direktor"],
    ])
    plan = parse_plan(doc(t))
    assert _rows(plan, "item_no", "parent_item_no", "text", "unit", "plan_value", "responsible") == [
        ("1", None, f"Fondni to{apos}ldirish", "Nusxa", 100, "Direktor"),  # apostrophe kept as typed
        (None, "1", f"Sovg{apos}a tariqasida", "Nusxa", 20, "Direktor"),
    ]
    assert plan.items[0].section_title == f"FOND BILAN ISHLASH BO{apos}YICHA"


# -- 10. a Latin plan under a Cyrillic title block ---------------------------------------------------


def test_v10_latin_plan_with_cyrillic_title_block():
    layout = table([["“КЕЛИШИЛДИ”\nСамарқанд вилояти ахборот-кутубхона\nмаркази директори\nА. Каримов\n2024 йил “20” декабрь",
                     "“ТАСДИҚЛАЙМАН”\nУрганут тумани ахборот-кутубхона\nмаркази директори\nБ. Тошев\n2024 йил “25” декабрь"]])
    t = table([["№", "Nomi", "O'lchov birligi", "2025-yil (reja)"],
               [C("I. FOND", colspan=4)],
               ["1.", "Kitob sotib olish", "Nusxa", "500"]])
    plan = parse_plan(doc(layout, para("Урганут туман ахборот-кутубхона марказининг 2025 йил учун иш режаси"), t))
    m = plan.meta
    assert (m.region, m.district, m.year) == ("Самарқанд вилояти", "Урганут тумани", 2025)
    assert (m.approved_by, m.agreed_by) == ("Б. Тошев", "А. Каримов")
    assert _rows(plan, "item_no", "text", "plan_value") == [("1", "Kitob sotib olish", 500)]


# -- 11. "Shu jumladan:" sub-item labels --------------------------------------------------------------


@pytest.mark.parametrize("label", ["Shu jumladan:", "shu jumladan", "Шу жумладан:", "Shundan:", "Ulardan:"])
def test_v11_sub_item_label_row(label):
    t = table([
        ["№", "Nomi", "O'lchov birligi", "Reja"],
        [C("I. FOND", colspan=4)],
        ["1.", "Obuna jami", "Nom", "30"],
        [label, "", "", ""],
        ["", "Jurnallar", "Nom", "10"],
        ["", "Gazetalar", "Nom", "20"],
        ["2.", "Katalog", "Hujjat", "5"],
    ])
    plan = parse_plan(doc(t))
    assert _rows(plan, "item_no", "parent_item_no", "text", "plan_value") == [
        ("1", None, "Obuna jami", 30),
        (None, "1", "Jurnallar", 10),
        (None, "1", "Gazetalar", 20),
        ("2", None, "Katalog", 5),
    ]


def test_v11b_label_in_the_text_cell_with_its_own_text():
    """"Shu jumladan: jurnallar" in the text cell: a sub-item whose text keeps the words after the label."""
    t = table([
        ["№", "Nomi", "O'lchov birligi", "Reja"],
        [C("I. FOND", colspan=4)],
        ["1.", "Obuna jami", "Nom", "30"],
        ["", "Shu jumladan: jurnallar", "Nom", "10"],
        ["", "gazetalar", "Nom", "20"],
    ])
    plan = parse_plan(doc(t))
    assert [(i.item_no, i.parent_item_no, i.plan_value) for i in plan.items] == [
        ("1", None, 30), (None, "1", 10), (None, "1", 20)]


# -- 12. empty rows -------------------------------------------------------------------------------


def test_v12_empty_rows_are_skipped():
    t = table([
        ["№", "Nomi", "O'lchov birligi", "Reja", "Muddati"],
        ["", "", "", "", ""],
        [C("I. FOND", colspan=5)],
        ["", "", "", "", ""],
        ["1.", "Fondni to'ldirish", "Nusxa", "100", "Yil davomida"],
        [" ", "\u00a0", "", "", ""],
        ["2.", "Hisobga olish", "Hujjat", "4", "Har oy"],
        ["", "", "", "", ""],
    ])
    plan = parse_plan(doc(t))
    assert _rows(plan, "item_no", "text", "plan_value") == [("1", "Fondni to'ldirish", 100), ("2", "Hisobga olish", 4)]
    assert _no_flag(plan, "stitched_row") and _no_flag(plan, "no_section")


# -- 13. the first table holds only the header -----------------------------------------------------


def test_v13_header_only_first_table():
    head = table([["№", "Nomi", "O'lchov birligi", "2024-yil (fakt)", "2025-yil (reja)", "Bajarilish muddati"]])
    body = table([
        [C("I. KUTUBXONA FONDI", colspan=6)],
        ["1.", "Fondni to'ldirish", "Nusxa", "1075", "1750", "Yil davomida"],
        ["2.", "Katalog", "Hujjat", "-", "4", "Har chorak"],
    ])
    plan = parse_plan(doc(para("2025-yil uchun ish rejasi"), head, body))
    assert _rows(plan, "section_no", "item_no", "text", "unit", "fact_value", "plan_value", "deadline") == [
        ("I", "1", "Fondni to'ldirish", "Nusxa", 1075, 1750, "Yil davomida"),
        ("I", "2", "Katalog", "Hujjat", None, 4, "Har chorak"),
    ]
    assert plan.items[0].plan_year == 2025


# -- 14. a table starting on page 2 with no header -----------------------------------------------------


def test_v14_table_on_page_two_without_header_continues_the_first():
    first = table([
        ["№", "Nomi", "O'lchov birligi", "Reja", "Muddati"],
        [C("I. FOND", colspan=5)],
        ["1.", "Hududdagi kutubxonalarga uslubiy yordam", "Tadbir", "100", "Yil"],
    ], page=1)
    second = table([
        ["", "berish", "", "", "davomida"],
        ["2.", "Katalog yuritish", "Hujjat", "4", "Har oy"],
    ], page=2)
    plan = parse_plan(doc(first, second))
    assert _rows(plan, "item_no", "text", "unit", "plan_value", "deadline") == [
        ("1", "Hududdagi kutubxonalarga uslubiy yordam berish", "Tadbir", 100, "Yil davomida"),
        ("2", "Katalog yuritish", "Hujjat", 4, "Har oy"),
    ]
    assert "stitched_row" in _flag_codes(plan.items[0])


def test_v14b_headerless_table_of_another_width_is_flagged_not_guessed_silently():
    """A first plan table with no header at all: columns can only be guessed, so every item says so."""
    t = table([
        [C("I. FOND", colspan=5)],
        ["1.", "Fondni to'ldirish", "Nusxa", "100", "Yil davomida"],
    ])
    plan = parse_plan(doc(t))
    assert plan.items[0].text == "Fondni to'ldirish"
    assert any("no header row" in w for w in plan.warnings)
    assert "column_review" in _flag_codes(plan.items[0])


# -- 15. section wording and numbering from other districts ---------------------------------------


@pytest.mark.parametrize(("heading", "number", "title"), [
    ("I. Kitob fondi bilan ishlash", "I", "Kitob fondi bilan ishlash"),
    ("I - Kitob fondi bilan ishlash", "I", "Kitob fondi bilan ishlash"),
    ("1-bo'lim. Kitob fondi bilan ishlash", "1", "Kitob fondi bilan ishlash"),
    ("I bo'lim. Kitob fondi bilan ishlash", "I", "Kitob fondi bilan ishlash"),
    ("1-БЎЛИМ. Китоб фонди билан ишлаш", "1", "Китоб фонди билан ишлаш"),
    ("1) Kitob fondi bilan ishlash", "1", "Kitob fondi bilan ishlash"),
])
def test_v15_section_heading_wordings(heading, number, title):
    t = table([
        ["№", "Nomi", "O'lchov birligi", "Reja"],
        [C(heading, colspan=4)],
        ["1.", "Fondni to'ldirish", "Nusxa", "100"],
    ])
    plan = parse_plan(doc(t))
    assert (plan.items[0].section_no, plan.items[0].section_title) == (number, title)
    assert [(s.number, s.title) for s in plan.sections] == [(number, title)]


# -- 16. the column-numbering row and a "Miqdori" group over bare years -------------------------------


def test_v16_column_numbering_row_under_a_one_row_header():
    t = table([
        ["№", "Nomi", "O'lchov birligi", "Reja", "Muddati"],
        ["1", "2", "3", "4", "5"],
        [C("I. FOND", colspan=5)],
        ["1.", "Fondni to'ldirish", "Nusxa", "100", "Yil davomida"],
    ])
    plan = parse_plan(doc(t))
    assert _rows(plan, "item_no", "text", "plan_value") == [("1", "Fondni to'ldirish", 100)]


def test_v16b_group_header_over_bare_years_is_ambiguous_and_flagged():
    """"Miqdori" over "2024" / "2025" names no fact or plan: the later year is taken as the plan,
    the earlier as the fact — and the item says the roles were inferred."""
    t = table([
        [C("№", rowspan=2), C("Nomi", rowspan=2), C("O'lchov birligi", rowspan=2), C("Miqdori", colspan=2)],
        [None, None, None, "2024", "2025"],
        [C("I. FOND", colspan=5)],
        ["1.", "Fondni to'ldirish", "Nusxa", "1075", "1750"],
    ])
    item = parse_plan(doc(t)).items[0]
    assert (item.fact_year, item.fact_value, item.plan_year, item.plan_value) == (2024, 1075, 2025, 1750)
    assert "column_review" in _flag_codes(item)


# -- DOCX files through the real reader -------------------------------------------------------------


def _docx(path, build):
    d = docx.Document()
    build(d)
    d.save(path)
    from reja.pipeline import parse_file

    return parse_file(path)


def _fill(table, rows):
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value is not None:
                table.cell(r, c).text = value


def test_v17_docx_one_row_header_tr_and_izoh_with_cyrillic_title(tmp_path):
    def build(d):
        d.add_paragraph("ТАСДИҚЛАЙМАН")
        d.add_paragraph("Пахтачи тумани ахборот-кутубхона маркази директори")
        d.add_paragraph("Д. Раҳимов")
        d.add_paragraph("2025 йил “10” январь")
        d.add_paragraph("Paxtachi tumani axborot-kutubxona markazining 2025-yil uchun ISH REJASI")
        rows = [
            ["T/r", "Bajariladigan ishlar", "O‘lchov birligi", "2024 yil fakt", "2025 yil reja", "Izoh"],
            ["I. O‘QUVCHILAR BILAN ISHLASH", "", "", "", "", ""],
            ["1)", "Kitobxonlik tanlovi", "Tadbir", "3", "4", "Maktablar bilan"],
            ["2)", "Mutolaa soati", "Tadbir", "12", "12", ""],
        ]
        t = d.add_table(rows=len(rows), cols=6)
        _fill(t, rows)

    plan = _docx(tmp_path / "pakhtachi_2025.docx", build)
    assert _rows(plan, "section_no", "item_no", "text", "unit", "fact_value", "plan_value") == [
        ("I", "1", "Kitobxonlik tanlovi", "Tadbir", 3, 4),
        ("I", "2", "Mutolaa soati", "Tadbir", 12, 12),
    ]
    assert (plan.meta.district, plan.meta.year, plan.meta.approved_by) == ("Пахтачи тумани", 2025, "Д. Раҳимов")


def test_v18_docx_header_only_table_then_paragraph_heading_then_headerless_table(tmp_path):
    def build(d):
        d.add_paragraph("2025-yil uchun ish rejasi")
        head = d.add_table(rows=1, cols=5)
        _fill(head, [["№", "Nomi", "O'lchov birligi", "2025-yil (reja)", "Bajarilish muddati"]])
        d.add_paragraph("I. FOND BILAN ISHLASH")
        body = d.add_table(rows=3, cols=5)
        _fill(body, [
            ["1.", "Fondni to'ldirish", "Nusxa", "1750", "Yil davomida"],
            ["", "", "", "", ""],
            ["2.", "Fondni tozalash", "Nusxa", "300", "Dekabr"],
        ])
        d.add_paragraph("II. OMMAVIY ISHLAR")
        body2 = d.add_table(rows=2, cols=5)
        _fill(body2, [
            ["1.", "Kitob ko'rgazmasi", "Tadbir", "10", "Har oy"],
            ["2.", "Shoir bilan uchrashuv", "Tadbir", "2", "Mart"],
        ])

    plan = _docx(tmp_path / "plan_2025.docx", build)
    assert _rows(plan, "section_no", "item_no", "text", "unit", "plan_value", "deadline") == [
        ("I", "1", "Fondni to'ldirish", "Nusxa", 1750, "Yil davomida"),
        ("I", "2", "Fondni tozalash", "Nusxa", 300, "Dekabr"),
        ("II", "1", "Kitob ko'rgazmasi", "Tadbir", 10, "Har oy"),
        ("II", "2", "Shoir bilan uchrashuv", "Tadbir", 2, "Mart"),
    ]
    assert all(i.plan_year == 2025 for i in plan.items)


def test_v19_docx_two_row_header_in_another_order_with_shu_jumladan(tmp_path):
    def build(d):
        d.add_paragraph("2025-yil uchun ish rejasi")
        t = d.add_table(rows=7, cols=6)
        # "Miqdori" merged over reja | fakt (plan before fact), the other headers merged down
        for c in (0, 1, 2, 5):
            t.cell(0, c).merge(t.cell(1, c))
        t.cell(0, 3).merge(t.cell(0, 4))
        _fill(t, [
            ["№", "Nomi", "O'lchov birligi", "Miqdori", None, "Mas'ul"],
            [None, None, None, "Reja", "Fakt", None],
        ])
        t.cell(2, 0).merge(t.cell(2, 5)).text = "I. FOND"
        _fill(t, [
            [], [], [],
            ["1.", "Obuna jami", "Nom", "30", "28", "Direktor"],
            ["Shu jumladan:", "", "", "", "", ""],
            ["", "Jurnallar", "Nom", "10", "9", "Direktor"],
            ["", "Gazetalar", "Nom", "20", "19", "Direktor"],
        ])

    plan = _docx(tmp_path / "plan_2025.docx", build)
    assert _rows(plan, "item_no", "parent_item_no", "text", "plan_value", "fact_value", "responsible") == [
        ("1", None, "Obuna jami", 30, 28, "Direktor"),
        (None, "1", "Jurnallar", 10, 9, "Direktor"),
        (None, "1", "Gazetalar", 20, 19, "Direktor"),
    ]
    assert plan.items[0].section_no == "I"


# -- 20. header wordings of other districts --------------------------------------------------------


@pytest.mark.parametrize(("text_h", "unit_h", "deadline_h", "resp_h"), [
    ("Tadbirlar nomi", "O'lchov birligi", "Ijro muddati", "Ijrochilar"),
    ("Ish mazmuni", "Birligi", "Muddat", "Mas'ul"),
    ("Amalga oshiriladigan tadbirlar", "O'lchov", "Bajarish vaqti", "Bajaruvchi"),
    ("Ўтказиладиган тадбирлар", "Ўлчов бирлиги", "Ўтказиш муддати", "Ижрочи"),
    ("Иш мазмуни", "Бирлиги", "Муддат", "Жавобгарлар"),
    ("Tadbirlar", "O'lchov birligi", "Muddati", "Javobgar shaxslar"),
])
def test_v20_header_wordings(text_h, unit_h, deadline_h, resp_h):
    t = table([
        ["№", text_h, unit_h, deadline_h, resp_h],
        [C("I. FOND", colspan=5)],
        ["1.", "Fondni to'ldirish", "Nusxa", "Yil davomida", "Direktor"],
    ])
    item = parse_plan(doc(t)).items[0]
    assert (item.item_no, item.text, item.unit, item.deadline, item.responsible) == (
        "1", "Fondni to'ldirish", "Nusxa", "Yil davomida", "Direktor")


# -- 21. one-row header with bare years -------------------------------------------------------------


def test_v21_one_row_header_with_bare_years_is_flagged():
    t = table([
        ["№", "Nomi", "O'lchov birligi", "2024 yil", "2025 yil", "Muddati"],
        [C("I. FOND", colspan=6)],
        ["1.", "Fondni to'ldirish", "Nusxa", "1075", "1750", "Yil davomida"],
    ])
    item = parse_plan(doc(t)).items[0]
    assert (item.fact_year, item.fact_value, item.plan_year, item.plan_value) == (2024, 1075, 2025, 1750)
    assert "column_review" in _flag_codes(item)


# -- 22. no number column at all -------------------------------------------------------------------


def test_v22_plan_without_a_number_column_is_read_and_its_rows_are_not_flagged_for_it():
    # a plan laid out without numbers: a missing number is the layout, not a doubt a clerk could settle;
    # the plan says so once
    t = table([
        ["Tadbirlar nomi", "O'lchov birligi", "Reja", "Muddati"],
        [C("I. OMMAVIY TADBIRLAR", colspan=4)],
        ["Kitob ko'rgazmasi", "Tadbir", "12", "Har oy"],
        ["Shoir bilan uchrashuv", "Tadbir", "2", "Mart"],
    ])
    plan = parse_plan(doc(t))
    assert _rows(plan, "item_no", "text", "plan_value", "deadline") == [
        (None, "Kitob ko'rgazmasi", 12, "Har oy"), (None, "Shoir bilan uchrashuv", 2, "Mart")]
    assert not any("no_item_no" in _flag_codes(i) for i in plan.items)
    assert any("numbers none of its activities" in w for w in plan.warnings)
    assert all(i.section_no == "I" for i in plan.items)


def test_v22_a_row_without_a_number_in_a_numbered_plan_is_still_flagged():
    t = table([
        ["№", "Tadbirlar nomi", "O'lchov birligi", "Reja"],
        [C("I. OMMAVIY TADBIRLAR", colspan=4)],
        ["1.", "Kitob ko'rgazmasi", "Tadbir", "12"],
        ["", "Shoir bilan uchrashuv", "Tadbir", "2"],
    ])
    plan = parse_plan(doc(t))
    assert _rows(plan, "item_no", "text") == [("1", "Kitob ko'rgazmasi"), (None, "Shoir bilan uchrashuv")]
    assert "no_item_no" in _flag_codes(plan.items[1]) and "no_item_no" not in _flag_codes(plan.items[0])
    assert not any("numbers none of its activities" in w for w in plan.warnings)


# -- 23. apostrophes in the title block's place names -----------------------------------------------


@pytest.mark.parametrize("apos", ["\u02bb", "\u2018", "'", "`", "\u2019"])
def test_v23_place_names_with_any_apostrophe(apos):
    layout = table([[f"KELISHILDI\nFarg{apos}ona viloyati AKM direktori\nA. Karimov\n2025-yil 10-yanvar",
                     f"TASDIQLAYMAN\nQo{apos}shtepa tumani axborot-kutubxona markazi direktori\nB. Toshev\n2025-yil 12-yanvar"]])
    t = table([["№", "Nomi", "O'lchov birligi", "Reja"], [C("I. FOND", colspan=4)], ["1.", "Kitob", "Nusxa", "5"]])
    meta = parse_plan(doc(layout, para("2025-yil uchun ish rejasi"), t)).meta
    assert (meta.region, meta.district) == (f"Farg{apos}ona viloyati", f"Qo{apos}shtepa tumani")


# -- 24. a heading paragraph worded "1-bo'lim" between tables, and a wrapped header repeated on page 2 --


def test_v24_paragraph_heading_with_section_word_and_repeated_header():
    head = ["№", "Nomi", "O'lchov birligi", "Reja"]
    t1 = table([head, ["1.", "Fondni to'ldirish", "Nusxa", "100"]], page=1)
    t2 = table([head, ["1.", "Kitob ko'rgazmasi", "Tadbir", "12"]], page=2)
    plan = parse_plan(doc(para("1-bo'lim. Fond bilan ishlash", bold=True), t1,
                          para("2-bo'lim. Ommaviy ishlar", bold=True), t2))
    assert _rows(plan, "section_no", "section_title", "item_no", "text") == [
        ("1", "Fond bilan ishlash", "1", "Fondni to'ldirish"),
        ("2", "Ommaviy ishlar", "1", "Kitob ko'rgazmasi"),
    ]


# -- 25. one value column headed only "Miqdori" ------------------------------------------------------


def test_v25_single_quantity_column_is_the_plan():
    t = table([
        ["№", "Nomi", "O'lchov birligi", "Miqdori", "Muddati"],
        [C("I. FOND", colspan=5)],
        ["1.", "Fondni to'ldirish", "Nusxa", "1 750", "Yil davomida"],
    ])
    item = parse_plan(doc(t)).items[0]
    assert (item.plan_value, item.plan_raw, item.fact_value, item.deadline) == (1750, "1 750", None, "Yil davomida")


# -- 26. the label in the number column, Latin ----------------------------------------------------------


def test_v26_label_in_the_number_column_beside_the_first_sub_item():
    t = table([
        ["№", "Nomi", "O'lchov birligi", "Reja"],
        [C("I. FOND", colspan=4)],
        ["1.", "Obuna jami", "Nom", "30"],
        ["Shu jumladan", "Jurnallar", "Nom", "10"],
        ["", "Gazetalar", "Nom", "20"],
        ["2.", "Katalog", "Hujjat", "5"],
    ])
    plan = parse_plan(doc(t))
    assert _rows(plan, "item_no", "parent_item_no", "text") == [
        ("1", None, "Obuna jami"), (None, "1", "Jurnallar"), (None, "1", "Gazetalar"), ("2", None, "Katalog")]


# -- 27. no number column, the number written at the start of the text --------------------------------


def test_v27_number_inside_the_text_when_there_is_no_number_column():
    t = table([
        ["Tadbirlar nomi", "O'lchov birligi", "Reja", "Muddati"],
        [C("I. OMMAVIY TADBIRLAR", colspan=4)],
        ["1. Kitob ko'rgazmasi", "Tadbir", "12", "Har oy"],
        ["2. Shoir bilan uchrashuv", "Tadbir", "2", "Mart"],
    ])
    plan = parse_plan(doc(t))
    assert _rows(plan, "item_no", "text", "plan_value") == [
        ("1", "Kitob ko'rgazmasi", 12), ("2", "Shoir bilan uchrashuv", 2)]
    assert _no_flag(plan, "no_item_no")


# -- 28. "№ п/п" -----------------------------------------------------------------------------------------


def test_v28_number_heading_n_pp():
    t = table([
        ["№ п/п", "Мазмуни", "Ўлчов бирлиги", "Муддати"],
        [C("1. Фонд", colspan=4)],
        ["1.1", "Китоблар", "нусха", "Йил давомида"],
    ])
    plan = parse_plan(doc(t))
    assert _rows(plan, "item_no", "text", "unit") == [("1.1", "Китоблар", "нусха")]


# -- 29. section number in the № cell, its title in the text cell -------------------------------------


def test_v29_roman_number_in_the_number_cell_and_title_beside_it():
    t = table([
        ["№", "Nomi", "O'lchov birligi", "Reja", "Muddati"],
        ["I.", "KUTUBXONA FONDI", "", "", ""],
        ["1.", "Fondni to'ldirish", "Nusxa", "100", "Yil davomida"],
        ["II", "OMMAVIY ISHLAR", "", "", ""],
        ["1.", "Ko'rgazma", "Tadbir", "12", "Har oy"],
    ])
    plan = parse_plan(doc(t))
    assert _rows(plan, "section_no", "section_title", "item_no", "text") == [
        ("I", "KUTUBXONA FONDI", "1", "Fondni to'ldirish"),
        ("II", "OMMAVIY ISHLAR", "1", "Ko'rgazma"),
    ]
    assert [s.number for s in plan.sections] == ["I", "II"]


# -- 30. a section heading typed into the text cell ------------------------------------------------


def test_v30_roman_heading_in_the_text_cell_only():
    t = table([
        ["№", "Nomi", "O'lchov birligi", "Reja", "Muddati"],
        ["", "I. KUTUBXONA FONDI", "", "", ""],
        ["1.", "Fondni to'ldirish", "Nusxa", "100", "Yil davomida"],
        ["", "II. OMMAVIY ISHLAR", "", "", ""],
        ["1.", "Ko'rgazma", "Tadbir", "12", "Har oy"],
    ])
    plan = parse_plan(doc(t))
    assert _rows(plan, "section_no", "section_title", "item_no", "text") == [
        ("I", "KUTUBXONA FONDI", "1", "Fondni to'ldirish"),
        ("II", "OMMAVIY ISHLAR", "1", "Ko'rgazma"),
    ]


# -- 31. a headerless table of another width after a headed one ---------------------------------------


def test_v31_headerless_table_wider_than_the_one_before_is_flagged():
    first = table([["№", "Nomi", "O'lchov birligi", "Reja"], [C("I. FOND", colspan=4)],
                   ["1.", "Fondni to'ldirish", "Nusxa", "100"]], page=1)
    second = table([["2.", "Katalog yuritish", "Hujjat", "4", "Maktablar bilan"]], page=2)
    plan = parse_plan(doc(first, second))
    assert _rows(plan, "item_no", "text", "unit") == [
        ("1", "Fondni to'ldirish", "Nusxa"), ("2", "Katalog yuritish", "Hujjat")]
    assert "column_review" not in _flag_codes(plan.items[0])
    assert "column_review" in _flag_codes(plan.items[1])  # its value columns could not be told


# -- 32. a three-column layout table for the signature blocks -------------------------------------------


def test_v32_signature_blocks_in_a_three_column_layout_table():
    layout = table([["KELISHILDI\nNavoiy viloyati AKM direktori\nS. Olimov\n2025-yil 8-yanvar", "",
                     "TASDIQLAYMAN\nKarmana tumani AKM direktori\nM. Usmonova\n2025-yil 9-yanvar"]])
    t = table([["№", "Nomi", "O'lchov birligi", "Reja"], [C("I. FOND", colspan=4)], ["1.", "Kitob", "Nusxa", "5"]])
    plan = parse_plan(doc(layout, para("Karmana tumani AKMning 2025-yil uchun ish rejasi"), t))
    m = plan.meta
    assert (m.region, m.district, m.year, m.approved_by, m.agreed_by) == (
        "Navoiy viloyati", "Karmana tumani", 2025, "M. Usmonova", "S. Olimov")
    assert _rows(plan, "item_no", "text") == [("1", "Kitob")]


# -- 33. title rows inside the plan table, above its header ---------------------------------------------


def test_v33_title_rows_inside_the_table_above_the_header():
    t = table([
        ["", "", "", ""],
        [C("2025-yil uchun ish rejasi", colspan=4)],
        ["№", "Nomi", "O'lchov birligi", "2025-yil (reja)"],
        [C("I. FOND", colspan=4)],
        ["1.", "Fondni to'ldirish", "Nusxa", "100"],
    ])
    plan = parse_plan(doc(t))
    assert _rows(plan, "section_no", "item_no", "text", "plan_value", "plan_year") == [
        ("I", "1", "Fondni to'ldirish", 100, 2025)]
    assert not any("no header row" in w for w in plan.warnings)
    assert plan.meta.year == 2025  # the title row still names the plan year


# -- 34. letter-numbered rows ("а)", "b)") under a numbered item are its parts: sub-items (issue 17) ------


def test_v34_letter_numbered_rows_are_sub_items_of_the_item_above():
    t = table([
        ["№", "Nomi", "O'lchov birligi", "Reja"],
        [C("I. FOND", colspan=4)],
        ["1.", "Obuna jami", "Nom", "30"],
        ["a)", "Jurnallar", "Nom", "10"],
        ["b)", "Gazetalar", "Nom", "20"],
    ])
    plan = parse_plan(doc(t))
    assert _rows(plan, "item_no", "parent_item_no", "text", "plan_value") == [
        ("1", None, "Obuna jami", 30), (None, "1", "Jurnallar", 10), (None, "1", "Gazetalar", 20)]
    assert ["no_item_no" in _flag_codes(i) for i in plan.items] == [False, False, False]


# -- 35. two plan columns (a two-year plan): the second is not dropped silently ------------------------


def test_v35_second_plan_column_is_flagged_not_dropped_silently():
    t = table([
        ["№", "Nomi", "O'lchov birligi", "2025 yil reja", "2026 yil reja"],
        [C("I. FOND", colspan=5)],
        ["1.", "Fondni to'ldirish", "Nusxa", "100", "120"],
    ])
    item = parse_plan(doc(t)).items[0]
    assert (item.plan_year, item.plan_value) == (2025, 100)
    assert any(f.startswith("column_review") and "2026 yil reja" in f for f in item.flags)


# -- 36. DOCX in Cyrillic: "Т/р", "Миқдори" over "амалда"/"режа", "Изоҳ", heading in the first cell only --


def test_v36_docx_cyrillic_two_row_header_with_notes(tmp_path):
    def build(d):
        lay = d.add_table(rows=1, cols=2)
        _fill(lay, [["КЕЛИШИЛДИ\nҚашқадарё вилояти АКМ директори\nЭ. Норов\n2025 йил 5 январь",
                     "ТАСДИҚЛАЙМАН\nКасби тумани АКМ директори\nФ. Жўраев\n2025 йил 6 январь"]])
        d.add_paragraph("Касби тумани АКМнинг 2025 йил учун иш режаси")
        t = d.add_table(rows=6, cols=6)
        for c in (0, 1, 2, 5):
            t.cell(0, c).merge(t.cell(1, c))
        t.cell(0, 3).merge(t.cell(0, 4))
        _fill(t, [
            ["Т/р", "Тадбирлар номи", "Ўлчов бирлиги", "Миқдори", None, "Изоҳ"],
            [None, None, None, "2024 йил амалда", "2025 йил режа", None],
            ["I. ФОНД БИЛАН ИШЛАШ", "", "", "", "", ""],
            ["1.", "Фондни тўлдириш", "нусха", "1 075", "1 750", "ҳомийлар ҳисобидан"],
            ["2.", "Эскирган адабиётни ҳисобдан чиқариш", "нусха", "–", "300", ""],
            ["", "", "", "", "", ""],
        ])

    plan = _docx(tmp_path / "kasbi_2025.docx", build)
    assert _rows(plan, "section_no", "item_no", "text", "unit", "fact_value", "plan_value") == [
        ("I", "1", "Фондни тўлдириш", "нусха", 1075, 1750),
        ("I", "2", "Эскирган адабиётни ҳисобдан чиқариш", "нусха", None, 300),
    ]
    assert [(i.fact_year, i.plan_year) for i in plan.items] == [(2024, 2025)] * 2
    m = plan.meta
    assert (m.region, m.district, m.year, m.approved_by, m.agreed_by) == (
        "Қашқадарё вилояти", "Касби тумани", 2025, "Ф. Жўраев", "Э. Норов")


# -- 37. DOCX: the table goes on after a page break with no header -----------------------------------------


def test_v37_docx_table_continues_after_a_page_break_without_header(tmp_path):
    def build(d):
        from docx.enum.text import WD_BREAK

        d.add_paragraph("2025-yil uchun ish rejasi")
        t1 = d.add_table(rows=3, cols=5)
        _fill(t1, [["№", "Nomi", "O'lchov birligi", "Reja", "Bajarilish muddati"],
                   ["II. ILMIY-METODIK FAOLIYAT", "", "", "", ""],
                   ["3.", "Hududdagi kutubxonalarga uslubiy va amaliy yordam", "Tadbir", "100", "2025-yil"]])
        d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        t2 = d.add_table(rows=2, cols=5)
        _fill(t2, [["", "berish", "", "", "davomida"],
                   ["4.", "Hisobotlarni jamlash", "Hujjat", "40", "2025-yil davomida"]])

    plan = _docx(tmp_path / "plan_2025.docx", build)
    assert _rows(plan, "section_no", "item_no", "text", "plan_value", "deadline") == [
        ("II", "3", "Hududdagi kutubxonalarga uslubiy va amaliy yordam berish", 100, "2025-yil davomida"),
        ("II", "4", "Hisobotlarni jamlash", 40, "2025-yil davomida"),
    ]
    assert "stitched_row" in _flag_codes(plan.items[0])


# -- 38. headers whose words overlap another role ("Rejalashtirilgan tadbirlar" is the text, not the plan) --


@pytest.mark.parametrize(("text_h", "mech_h", "deadline_h", "resp_h"), [
    ("Rejalashtirilgan tadbirlar", "Amalga oshirish shakli", "O'tkazish sanasi", "Amalga oshiruvchi"),
    ("Режалаштирилган тадбирлар", "Амалга ошириш шакли", "Ўтказиш санаси", "Амалга оширувчи"),
])
def test_v38_headers_overlapping_another_role(text_h, mech_h, deadline_h, resp_h):
    t = table([
        ["№", text_h, "Miqdori", mech_h, deadline_h, resp_h],
        [C("I. TADBIRLAR", colspan=6)],
        ["1.", "Kitob bayrami", "2", "Ko'rgazma", "Aprel", "Direktor"],
    ])
    item = parse_plan(doc(t)).items[0]
    assert (item.text, item.plan_value, item.mechanism, item.deadline, item.responsible) == (
        "Kitob bayrami", 2, "Ko'rgazma", "Aprel", "Direktor")


# -- 39. header words broken over lines in narrow cells, an empty "№" heading -------------------------------


def test_v39_header_words_broken_over_lines_and_empty_number_heading():
    t = table([
        ["", "Bajariladigan\nishlarning\nmazmuni", "O'lchov bir-\nligi", "2025-\nyil\n(reja)", "Bajari-\nlish\nmuddati"],
        [C("I. FOND", colspan=5)],
        ["1.", "Fondni to'ldirish", "Nusxa", "100", "Yil davomida"],
    ])
    item = parse_plan(doc(t)).items[0]
    assert (item.item_no, item.text, item.unit, item.plan_value, item.plan_year, item.deadline) == (
        "1", "Fondni to'ldirish", "Nusxa", 100, 2025, "Yil davomida")


# -- 40. header-only table, then a body table opening with the column-numbering row --------------------


def test_v40_body_table_opens_with_the_column_numbering_row():
    head = table([["№", "Nomi", "O'lchov birligi", "Reja", "Muddati"]])
    body = table([
        ["1", "2", "3", "4", "5"],
        [C("I. FOND", colspan=5)],
        ["1.", "Fondni to'ldirish", "Nusxa", "100", "Yil davomida"],
    ])
    plan = parse_plan(doc(head, body))
    assert _rows(plan, "section_no", "item_no", "text", "plan_value") == [("I", "1", "Fondni to'ldirish", 100)]


# -- 41. un-numbered headings in the first cell only: sub-sections, and the items say they lack a section --


def test_v41_unnumbered_first_cell_headings_are_subsections_flagged_no_section():
    t = table([
        ["№", "Nomi", "O'lchov birligi", "Reja"],
        ["KUTUBXONA FONDI BILAN ISHLASH", "", "", ""],
        ["1.", "Fondni to'ldirish", "Nusxa", "100"],
        ["OMMAVIY ISHLAR", "", "", ""],
        ["2.", "Ko'rgazma", "Tadbir", "12"],
    ])
    plan = parse_plan(doc(t))
    assert _rows(plan, "item_no", "section_no", "subsection_title") == [
        ("1", None, "KUTUBXONA FONDI BILAN ISHLASH"), ("2", None, "OMMAVIY ISHLAR")]
    assert all("no_section" in _flag_codes(i) for i in plan.items)


# -- 42. quarterly columns beside the annual plan -----------------------------------------------------------


def test_v42_quarter_columns_are_not_taken_for_the_plan():
    t = table([
        ["№", "Nomi", "O'lchov birligi", "2025 yil reja", "I chorak", "II chorak", "III chorak", "IV chorak"],
        [C("I. TADBIRLAR", colspan=8)],
        ["1.", "Kitob ko'rgazmasi", "Tadbir", "12", "3", "3", "3", "3"],
    ])
    item = parse_plan(doc(t)).items[0]
    assert (item.text, item.unit, item.plan_value, item.plan_year, item.fact_value) == (
        "Kitob ko'rgazmasi", "Tadbir", 12, 2025, None)


# -- 43. a two-row header without merges (each heading's words split over the two rows) -----------------------


def test_v43_two_row_header_without_merges():
    t = table([
        ["№", "Nomi", "O'lchov", "Miqdori", "", "Bajarilish"],
        ["", "", "birligi", "2024 yil fakt", "2025 yil reja", "muddati"],
        [C("I. FOND", colspan=6)],
        ["1.", "Fondni to'ldirish", "Nusxa", "1075", "1750", "Yil davomida"],
    ])
    item = parse_plan(doc(t)).items[0]
    assert (item.text, item.unit, item.fact_value, item.plan_value, item.deadline) == (
        "Fondni to'ldirish", "Nusxa", 1075, 1750, "Yil davomida")


def test_v42b_a_data_row_with_a_quarter_deadline_is_no_header():
    """Jondor 9.9's continuation "| | берилган адабиётлар | сони | Ҳар чорак" must stay data."""
    t = table([
        ["№", "Мазмуни", "Амалга ошириш механизми", "Ўлчов бирлиги", "Бажарилиш муддати"],
        [C("IX. Ўлкашунослик", colspan=5)],
        ["9.9", "Фойдаланувчиларга хизмат кўрсатиш", "фойдаланувчилар қатнови", "сони", "Ҳар чорак"],
        ["", "", "берилган адабиётлар", "сони", "Ҳар чорак"],
    ])
    plan = parse_plan(doc(t))
    assert _rows(plan, "item_no", "unit", "deadline") == [("9.9", "сони сони", "Ҳар чорак Ҳар чорак")]


def test_v27b_number_without_a_dot_inside_the_text_when_it_is_the_next_number():
    # the spec: (cell text, item number meant, text meant). "5 ta …" and a number out of the sequence are
    # words of the text; "1 …", "2 …" after the section's start, "3.1" after 3, "4" after 3.1 are numbers
    spec = [
        ("1 Kitob ko'rgazmasi", "1", "Kitob ko'rgazmasi"),
        ("2 “Kitobxonlik haftaligi” tadbiri", "2", "“Kitobxonlik haftaligi” tadbiri"),
        ("3. Shoir bilan uchrashuv", "3", "Shoir bilan uchrashuv"),
        ("3.1 Maktablarda", "3.1", "Maktablarda"),
        ("5 ta kitob taqdimoti", None, "5 ta kitob taqdimoti"),
        ("4 Yosh kitobxonlar tanlovi", "4", "Yosh kitobxonlar tanlovi"),
        ("40 Yillik hisobot", None, "40 Yillik hisobot"),
    ]
    t = table([["Tadbirlar nomi", "O'lchov birligi", "Reja", "Muddati"], [C("I. OMMAVIY TADBIRLAR", colspan=4)],
               *[[cell, "Tadbir", "2", "Har oy"] for cell, _, _ in spec]])
    plan = parse_plan(doc(t))
    assert _rows(plan, "item_no", "text") == [(no, text) for _, no, text in spec]
