"""Header rows and column roles (extract/header.py), through parse_plan where it matters."""

import pytest
from reja.extract.header import classify_header, header_span, roles_from_header
from reja.extract.plan import parse_plan
from reja.extract.settings import load_parse_settings

from tests.extract.plan_fixtures import IZB_HEADER, JON_HEADER, C, doc, izb_row, izb_section, para, table

SCORES = load_parse_settings().header  # this installation's header scores (plan_words.yaml)


def test_two_row_header_gives_roles_and_years():
    t = table([*IZB_HEADER, izb_row("1.", "Hujjatlar")])
    assert header_span(t, 0, SCORES) == 2
    roles = roles_from_header(t, 0, 2, SCORES)
    assert roles.roles == ["number", "text", "unit", "fact", "plan", "mechanism", "deadline", "responsible"]
    assert (roles.fact_year, roles.plan_year) == (2024, 2025)


def test_items_carry_the_header_years():
    plan = parse_plan(doc(table([*IZB_HEADER, izb_section("I. FAOLIYAT"), izb_row("1.", "Hujjatlar")])))
    item = plan.items[0]
    assert (item.fact_year, item.plan_year) == (2024, 2025)
    assert (item.fact_value, item.plan_value) == (1, 4)


def test_cyrillic_plan_column_with_year():
    t = table([["", "Қилинадиган ишларнинг мазмуни", "Ўлчов бирлиги", "2021 йил режаси", "Бажарилиш муддати"],
               ["5.21", "Маълумотларни тўплаш", "номда", "12", "Йил давомида"]])
    roles = roles_from_header(t, 0, header_span(t, 0, SCORES), SCORES)
    assert roles.roles == ["number", "text", "unit", "plan", "deadline"]
    assert roles.plan_year == 2021 and roles.fact_year is None


def test_data_row_is_not_a_header():
    t = table([*JON_HEADER, ["1.2", "Китоб ва китоб маҳсулотлари", "Сони", "Ҳар чорак"]])
    assert header_span(t, 1, SCORES) == 0
    assert classify_header("Муддати", SCORES)[0] == "deadline"


def test_header_repeated_on_the_next_page_is_dropped():
    first = table([*IZB_HEADER, izb_section("I. FAOLIYAT"), izb_row("1.", "Birinchi ish")], page=1)
    second = table([*IZB_HEADER, izb_row("2.", "Ikkinchi ish")], page=2)
    plan = parse_plan(doc(first, second))
    assert [i.item_no for i in plan.items] == ["1", "2"]
    assert all("Nomi" not in i.text for i in plan.items)


def test_table_without_header_inherits_roles_when_columns_match():
    first = table([*IZB_HEADER, izb_section("I. FAOLIYAT"), izb_row("1.", "Birinchi ish")])
    heading = para("VII. OAV BILAN ISHLASH", bold=True)
    second = table([izb_row("30.", "Faoliyatni yoritish", unit="Marotaba", fact="7", plan="10")])
    plan = parse_plan(doc(first, heading, second))
    last = plan.items[-1]
    assert (last.item_no, last.section_no, last.unit, last.fact_value, last.plan_value) == ("30", "VII", "Marotaba", 7, 10)
    assert last.plan_year == 2025


def test_columns_that_change_between_tables_are_read_per_table():
    # Jondor IX puts the mechanism before the unit; X has a plan column
    nine = table([
        [C("IX. Ахборот-библиографик фаолият", colspan=5)],
        ["№", "Бажариладиган ишларнинг мазмуни", "Амалга ошириш механизми", "Ўлчов бирлиги", "Бажарилиш муддати"],
        ["9.1", "Библиографик сўроқларни бажариш", "Рўйхат тузиш", "сон", "Ҳар чорак"],
    ])
    ten = table([
        ["№", "Қилинадиган ишларнинг мазмуни", "Ўлчов бирлиги", "2021 йил режа", "Бажарилиш муддати"],
        ["10.3", "Компьютер саводхонлигига ўқитиш", "китобхон", "21", "Ҳар чорак"],
    ])
    plan = parse_plan(doc(nine, para("Х. Электрон кутубхона фаолияти", bold=True), ten))
    a, b = plan.items
    assert (a.mechanism, a.unit, a.plan_raw, a.plan_year) == ("Рўйхат тузиш", "сон", None, None)
    assert (b.unit, b.plan_value, b.plan_year, b.mechanism) == ("китобхон", 21, 2021, None)


def test_two_row_header_with_the_unit_under_a_merged_mechanism_heading():
    # Jondor VI: "Амалга ошириш механизми" spans two columns, "Ўлчов бирлиги" sits under the first
    t = table([["№", "Қилинадиган ишларнинг мазмуни", C("Амалга ошириш механизми", colspan=2), "Бажарилиш муддати"],
               ["", "", "Ўлчов бирлиги", "", ""],
               ["6.3", "Ресурсларни бериш", "сони/нусха", "буюртмалар асосида", "Йил давомида"]])
    assert header_span(t, 0, SCORES) == 2
    assert roles_from_header(t, 0, 2, SCORES).roles == ["number", "text", "unit", "mechanism", "deadline"]


def test_a_sentence_that_mentions_reja_is_not_a_header():
    t = table([*JON_HEADER, ["", "Режалаштирилаётган тадбирлар (машгулот) сони (Режа илова қилинади)", "сони", "Йил давомида"]])
    assert header_span(t, 1, SCORES) == 0


# The column roles of header cells as plans write them (the cases of normalize.match's former second
# classifier, match_column_role, which the parser never used: issue 16), through the parser's own.
@pytest.mark.parametrize("header,role", [
    ("№", "number"), ("Nomi", "text"), ("Бажариладиган ишларнинг мазмуни", "text"),
    ("Қилинадиган ишларнинг мазмуни", "text"), ("O'lchov birligi", "unit"), ("Ўлчов бирлиги", "unit"),
    ("Miqdori", "quantity"), ("2024- yil (fakt)", "fact"), ("2025- yil (reja)", "plan"),
    ("2021 йил режаси", "plan"), ("Amalga oshirish mexanizmi", "mechanism"),
    ("Ишлаб чиқариш механизми", "mechanism"), ("Bajarilish muddati", "deadline"), ("Mas'ullar", "responsible"),
    ("2019 йил (факт)", "fact"),  # another year, same role
])
def test_a_header_cell_names_its_role(header, role):
    found, score = classify_header(header, SCORES)
    assert found == role and score >= SCORES.match, (found, score)


@pytest.mark.parametrize("cell", ["Direktor, Xizmat rahbarlari", "1075", "", "Tadbir"])
def test_data_cells_name_no_role(cell):
    found, score = classify_header(cell, SCORES)
    assert found is None or score < SCORES.guess, (found, score)
