"""Column roles and title blocks worded in Uzbek Latin, Uzbek Cyrillic and Russian (issue 17).

Each fixture is built from a small spec (header words per role in one language, item rows); the
expected items are the spec's own values, so a header word reja does not place fails the test.
"""

from __future__ import annotations

import pytest
from reja.extract.plan import parse_plan
from reja.extract.title_block import Line, parse_title_block

from tests.extract.plan_fixtures import C, doc, para, table

# role → header word, per language (the headings real plans use)
HEADERS = {
    "ru": {"number": "№ п/п", "text": "Наименование мероприятий", "unit": "Ед. изм.", "fact": "Факт 2022 г.",
           "plan": "План 2023 г.", "deadline": "Срок исполнения", "responsible": "Ответственные"},
    "uz_latn": {"number": "T/r", "text": "Bajariladigan ishlar", "unit": "O'lchov birligi", "fact": "2022 yil fakt",
                "plan": "2023 yil reja", "deadline": "Bajarilish muddati", "responsible": "Mas'ullar"},
    "uz_cyrl": {"number": "Т/р", "text": "Тадбирлар номи", "unit": "Ўлчов бирлиги", "fact": "2022 йил факт",
                "plan": "2023 йил режаси", "deadline": "Бажарилиш муддати", "responsible": "Масъуллар"},
    # a clerk mixing the two: Russian words for some columns, Uzbek for the others
    "mixed": {"number": "№", "text": "Наименование мероприятий", "unit": "O'lchov birligi", "fact": "Факт 2022 г.",
              "plan": "2023 yil reja", "deadline": "Срок исполнения", "responsible": "Mas'ullar"},
}
ORDER = ["number", "text", "unit", "fact", "plan", "deadline", "responsible"]
ITEMS = [  # (no, text, unit, fact, plan, deadline, responsible)
    ("1.", "Kitob fondini to'ldirish", "nusxa", "1075", "1 750", "Yil davomida", "Direktor"),
    ("1.1", "o'zbek tilidagi kitoblar", "nusxa", "500", "700", "Yil davomida", "Direktor"),
    ("1.2", "rus tilidagi kitoblar", "nusxa", "200", "300", "I chorak", "Bo'lim mudiri"),
    ("2.", "Kitobxonlar konferensiyasi", "tadbir", "2", "3", "Aprel", "Metodist"),
]


def _plan_table(lang: str, numbering_row: bool):
    head = HEADERS[lang]
    rows = [[head[r] for r in ORDER]]
    if numbering_row:
        rows.append([str(i) for i in range(1, len(ORDER) + 1)])
    rows.append([C("I. KITOB FONDI BILAN ISHLASH", colspan=len(ORDER))])
    rows += [list(i) for i in ITEMS]
    return table(rows)


@pytest.mark.parametrize("numbering_row", [False, True])
@pytest.mark.parametrize("lang", sorted(HEADERS))
def test_every_column_is_read_whatever_the_header_language(lang, numbering_row):
    plan = parse_plan(doc(_plan_table(lang, numbering_row)))
    got = [(i.item_no, i.text, i.unit, i.fact_value, i.plan_value, i.deadline, i.responsible) for i in plan.items]
    want = [(no.rstrip("."), text, unit, float(fact), float(pl.replace(" ", "")), dl, resp)
            for no, text, unit, fact, pl, dl, resp in ITEMS]
    assert got == want
    assert {(i.fact_year, i.plan_year) for i in plan.items} == {(2022, 2023)}
    assert all("column_review" not in " ".join(i.flags) for i in plan.items)


def test_an_unknown_text_header_keeps_the_activity_text_and_says_so():
    rows = [["№", "Чем будем заниматься", "Ед. изм.", "План 2023 г.", "Срок исполнения"],
            ["1.", "Kitobxonlar konferensiyasi o'tkazish", "tadbir", "3", "Aprel"],
            ["2.", "Yangi kitoblar taqdimoti", "tadbir", "4", "May"]]
    plan = parse_plan(doc(table(rows)))
    assert [i.text for i in plan.items] == ["Kitobxonlar konferensiyasi o'tkazish", "Yangi kitoblar taqdimoti"]
    assert [i.plan_value for i in plan.items] == [3, 4]
    for item in plan.items:
        review = [f for f in item.flags if f.startswith("column_review")]
        assert review and "column 2" in review[0]


def test_a_header_near_a_known_word_is_guessed_and_flagged():
    # "Ответств. лица" is no listed heading; it is closest to the responsible column
    rows = [["№", "Наименование мероприятий", "Ед. изм.", "План 2023 г.", "Ответственные лица"],
            ["1.", "Kitob ko'rgazmasi", "tadbir", "12", "Kutubxonachi"]]
    item = parse_plan(doc(table(rows))).items[0]
    assert (item.text, item.plan_value, item.responsible) == ("Kitob ko'rgazmasi", 12, "Kutubxonachi")


TITLES = [
    # (lines, expected year, expected district as written)
    (["TASDIQLAYMAN", "Izboskan tumani AKM direktori", "N.Burxonov", "2023-yil 28-dekabr",
      "Izboskan tumani axborot-kutubxona markazining", "2024-yilga mo'ljallangan", "ISH REJASI"], 2024, "Izboskan tumani"),
    (["KELISHILDI", "Hokim o'rinbosari", "A.Valiyev", "TASDIQLAYMAN", "Direktor", "N.Burxonov",
      "Paxtaobod tumani AKMning 2024-yil uchun ish rejasi"], 2024, "Paxtaobod tumani"),
    (["ТАСДИҚЛАЙМАН", "Жондор тумани АКМ директори", "Н.Бурхонов", "2022 йил “__” декабр",
      "Жондор тумани АКМнинг 2023 йилга мўлжалланган иш режаси"], 2023, "Жондор тумани"),
    (["СОГЛАСОВАНО", "Заместитель хокима", "А.Валиев", "«5» января 2023 г.", "УТВЕРЖДАЮ",
      "Директор ИБЦ Жондорского района", "Н.Бурхонов", "«6» января 2023 г.", "ПЛАН РАБОТЫ",
      "информационно-библиотечного центра Жондорского района", "на 2023 год"], 2023, "Жондорского района"),
]


@pytest.mark.parametrize(("lines", "year", "district"), TITLES)
def test_title_block_year_and_district_in_three_languages(lines, year, district):
    meta = parse_title_block([Line(t) for t in lines], "plan.docx")
    assert meta.year == year
    assert meta.district == district
    assert not any(f.startswith("meta_missing: year") for f in meta.flags)


def test_russian_signature_blocks_are_read():
    lines = TITLES[3][0]
    meta = parse_title_block([Line(t) for t in lines], "plan.docx")
    assert (meta.agreed_by, meta.approved_by) == ("А.Валиев", "Н.Бурхонов")
    assert "на 2023 год" in meta.title


def test_russian_header_plan_with_title_paragraphs():
    t = _plan_table("ru", numbering_row=True)
    plan = parse_plan(doc(para("УТВЕРЖДАЮ"), para("Директор"), para("Н.Бурхонов"), para("«6» января 2023 г."),
                          para("План работы Жондорского района на 2023 год"), t))
    assert plan.meta.year == 2023 and plan.meta.approved_by == "Н.Бурхонов"
    assert len(plan.items) == len(ITEMS)


@pytest.mark.parametrize("numbered", [True, False])
def test_parts_written_as_a_list_are_sub_items_without_their_marks(numbered):
    no = (lambda n: n) if numbered else (lambda n: "")
    rows = [["№", "Nomi", "O'lchov birligi", "Reja"],
            [no("8."), "OAVda chiqishlar", "chiqish", "25"],
            ["", "- Televideniye orqali", "chiqish", "4"],
            ["", "- Radio orqali", "chiqish", "19"],
            [no("9."), "Kitob ko'rgazmasi", "tadbir", "12"],
            [no("10."), "Davra suhbatlari, shundan:", "tadbir", "6"],
            ["", "maktablarda", "tadbir", "4"],
            [no("11."), "Obuna", "nom", "14"],
            ["a)", "gazetalar", "nom", "9"],
            ["b)", "jurnallar", "nom", "5"]]
    if not numbered:
        rows = [r for r in rows if r[0] not in ("a)", "b)")]
    plan = parse_plan(doc(table(rows)))
    got = [(i.item_no, i.parent_item_no, i.text, i.plan_value) for i in plan.items]
    p8, p10, p11 = ("8", "10", "11") if numbered else (None, None, None)
    want = [(p8, None, "OAVda chiqishlar", 25), (None, p8, "Televideniye orqali", 4), (None, p8, "Radio orqali", 19),
            (p8 and "9", None, "Kitob ko'rgazmasi", 12), (p10, None, "Davra suhbatlari, shundan:", 6),
            (None, p10, "maktablarda", 4), (p11, None, "Obuna", 14)]
    if numbered:
        want += [(None, "11", "gazetalar", 9), (None, "11", "jurnallar", 5)]
    else:
        want = [w for w in want if w[2] != "maktablarda"]  # an unnumbered "shundan:" row: not tested here
    if not numbered:
        got = [g for g in got if g[2] != "maktablarda"]
    assert got == want
