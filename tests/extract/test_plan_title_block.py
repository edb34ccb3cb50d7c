"""Title block (extract/title_block.py): signature blocks, dates, region/district, fallbacks."""

from reja.extract.plan import parse_plan
from reja.extract.title_block import Line, parse_title_block

from tests.extract.plan_fixtures import IZB_HEADER, doc, izb_row, para, table


def test_latin_title_block_in_a_layout_table():
    signatures = table([["“EL ISHLDI”\nAndijon viloyati\nmarkazi direktori\nIsmailova\n2025-yil 01",
                         "“TASDIQLAYMAN”\nIzboskan tuman axborot-kutubxona\nmarkazi direktori\nN.Burxonov\n2025-yil 06 yanvar"]])
    plan = parse_plan(doc(
        para("Izboskan tuman", bold=True), para("YILLIK ISH REJASI", bold=True), signatures,
        para("Izboskan tuman axborot-kutubxona markazining"), para("2025-yil uchun mo'ljallangan"), para("ISH REJASI"),
        table([*IZB_HEADER, izb_row("1.", "Bir")]),
        source="plan.docx",
    ))
    m = plan.meta
    assert (m.region, m.district, m.year) == ("Andijon viloyati", "Izboskan tumani", 2025)
    assert m.organisation == "Izboskan tuman axborot-kutubxona markazi"
    assert (m.approved_by, m.approved_date) == ("N.Burxonov", "2025-yil 06 yanvar")
    assert (m.agreed_by, m.agreed_date) == ("Ismailova", "2025-yil 01")
    assert m.title == "Izboskan tuman axborot-kutubxona markazining 2025-yil uchun mo'ljallangan ISH REJASI"
    assert m.flags == []


def test_cyrillic_title_block_with_blank_dates():
    lines = [Line(t) for t in [
        "“КЕЛИШИЛДИ”", "Бухоро вилояти ахборот-кутубхона", "маркази директори", " С. Шаропов", "20 йил “ ”",
        "“ТАСДИҚЛАЙМАН”", "Жондор тумани ахборот-", "кутубхона маркази директори", " Р.Халимов", "20 йил “ ”",
        "ЖОНДОР ТУМАН АХБОРОТ -КУТУБХОНА МАРКАЗИНИНГ", "2021 ЙИЛ РЕЖАСИ",
    ]]
    m = parse_title_block(lines, "jondor_2021.pdf")
    assert (m.region, m.district, m.year) == ("Бухоро вилояти", "Жондор тумани", 2021)
    assert (m.agreed_by, m.agreed_date) == ("С. Шаропов", None)
    assert (m.approved_by, m.approved_date) == ("Р.Халимов", None)
    assert m.organisation == "Жондор тумани ахборот-кутубхона маркази"


def test_cyrillic_date_with_quoted_day_is_kept_as_written():
    lines = [Line(t) for t in ["“ТАСДИҚЛАЙМАН”", "Жондор тумани АКМ директори", "Р.Халимов", "2022 йил “12” январь"]]
    m = parse_title_block(lines, "x.docx")
    assert m.approved_date == "2022 йил “12” январь"


def test_pdf_lines_side_by_side_are_put_back_into_their_blocks():
    left, right = (40, 120), (620, 790)
    rows = [("“KELISHILDI”", "“TASDIQLAYMAN”"), ("Andijon viloyati", "Izboskan tuman axborot-kutubxona"),
            ("markazi direktori", "markazi direktori"), ("Ismailova", "N.Burxonov"),
            ("2025-yil 01", "2025-yil 06 yanvar")]
    lines = []
    for k, (a, b) in enumerate(rows):
        top = 40 + 16 * k
        lines.append(Line(a, (left[0], top, left[1], top + 12), 2))
        lines.append(Line(b, (right[0], top, right[1], top + 12), 2))
    m = parse_title_block(lines, "izboskan_2025.pdf")
    assert (m.agreed_by, m.agreed_date, m.region) == ("Ismailova", "2025-yil 01", "Andijon viloyati")
    assert (m.approved_by, m.approved_date) == ("N.Burxonov", "2025-yil 06 yanvar")
    assert m.organisation == "Izboskan tuman axborot-kutubxona markazi"


def test_missing_title_block_falls_back_to_the_file_name_and_flags():
    m = parse_title_block([], "izboskan_2025.docx")
    assert m.year == 2025 and m.district == "Izboskan tumani"  # the gazetteer's name of the place
    assert "meta_missing: year (taken from the file name)" in m.flags
    assert "meta_missing: district (taken from the file name: Izboskan tumani)" in m.flags
    assert {"meta_missing: region", "meta_missing: approved_by", "meta_missing: agreed_by"} <= set(m.flags)


def test_a_file_name_is_a_place_only_when_it_names_a_gazetteer_place():
    generic = parse_title_block([], "Ish_rejasi_2025.docx")
    assert generic.year == 2025 and generic.district is None  # "Ish" is no district
    assert "meta_missing: district" in generic.flags
    city = parse_title_block([], "buxoro_shahar_2025.docx")
    assert city.district == "Buxoro shahri"  # the city, not Buxoro tumani
    assert parse_title_block([], "buxoro_tumani_2025.docx").district == "Buxoro tumani"


def test_a_city_centre_is_found_in_its_organisation_line():
    lines = [Line("TASDIQLAYMAN"), Line("Urganch shahar axborot-kutubxona markazi direktori"), Line("A.Karimov"),
             Line("2025-yil 5 yanvar"), Line("Urganch shahar axborot-kutubxona markazining 2025-yil ish rejasi")]
    m = parse_title_block(lines, "reja.docx")
    assert m.district == "Urganch shahri"
    assert not any(f.startswith("meta_missing: district") for f in m.flags)


def test_a_block_whose_keyword_ocr_lost_is_taken_from_the_layout():
    left, right = (160, 900), (2680, 3305)
    rows = [("\"КЕЛИШИЛДИ\"", None), ("Бухоро вилояти ахборот-кутубхона", "Жондор тумани ахборот-"),
            ("маркази директори", "кутубхона маркази директори"), ("С. Шаропов", "Р.Халимов"),
            ("20 йил\"\"", "20 ЙИЛ 66 3)")]
    lines = []
    for k, (a, b) in enumerate(rows):
        top = 150 + 60 * k
        lines.append(Line(a, (left[0], top, left[1], top + 45), 1))
        if b is not None:
            lines.append(Line(b, (right[0], top, right[1], top + 45), 1))
    lines.append(Line("2021 ЙИЛ РЕЖАСИ", (1500, 520, 2000, 560), 1))
    m = parse_title_block(lines, "jondor_2021_scan.pdf")
    assert (m.agreed_by, m.approved_by, m.approved_date) == ("С. Шаропов", "Р.Халимов", None)
    assert m.organisation == "Жондор тумани ахборот-кутубхона маркази"
    assert any(f.startswith("meta_missing: TASDIQLAYMAN") for f in m.flags)
    assert m.title == "2021 ЙИЛ РЕЖАСИ"


def test_keyword_and_text_on_one_line():
    lines = [Line(t) for t in ["TASDIQLAYMAN: Izboskan tuman AKM direktori", "N.Burxonov", "2025-yil 06 yanvar",
                               "Andijon viloyati Izboskan tumani AKM ning 2025-yil ISH REJASI"]]
    m = parse_title_block(lines, "x.docx")
    assert (m.approved_by, m.approved_date, m.year) == ("N.Burxonov", "2025-yil 06 yanvar", 2025)
    assert (m.region, m.district) == ("Andijon viloyati", "Izboskan tumani")


def test_numeric_date():
    m = parse_title_block([Line(t) for t in ["“TASDIQLAYMAN”", "Direktor", "N.Burxonov", "06.01.2025"]], "x.docx")
    assert (m.approved_by, m.approved_date) == ("N.Burxonov", "06.01.2025")


def test_a_district_of_two_words_is_read_whole():
    # "Шароф Рашидов тумани" (Jizzax) and "Mirzo Ulugʻbek tumani" (Toshkent shahri) are one name each;
    # "Рашидов тумани" alone names no place, so the plan would lose its district
    lines = [Line("ТАСДИҚЛАЙМАН"), Line("Шароф Рашидов тумани ахборот-кутубхона маркази директори"),
             Line("М.Исмоилова"), Line("2026 йил 6 январь"), Line("Жиззах вилояти"),
             Line("2026 ЙИЛГА МЎЛЖАЛЛАНГАН ЙИЛЛИК ИШ РЕЖАСИ")]
    m = parse_title_block(lines, "reja.docx")
    assert (m.region, m.district) == ("Жиззах вилояти", "Шароф Рашидов тумани")
    lines = [Line("TASDIQLAYMAN"), Line("Toshkent shahri Mirzo Ulugʻbek tumani AKM direktori"), Line("A.Karimov"),
             Line("2025-yil 5 yanvar"), Line("2025-yil uchun ISH REJASI")]
    assert parse_title_block(lines, "reja.docx").district == "Mirzo Ulugʻbek tumani"  # "shahri" is no name word
