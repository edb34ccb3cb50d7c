"""Item rows (extract/items.py): numbers, sub-items, page-break stitching, stacked values, values."""

from reja.extract.items import named_parts
from reja.extract.plan import parse_plan

from tests.extract.plan_fixtures import IZB_HEADER, JON_HEADER, C, doc, izb_row, izb_section, para, table


def _izb(*rows, source="izboskan_2025.docx"):
    return parse_plan(doc(table([*IZB_HEADER, izb_section("IV. ASOSIY FAOLIYAT"), *rows]), source=source))


def _by_text(plan, text):
    return next(i for i in plan.items if i.text == text)


def test_item_numbers_lose_the_trailing_dot():
    plan = _izb(izb_row("1.", "Bir"), izb_row("9", "To'qqiz"), izb_row("9.1.", "Majburiy"), izb_row("26.1", "Xavfsizlik"))
    assert [i.item_no for i in plan.items] == ["1", "9", "9.1", "26.1"]
    assert plan.items[3].parent_item_no is None  # no item 26 in this plan


def test_shundan_label_row_then_numbered_sub_items():
    plan = _izb(
        izb_row("9", "Fondlarni to'ldirish", fact="1075", plan="1750"),
        [C("Shundan,", colspan=2), "", "", "", "", "", ""],
        izb_row("9.1.", "Majburiy nusxa", fact="0", plan="0"),
        izb_row("9.2.", "Xarid qilish orqali", fact="845", plan="1500"),
        izb_row("9.3.", "Kitob almashinuvi asosida"),
        izb_row("9.4.", "Sovg'a tariqasida"),
        izb_row("10.", "Bibliografik yozuv yaratish"),
    )
    assert [i.item_no for i in plan.items] == ["9", "9.1", "9.2", "9.3", "9.4", "10"]
    assert [i.parent_item_no for i in plan.items] == [None, "9", "9", "9", "9", None]
    assert all("Shundan" not in i.text for i in plan.items)


def test_bundan_in_the_number_column_makes_sub_items():
    rows = [*JON_HEADER, [C("1. Ҳужжатларни комплектлаш", colspan=4)],
            ["1.2", "Сотиб олинган китоб, журнал, газеталарнинг жами:", "ном/нусха", "Ҳар чорак"],
            ["Бундан", "Китоблар ва китоб маҳсулотлари", "ном/нусха", ""],
            ["", "журналлар", "ном/нусха", ""],
            ["", "газеталар", "ном/нусха", ""],
            ["1.3", "Мажбурий нусхалар жами:", "номда/нусха", ""]]
    plan = parse_plan(doc(table(rows)))
    got = [(i.item_no, i.parent_item_no, i.text) for i in plan.items]
    assert got == [
        ("1.2", None, "Сотиб олинган китоб, журнал, газеталарнинг жами:"),
        (None, "1.2", "Китоблар ва китоб маҳсулотлари"),
        (None, "1.2", "журналлар"),
        (None, "1.2", "газеталар"),
        ("1.3", None, "Мажбурий нусхалар жами:"),
    ]
    assert not any("stitched_row" in i.flags for i in plan.items)


def test_stacked_values_split_into_named_sub_items():
    # Izboskan 9.4: "230 40" / "190" — the continuation row after the page break brings the third number
    plan = _izb(
        izb_row("9", "Fondlarni to'ldirish"),
        ["9.4.", "Sovg‘a tariqasida: Jismoniy shaxslar;", "Nusxa", "230\n40", "250\n50", "Dalolatnoma asosida",
         "2025-yil", "Direktor, Fondlarni"],
        ["", "Yuridik shaxslar", "", "190", "200", "", "davomida", "to'ldirish xizmati"],
    )
    parent, first, second = plan.items[1:]
    assert (parent.item_no, parent.text, parent.fact_raw, parent.fact_value, parent.plan_value) == (
        "9.4", "Sovg‘a tariqasida", "230", 230, 250)
    assert parent.deadline == "2025-yil davomida" and parent.responsible == "Direktor, Fondlarni to'ldirish xizmati"
    assert "stitched_row" in parent.flags
    assert (first.item_no, first.parent_item_no, first.text, first.fact_value, first.plan_value) == (
        None, "9.4", "Jismoniy shaxslar", 40, 50)
    assert (second.text, second.fact_raw, second.fact_value, second.plan_value) == ("Yuridik shaxslar", "190", 190, 200)
    assert (second.unit, second.mechanism, second.deadline) == ("Nusxa", "Dalolatnoma asosida", "2025-yil davomida")


def test_stacked_values_with_a_dashed_list_in_the_text():
    plan = _izb(izb_row("13.", "Foydalanuvchilarni ro'yxatga olish:\n- yangi;\n- qayta", unit="Nafar",
                        fact="13862\n390\n3541", plan="12009\n410\n573"))
    assert [(i.text, i.fact_value, i.plan_value) for i in plan.items] == [
        ("Foydalanuvchilarni ro'yxatga olish", 13862, 12009), ("yangi", 390, 410), ("qayta", 3541, 573)]
    assert [i.parent_item_no for i in plan.items] == [None, "13", "13"]


def test_stacked_values_that_the_text_does_not_name_stay_unsplit_and_flagged():
    plan = _izb(izb_row("12.", "Bibliografik yozuvlar bilan ishlash.", fact="134\n4010", plan="248\n4620"))
    [item] = plan.items
    assert (item.fact_raw, item.fact_value, item.plan_raw, item.plan_value) == ("134 4010", None, "248 4620", None)
    assert any(f.startswith("stacked_values") for f in item.flags)


def test_named_parts():
    assert named_parts("Sovg‘a tariqasida: Jismoniy shaxslar;\nYuridik shaxslar") == (
        "Sovg‘a tariqasida", ["Jismoniy shaxslar", "Yuridik shaxslar"])
    assert named_parts("Tuman markazida bibliografik yozuvlar bilan ishlash.") is None


def test_row_broken_by_a_page_break_is_stitched_within_a_table():
    plan = _izb(
        ["3.", "Muassasalarga uslubiy va amaliy yordam", "Tadbir", "95", "100", "Og‘zaki - Kutubxona hujjatlarini",
         "2025-yil davomida", "Direktor"],
        ["", "berish", "", "", "", "tayyorlashda; - Katalog yuritishda", "", ""],
        izb_row("4.", "Hisobotlarni jamlash"),
    )
    first = plan.items[0]
    assert first.text == "Muassasalarga uslubiy va amaliy yordam berish"
    assert first.mechanism == "Og‘zaki - Kutubxona hujjatlarini tayyorlashda; - Katalog yuritishda"
    assert "stitched_row" in first.flags
    assert [i.item_no for i in plan.items] == ["3", "4"]


def test_row_broken_across_tables_on_consecutive_pages_is_stitched():
    page1 = table([*IZB_HEADER, izb_section("II. ILMIY-METODIK FAOLIYAT"),
                   ["21.", "Ma'lumotlar bazasini Respublika hamda", "Biblio-", "", "", "Vaqtli matbuot nashrlarining",
                    "2025-yil", "Direktor,"]], page=1)
    page2 = table([*IZB_HEADER,
                   ["", "chet ellarda chop etilgan hujjatlar asosida shakllantirish", "grafik yozuvlar", "1633", "2500",
                    "bibliografik yozuvlarini yaratish", "har chorakda", "Axborot-bibliografiya xizmati"],
                   izb_row("22.", "Ma'lumotlar bazasini tayyorlash")], page=2)
    plan = parse_plan(doc(page1, page2, fmt="pdf"))
    item = plan.items[0]
    assert item.text == "Ma'lumotlar bazasini Respublika hamda chet ellarda chop etilgan hujjatlar asosida shakllantirish"
    assert item.unit == "Bibliografik yozuvlar"
    assert (item.fact_value, item.plan_value) == (1633, 2500)
    assert item.responsible == "Direktor, Axborot-bibliografiya xizmati"
    assert (item.page, item.table_index, item.row_index) == (1, 0, 3)
    assert [i.item_no for i in plan.items] == ["21", "22"]


def test_values_dash_thousands_and_text():
    plan = _izb(izb_row("24.", "Erkin foydalanish", fact="-", plan="1 750"),
                izb_row("25.", "Bazani shakllantirish", fact="–", plan="II chorak"))
    a, b = plan.items
    assert (a.fact_raw, a.fact_value, a.plan_value) == ("-", None, 1750)
    assert not a.flags
    assert (b.fact_value, b.plan_raw, b.plan_value) == (None, "II chorak", None)
    assert any(f.startswith("unparsable_number") for f in b.flags)


def test_hyphenated_line_break_is_joined():
    plan = _izb(izb_row("2.", "O'zbekiston Respublikasi Prezidentining 2022-yil 28-\nyanvardagi farmoni",
                        unit="Biblio-\ngrafik yozuvlar"))
    assert plan.items[0].text == "O'zbekiston Respublikasi Prezidentining 2022-yil 28-yanvardagi farmoni"
    assert plan.items[0].unit == "Bibliografik yozuvlar"


def test_vertically_merged_deadline_reaches_every_row():
    rows = [*IZB_HEADER, izb_section("IV. FAOLIYAT"),
            ["9.1.", "Majburiy nusxa", "Nusxa", "0", "0", "Nashrlar asosida", C("2025-yil davomida", rowspan=2),
             C("Direktor", rowspan=2)],
            ["9.2.", "Xarid qilish orqali", "Nusxa", "845", "1500", "Shartnoma asosida", None, None]]
    plan = parse_plan(doc(table(rows)))
    assert [(i.deadline, i.responsible) for i in plan.items] == [("2025-yil davomida", "Direktor")] * 2


def test_duplicate_number_in_a_section_is_flagged_and_kept():
    rows = [*JON_HEADER, [C("IV. Статистика", colspan=4)],
            ["4.5", "Кундалик статистика", "", "Доимий"], ["4.5", "Вақтли нашрларни олиш", "", "Ҳар чорак"]]
    plan = parse_plan(doc(table(rows)))
    assert [i.item_no for i in plan.items] == ["4.5", "4.5"]
    assert all(any(f.startswith("duplicate_item_no") for f in i.flags) for i in plan.items)


def test_unnumbered_row_with_its_own_cells_is_an_item_flagged_no_item_no():
    rows = [*JON_HEADER, [C("IX. Фаолият", colspan=4)],
            ["9.6", "Библиографиялар тайёрлаш", "сони", "Ҳар чорак"],
            ["", "Вақтли матбуот мақолаларининг картотекаси", "Ном/библ. ёзув", "Ҳар чорак"]]
    plan = parse_plan(doc(table(rows)))
    assert len(plan.items) == 2
    assert plan.items[1].item_no is None and "no_item_no" in plan.items[1].flags


def test_provenance_on_pdf_cells():
    rows = [*JON_HEADER, [C("1. Бўлим", colspan=4)],
            [C("1.1", bbox=(10, 100, 30, 120)), C("Фонд", bbox=(30, 100, 200, 130)),
             C("ном", bbox=(200, 100, 260, 120)), C("Йил давомида", bbox=(260, 100, 330, 120))]]
    t = table(rows, page=3)
    t.cells[-1].confidence = 71.0
    t.cells[-2].confidence = 64.5
    plan = parse_plan(doc(t, fmt="pdf"))
    item = plan.items[0]
    assert (item.page, item.table_index, item.row_index) == (3, 0, 2)
    assert item.bbox == (10, 100, 330, 130)
    assert item.cell_boxes["text"] == (30, 100, 200, 130)
    assert item.ocr_confidence == 64.5


def test_items_before_any_section_are_flagged():
    plan = parse_plan(doc(para("Reja", bold=True), table([*IZB_HEADER, izb_row("1.", "Bir")])))
    assert "no_section" in plan.items[0].flags


def test_continuation_row_with_an_empty_text_cell_joins_the_item_above():
    # Izboskan 7: only the mechanism goes on after the page break
    plan = _izb(izb_row("7.", "Haftalikni o'tkazish", mech="1. Ishlarni tashkil qilish 2. Ma'lumot tayyorlash"),
                ["", "", "", "", "", "3. Viloyat markaziga taqdim etish", "", ""],
                izb_row("8.", "Kitobxonlik haftaligi"))
    assert [i.item_no for i in plan.items] == ["7", "8"]
    assert plan.items[0].mechanism == "1. Ishlarni tashkil qilish 2. Ma'lumot tayyorlash 3. Viloyat markaziga taqdim etish"
    assert "stitched_row" in plan.items[0].flags


def test_lower_case_rows_inside_a_table_are_items_not_continuations():
    # Jondor ХКА block: "журналлар сони" under "Шундан: китоблар сони" (the label shares its cell)
    rows = [*JON_HEADER, [C("1. Комплектлаш", colspan=4)],
            ["", "Шундан: китоблар сони", "", ""], ["", "журналлар сони", "", ""], ["", "газеталар сони", "", ""]]
    plan = parse_plan(doc(table(rows)))
    assert [i.text for i in plan.items] == ["Шундан: китоблар сони", "журналлар сони", "газеталар сони"]
    assert all(i.item_no is None and i.parent_item_no is None and "no_item_no" in i.flags for i in plan.items)


def test_page_start_row_with_a_capital_and_no_number_is_an_item():
    page1 = table([*JON_HEADER, [C("V. Хизмат", colspan=4)], ["5.12", "АКМ фаолиятининг ёритилиши", "жами сони", ""]])
    page2 = table([*JON_HEADER, ["", "ТВда", "сони", "Йил давомида"], ["", "кутубхонани хабардор этиш", "", ""]])
    plan = parse_plan(doc(page1, page2, fmt="pdf"))
    assert [i.text for i in plan.items] == ["АКМ фаолиятининг ёритилиши", "ТВда", "кутубхонани хабардор этиш"]
    assert "stitched_row" not in plan.items[0].flags


def test_page_start_rows_that_carry_on_are_stitched_even_in_a_merged_cell():
    page1 = table([*JON_HEADER, [C("V. Хизмат", colspan=4)], ["5.3", "Кўргазмалар: -виртуал кўргазмалар:", "сони", "Йил давомида"]])
    page2 = table([*JON_HEADER, [C("(Ёзувчи Омон Мухтор таваллудининг 80 йиллиги)", colspan=2), "", ""],
                   [C("5.4\nТадбирлар ўтказиш жами:", colspan=2), "", "Йил давомида"]])
    page3 = table([*JON_HEADER, ["", "-семинар ва тренинглар -экскурсия", "", ""]])
    plan = parse_plan(doc(page1, page2, page3, fmt="pdf"))
    assert [(i.item_no, i.text) for i in plan.items] == [
        ("5.3", "Кўргазмалар: -виртуал кўргазмалар: (Ёзувчи Омон Мухтор таваллудининг 80 йиллиги)"),
        ("5.4", "Тадбирлар ўтказиш жами: -семинар ва тренинглар -экскурсия"),
    ]
    assert all("stitched_row" in i.flags for i in plan.items)
    assert [s.level for s in plan.sections] == [1]  # the bracketed page-start row is no sub-section


def test_words_in_the_number_column():
    rows = [*JON_HEADER, [C("1. Комплектлаш", colspan=4)], ["1.5", "Рад жавоблари", "номда/нусха", "Ҳар чорак"],
            ["Халқаро китоб алмашуви (бошқа Республикалар билан) :", "", "Муддати", "Йил давомида"],
            ["ХКА (МКО)", "Ҳамкор ташкилотлар ва кутубхоналар сони", "", ""]]
    plan = parse_plan(doc(table(rows)))
    _, group, partners = plan.items
    assert (group.item_no, group.text, group.unit, group.deadline) == (
        None, "Халқаро китоб алмашуви (бошқа Республикалар билан) :", "Муддати", "Йил давомида")
    assert (partners.item_no, partners.parent_item_no, partners.text) == (None, None, "Ҳамкор ташкилотлар ва кутубхоналар сони")
    assert any(f.startswith("no_item_no") for f in partners.flags)


def test_number_and_words_in_the_number_cell_beside_a_text_cell():
    rows = [*JON_HEADER, [C("V. Хизмат", colspan=4)], ["5.4 Тадбирлар", "ўтказиш жами", "", "Йил давомида"]]
    [item] = parse_plan(doc(table(rows))).items
    assert (item.item_no, item.text, item.flags) == ("5.4", "Тадбирлар ўтказиш жами", [])


def test_doubtful_numbers_low_ocr_confidence_and_reader_notes_become_flags():
    t = table([*IZB_HEADER, izb_section("IV. FAOLIYAT"), izb_row("14.", "Qatnov hisobi", fact="230 400", plan="60000")])
    number_cell = next(c for c in t.cells if c.text == "14.")
    number_cell.confidence, number_cell.notes = 41.0, ["item_no_rebuilt: A. → 14"]
    [item] = parse_plan(doc(t, fmt="scan")).items
    assert item.fact_value == 230400 and any(f.startswith("unsure_number") for f in item.flags)
    assert item.ocr_confidence == 41.0 and "low_ocr_confidence: 41" in item.flags
    assert "item_no_rebuilt: A. → 14" in item.flags


def test_shundan_row_beside_a_deadline_merged_down_over_the_parts():
    # the total's deadline and responsible cells merged down over the label and its parts (xlsx_merged):
    # the merged text belongs to the row above, so "Shundan:" is still a label row alone
    plan = parse_plan(doc(table([
        *IZB_HEADER, izb_section("IV. OAV BILAN ISHLASH"),
        ["15.", "OAVda chiqishlar", "chiqish", "47", "56", "Ma'lumot", C("I chorak", rowspan=4), C("Metodist", rowspan=4)],
        ["", "Shundan:", "", "", "", "", None, None],
        ["", "Matbuotda", "chiqish", "25", "30", "", None, None],
        ["", "Radio orqali", "marta", "8", "10", "", None, None],
    ])))
    assert [(i.item_no, i.parent_item_no, i.text) for i in plan.items] == [
        ("15", None, "OAVda chiqishlar"), (None, "15", "Matbuotda"), (None, "15", "Radio orqali")]


def test_labels_in_2026_latin_and_wrapped_inside_a_narrow_number_cell():
    plan = _izb(
        izb_row("9", "Fondlarni toldiriş", fact="1075", plan="1750"),
        ["", "Şundan,", "", "", "", "", "", ""],  # 2026 Latin ş: the label "Shundan,"
        izb_row("", "Xarid qiliş orqali", fact="845", plan="1500"),
        izb_row("10.", "OAVda çiqişlar", fact="12", plan="16"),
        izb_row("Şu jum\nladan:", "Radio orqali", fact="3", plan="4"),  # the № cell wrapped the label's words
    )
    assert [(i.item_no, i.parent_item_no, i.text) for i in plan.items] == [
        ("9", None, "Fondlarni toldiriş"), (None, "9", "Xarid qiliş orqali"),
        ("10", None, "OAVda çiqişlar"), (None, "10", "Radio orqali")]


def test_a_header_in_2026_latin_letters_names_its_columns():
    plan = parse_plan(doc(table([
        ["T/r", "Tadbirlar nomi", "Ölç. bir.", "2025-yil reja", "Bajariliş muddati", "Masʼullar"],
        [C("I. OMMAVIY TADBIRLAR", colspan=6)],
        ["1.", "Kitob körgazmasi", "tadbir", "12", "Yil davomida", "Direktor"],
    ])))
    item = plan.items[0]
    assert (item.text, item.unit, item.plan_value, item.deadline) == ("Kitob körgazmasi", "tadbir", 12, "Yil davomida")


def test_a_number_wrapped_in_a_narrow_cell_is_one_number():
    # as typed on one line: "25 048" and "11 486" (the PDF wrapped them inside a narrow value column);
    # "230\n40" joins into no groups of three: stacked values, kept raw
    plan = _izb(izb_row("4.", "Kitobxonlar qatnovi", fact="25\n048", plan="11 48\n6"),
                izb_row("5.", "Kitob berish", fact="230\n40", plan="1 750"))
    first, second = plan.items
    assert (first.fact_value, first.plan_value) == (25048, 11486)
    assert any(f.startswith("unsure_number: fact") for f in first.flags)
    assert (second.fact_value, second.plan_value) == (None, 1750)
    assert any(f.startswith("stacked_values: fact") for f in second.flags)
