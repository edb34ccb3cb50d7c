"""Section headings (extract/sections.py) and how items get their section."""

from reja.extract.plan import parse_plan
from reja.extract.sections import parse_heading, roman_value

from tests.extract.plan_fixtures import IZB_HEADER, JON_HEADER, C, doc, izb_row, izb_section, para, table


def test_roman_numbers_with_cyrillic_lookalikes():
    assert roman_value("VI") == 6
    assert roman_value("Х") == 10  # Cyrillic Ha typed for ten
    assert roman_value("IIII") is None
    h = parse_heading("Х. Электрон кутубхона фаолияти")
    assert (h.number, h.title, h.level) == ("Х", "Электрон кутубхона фаолияти", 1)


def test_section_row_spanning_the_table():
    plan = parse_plan(doc(table([*IZB_HEADER, izb_section("II. ILMIY-METODIK FAOLIYAT"), izb_row("1.", "Qo'llanma")])))
    assert [(s.number, s.title) for s in plan.sections] == [("II", "ILMIY-METODIK FAOLIYAT")]
    item = plan.items[0]
    assert (item.section_no, item.section_title, item.item_no) == ("II", "ILMIY-METODIK FAOLIYAT", "1")
    assert "no_section" not in item.flags


def test_section_row_with_only_the_first_cell_filled():
    rows = [*JON_HEADER, ["III. Маълумотнома-библиографик фаолият", "", "", ""], ["3.1", "Сўровлар", "сон", "Ҳар чорак"]]
    plan = parse_plan(doc(table(rows)))
    assert plan.sections[0].number == "III"
    assert plan.items[0].section_no == "III"


def test_item_row_is_not_a_section():
    plan = parse_plan(doc(table([*JON_HEADER, ["1.", "Ҳужжатларни бутлаш", "ном", "Йил давомида"]])))
    assert plan.sections == []
    assert plan.items[0].item_no == "1"
    assert "no_section" in plan.items[0].flags


def test_paragraph_heading_between_tables_with_italic_department_line():
    first = table([*JON_HEADER, [C("V. Хизмат кўрсатиш", colspan=4)], ["5.1", "Қатнов", "сон", "Йил давомида"]])
    heading = para("VI. Фонд билан ишлаш (шу жумладан нодир нашрлар)", bold=True)
    dept = para("Ахборот ва кутубхоначилик ҳужжатларини сақлаш хизмати", italic=True)
    second = table([*JON_HEADER, ["6.1", "Янги нашрларни қабул қилиш", "нусха", "Йил давомида"]])
    plan = parse_plan(doc(first, heading, dept, second))
    six = plan.sections[-1]
    assert (six.number, six.title) == ("VI", "Фонд билан ишлаш (шу жумладан нодир нашрлар)")
    assert six.responsible == "Ахборот ва кутубхоначилик ҳужжатларини сақлаш хизмати"
    assert plan.items[-1].section_no == "VI"


def test_department_on_the_second_line_of_a_section_row():
    row = [C("1. Ҳужжатларни комплектлаш ва ҳисобга олиш\nФондларни тўлдириш ва уларга ишлов бериш хизмати", colspan=4)]
    plan = parse_plan(doc(table([*JON_HEADER, row, ["1.2", "Обуна", "ном/нусха", "Ҳар чорак"]])))
    s = plan.sections[0]
    assert (s.number, s.title) == ("1", "Ҳужжатларни комплектлаш ва ҳисобга олиш")
    assert s.responsible == "Фондларни тўлдириш ва уларга ишлов бериш хизмати"


def test_subsection_row_sets_subsection_title_and_keeps_section():
    rows = [*JON_HEADER, [C("1. Ҳужжатларни комплектлаш", colspan=4)],
            [C("1.1. Ҳужжатларни бутлаш ва рўйхатга олиш", colspan=4)],
            ["1.1", "Умумий фонд жами", "ном/нусха", "Йил давомида"]]
    plan = parse_plan(doc(table(rows)))
    item = plan.items[0]
    assert item.section_no == "1"
    assert item.subsection_title is not None and "Ҳужжатларни бутлаш ва рўйхатга олиш" in item.subsection_title
    assert [s.level for s in plan.sections] == [1, 2]
    # 1.1 only extends the section number, so it has no parent item
    assert item.parent_item_no is None


def test_numbering_restarts_per_section_without_duplicates():
    rows = [*IZB_HEADER, izb_section("I. BIRINCHI"), izb_row("1.", "Bir"), izb_section("II. IKKINCHI"), izb_row("1.", "Ikki")]
    plan = parse_plan(doc(table(rows)))
    assert [(i.section_no, i.item_no) for i in plan.items] == [("I", "1"), ("II", "1")]
    assert not any("duplicate_item_no" in f for i in plan.items for f in i.flags)


def test_unnumbered_row_across_the_table_is_a_subsection_until_the_next_section():
    rows = [*JON_HEADER, [C("V. Хизмат кўрсатиш", colspan=4)], ["5.13", "Китобхонлар клуби", "сони", "Йил давомида"],
            [C("(Электрон буюртмаларни мувофиқлаштириш)", colspan=4, bold=True)],
            ["5.14", "Электрон буюртмалар сони", "сони", "Йил давомида"],
            [C("VI. Фонд билан ишлаш", colspan=4)], ["6.1", "Нашрларни қабул қилиш", "нусха", "Йил давомида"]]
    plan = parse_plan(doc(table(rows)))
    assert [(i.item_no, i.section_no, i.subsection_title) for i in plan.items] == [
        ("5.13", "V", None), ("5.14", "V", "(Электрон буюртмаларни мувофиқлаштириш)"), ("6.1", "VI", None)]


def test_unnumbered_paragraph_between_tables_is_a_subsection():
    first = table([*JON_HEADER, [C("V. Хизмат", colspan=4)], ["5.19", "Делегациялар билан ишлаш", "", "Йил давомида"]])
    sector = para("Электрон ресурслар ва улардан фойдаланиш зали сектори", bold=True)
    second = table([["", "Қилинадиган ишларнинг мазмуни", "Ўлчов бирлиги", "2021 йил режаси", "Бажарилиш муддати"],
                    ["5.21", "Маълумотларни тўплаш", "номда", "", "Йил давомида"]])
    plan = parse_plan(doc(first, sector, second))
    last = plan.items[-1]
    assert (last.section_no, last.subsection_title) == ("V", "Электрон ресурслар ва улардан фойдаланиш зали сектори")
    assert (last.plan_year, last.plan_value) == (2021, None)


def test_items_take_the_section_department_when_the_table_has_no_responsible_column():
    row = [C("II. Каталоглаштириш\nКаталоглаштириш бўлими", colspan=4)]
    plan = parse_plan(doc(table([*JON_HEADER, row, ["2.1", "Ёзувлар яратиш", "сон", "Йил давомида"]]),
                          para("VII. Илмий-методик фаолият", bold=True),
                          table([*JON_HEADER, ["7.1", "Мониторинг", "", "Ҳар чоракда"]])))
    assert [(i.item_no, i.responsible) for i in plan.items] == [("2.1", "Каталоглаштириш бўлими"), ("7.1", None)]


def test_heading_paragraph_wrapped_onto_a_second_paragraph_and_a_trailing_signature():
    first = table([*JON_HEADER, [C("V. Хизмат", colspan=4)], ["5.1", "Қатнов", "сон", "Йил давомида"]])
    plan = parse_plan(doc(first, para("VI. Фонд билан ишлаш", bold=True),
                          para("(шу жумладан нодир нашрлар)", bold=True),
                          para("Ахборот ва кутубхоначилик ҳужжатларини сақлаш хизмати", italic=True),
                          table([*JON_HEADER, ["6.1", "Қабул қилиш", "нусха", "Йил давомида"]]),
                          para("Директор Р.Халимов")))
    six = plan.sections[-1]
    assert (six.number, six.title, six.responsible) == (
        "VI", "Фонд билан ишлаш (шу жумладан нодир нашрлар)", "Ахборот ва кутубхоначилик ҳужжатларини сақлаш хизмати")
    assert plan.items[-1].section_title == "Фонд билан ишлаш (шу жумладан нодир нашрлар)"
    assert all(s.title != "Директор Р.Халимов" for s in plan.sections)


def test_heading_paragraph_with_its_department_on_a_second_line():
    plan = parse_plan(doc(para("VI. Фонд билан ишлаш\nАхборот ва кутубхоначилик ҳужжатларини сақлаш хизмати", bold=True),
                          table([*JON_HEADER, ["6.1", "Қабул қилиш", "нусха", "Йил давомида"]])))
    assert (plan.sections[0].title, plan.sections[0].responsible) == (
        "Фонд билан ишлаш", "Ахборот ва кутубхоначилик ҳужжатларини сақлаш хизмати")
    assert plan.items[0].responsible == "Ахборот ва кутубхоначилик ҳужжатларини сақлаш хизмати"


def test_scanned_roman_numbers_that_ocr_garbled_are_repaired_in_sequence_and_flagged():
    rows = [*JON_HEADER, [C("II. Каталоглаштириш", colspan=4)], ["2.1", "Ёзувлар", "сон", "Йил давомида"],
            [C("М. Фойдаланувчиларга хизмат кўрсатиш", colspan=4)], ["5.1", "Қатнов", "сон", "Йил давомида"]]
    scanned = doc(table(rows), para("УШ. Малака ошириш ишлари"), table([*JON_HEADER, ["8.1", "Ўқишлар", "", ""]]),
                  fmt="scan")
    plan = parse_plan(scanned)
    assert [s.number for s in plan.sections] == ["II", "V", "VIII"]
    assert [i.section_no for i in plan.items] == ["II", "V", "VIII"]
    assert "section_review: heading number read as 'М', taken as V" in plan.items[1].flags
    # a typed document is never "repaired": there "М." is a sub-section line
    typed = parse_plan(doc(table(rows)))
    assert [s.number for s in typed.sections] == ["II", None]
