"""Phone-photo tables (issue 18), on hand-built pixels and cells (no OCR run): a column ruling that
wanders a little still separates its cells; a continuation page's number columns are checked without
a header; a misread "№" header does not lose the item numbers."""

from __future__ import annotations

import numpy as np
from reja.extract.header import header_span, roles_from_header
from reja.extract.plan import parse_plan
from reja.extract.scan import page as page_mod
from reja.extract.scan.grid import find_grids
from reja.extract.scan.numbers import content_kinds
from reja.extract.scan.settings import load_settings
from reja.extract.settings import load_parse_settings

from tests.extract.plan_fixtures import doc, table

SCORES = load_parse_settings().header


def _ruled_page(header_x: int) -> np.ndarray:
    """A 300 dpi table: a header row over four body rows, three columns. The first inner ruling stands
    at x=100 in the body (broken twice, as a photo's ruling often is) and at `header_x` in the header."""
    img = np.zeros((620, 1060), np.uint8)
    ys = [50, 150, 250, 350, 450, 550]
    for y in ys:
        img[y - 1 : y + 2, 50:1001] = 255
    for x in (50, 500, 1000):
        img[49:552, x - 1 : x + 2] = 255
    img[49:151, header_x - 1 : header_x + 2] = 255  # the header's part of the ruling
    img[150:300, 99:102] = 255  # the body's part, with gaps of 30 px (a fold, a glare)
    img[330:420, 99:102] = 255
    img[450:552, 99:102] = 255
    return img


def _header_cells(grid) -> list[tuple[int, int]]:
    return [(c.col, c.colspan) for c in grid.cells if c.row == 0]


def test_a_header_ruling_a_little_beside_the_bodys_still_separates_the_header_cells():
    # In a photo (a little perspective left, the paper not flat) the "№" column's ruling stood 8-12 px
    # beside its body part in the header (its segments' mean, where the ruling is looked for, lies with the body's); the header cells "T/r | Mazmuni" were merged into one and the
    # item numbers were lost (variety photo_docx 1003: 0/4 items).
    grids, _lines = find_grids(_ruled_page(header_x=111), 300)
    assert len(grids) == 1
    assert grids[0].n_cols == 3
    assert _header_cells(grids[0]) == [(0, 1), (1, 1), (2, 1)]


def test_a_header_cell_without_a_ruling_stays_merged():
    img = _ruled_page(header_x=111)
    img[49:151, 108:115] = 0  # no ruling in the header at all: a merged header cell, as drawn
    grids, _lines = find_grids(img, 300)
    assert _header_cells(grids[0]) == [(0, 2), (2, 1)]


def test_a_first_column_of_item_numbers_is_the_number_column_even_when_its_header_is_misread():
    t = table([["Ир", "Мазмуни", "Ўлчов бирлиги", "2025 йил (факт)", "2026 йил режаси"],
               ["1.", "Китобхонлик ҳафталигини ўтказиш", "марта", "7", "8"],
               ["2.", "Маҳаллаларда кўчма кутубхона ташкил этиш", "тадбир", "52", "57"]])
    roles = roles_from_header(t, 0, header_span(t, 0, SCORES), SCORES)
    assert roles.roles[0] == "number"
    assert "item numbers" in (roles.doubt or "")
    plan = parse_plan(doc(t))
    assert [i.item_no for i in plan.items] == ["1", "2"]
    assert all(any(f.startswith("column_review") for f in i.flags) for i in plan.items)


def test_a_first_column_of_words_is_not_taken_as_item_numbers():
    t = table([["Ир", "Мазмуни", "Ўлчов бирлиги", "2025 йил (факт)", "2026 йил режаси"],
               ["Бўлим", "Китобхонлик ҳафталигини ўтказиш", "марта", "7", "8"],
               ["Бўлим", "Маҳаллаларда кўчма кутубхона ташкил этиш", "тадбир", "52", "57"]])
    roles = roles_from_header(t, 0, header_span(t, 0, SCORES), SCORES)
    assert roles.roles[0] != "number"


def _cell(row: int, col: int, text: str, conf: float = 95.0) -> dict:
    return {"row": row, "col": col, "rowspan": 1, "colspan": 1, "text": text, "bbox": [col * 100, row * 50,
            col * 100 + 90, row * 50 + 40], "confidence": conf, "notes": []}  # fmt: skip


def _continuation() -> list[dict]:
    rows = [("3.", "Фонд сақланадиган хоналарда", "та", "12", "01.03.2026"),
            ("4.", "Вақтли матбуот нашрларини муқовалаш", "нусха", "1O", "15.04.2026"),
            ("5.", "Фондларни хатловдан ўтказиш", "нусха", "9582", "Йил давомида")]
    return [_cell(r, c, text) for r, row in enumerate(rows) for c, text in enumerate(row)]


def test_a_continuation_pages_number_columns_are_known_from_their_cells():
    kinds = content_kinds(_continuation(), 5, load_settings())
    assert kinds == {0: "item_no", 3: "value"}  # not the unit words, not the dates


def test_a_continuation_pages_value_cells_are_digit_checked(monkeypatch):
    # Before: a table without a header row had no number columns, so its value cells were never
    # re-read with digits only and a misread "1O" went to the parser unflagged by the OCR check.
    cells = _continuation()
    read = []

    def digits_only(ocr_img, ink, box, lang, whitelist, dpi):
        read.append(tuple(box))
        return "18", 96.0

    monkeypatch.setattr(page_mod, "_read_digits", digits_only)
    page_mod.recheck_numbers(cells, 3, 5, None, None, "uzb_cyrl", load_settings(), 300, SCORES)
    misread = next(c for c in cells if c["row"] == 1 and c["col"] == 3)
    assert misread["text"] == "18"
    assert any(n.startswith("ocr_number") for n in misread["notes"])  # "1O" and "18" disagree: said
    assert read == [tuple(misread["bbox"])]  # the sure cells are not read again


def test_components_match_opencvs_and_fall_back_when_16_bit_labels_do_not_fit():
    import cv2
    from reja.extract.scan.components import components

    rng = np.random.default_rng(18)
    page = ((rng.random((400, 600)) > 0.97) * 255).astype(np.uint8)
    page = cv2.dilate(page, np.ones((3, 3), np.uint8))
    n, labels, stats, _ = components(page)
    n32, labels32, stats32, _ = cv2.connectedComponentsWithStats(page, connectivity=8)
    assert n == n32 and (stats == stats32).all() and (labels.astype(np.int32) == labels32).all()
    dust = np.zeros((600, 600), np.uint8)
    dust[::2, ::2] = 255  # 90,000 single pixels: more components than 16 bits can label
    n, labels, _stats, _ = components(dust)
    assert n == 90_001 and labels.max() == 90_000


def _numbers_rechecked(monkeypatch, rows, digits_read: str) -> dict:
    """The header table's cells after recheck_numbers, by (row, col); a digits-only re-read gives `digits_read`."""
    cells = [_cell(r, c, text) for r, row in enumerate(rows) for c, text in enumerate(row)]
    monkeypatch.setattr(page_mod, "_read_digits", lambda *a: (digits_read, 91.0))
    page_mod.recheck_numbers(cells, 3, 5, None, None, "uzb", load_settings(), 300, SCORES)
    return {(c["row"], c["col"]): c for c in cells}


def test_a_number_cell_of_several_lines_is_kept_line_by_line(monkeypatch):
    """Several rows in one cell (a lost ruling, sub-items without rulings): each line is a number and
    the parser splits them into rows. Before, the cell was re-read as ONE line of digits and a stray
    mark cleaned away: "22\\n17\\n3\\n2" became "7" (variety scan 1006, plan values lost)."""
    rows = [("T/r", "Amalga oshiriladigan ishlar", "O'lchov birligi", "2023 yil amalda", "2024 yil reja"),
            ("1.", "Kitob ko'rgazmalari", "marta", "16\n13\n2\n1", "22\n17\n3\n2"),
            ("2.", "Davra suhbatlari", "marta", "4", "5\nI7")]
    by_pos = _numbers_rechecked(monkeypatch, rows, ". 7")
    for pos, text in (((1, 3), "16\n13\n2\n1"), ((1, 4), "22\n17\n3\n2")):
        assert by_pos[pos]["text"] == text and by_pos[pos]["notes"] == []
    bad = by_pos[(2, 4)]  # one of its lines is no number: kept as read, and flagged
    assert bad["text"] == "5\nI7" and any(n.startswith("ocr_number") for n in bad["notes"])


def test_a_speck_beside_one_lines_digits_is_dropped_and_said(monkeypatch):
    """"16," in a value cell of four lines (variety scan 1039: sub-items "Телевидение; Матбуотда; Радио"
    under one item, values stacked): the line is no number, so the parser kept the cell unsplit and the
    four rows lost their values. The mark after the digits is dropped (as a lone mark is in a one-line
    cell) and the doubt said; a line with a letter in it still leaves the cell as read."""
    rows = [("T/r", "Amalga oshiriladigan ishlar", "O'lchov birligi", "2025 yil amalda", "2026 yil reja"),
            ("1.", "OAVda chiqishlar", "marta", "34\n14\n16,\n4", "40\n16\n18\n6"),
            ("2.", "Davra suhbatlari", "marta", "4", "5\nI7.")]
    by_pos = _numbers_rechecked(monkeypatch, rows, "7")
    fixed = by_pos[(1, 3)]
    assert fixed["text"] == "34\n14\n16\n4"
    assert [n.split(":")[0] for n in fixed["notes"]] == ["ocr_number"]
    assert by_pos[(1, 4)]["text"] == "40\n16\n18\n6" and by_pos[(1, 4)]["notes"] == []
    bad = by_pos[(2, 4)]
    assert bad["text"] == "5\nI7." and any(n.startswith("ocr_number") for n in bad["notes"])


def test_an_empty_value_cell_is_not_filled_by_an_unsure_digits_only_reading(monkeypatch):
    """Ink in an empty fact cell (a speck, a ruling's edge), nothing read by the model, and an unsure
    digits-only reading '129' (variety photo_jpeg 1033; '3', '4', '5' in photo_pdf 1015, 1017, photo_jpeg
    1002): the value stays empty, and the cell says what the digits-only reading was. An item number read
    so is still taken (its neighbours check it later)."""
    rows = [("T/r", "Amalga oshiriladigan ishlar", "O'lchov birligi", "2025 yil amalda", "2026 yil reja"),
            ("", "Kitob ko'rgazmalari", "marta", "", "266")]
    cells = [_cell(r, c, text) for r, row in enumerate(rows) for c, text in enumerate(row)]
    for c in cells:
        if c["row"] == 1 and c["col"] in (0, 3):
            c["confidence"] = 0.0  # ink in the cell, nothing read
    monkeypatch.setattr(page_mod, "_read_digits", lambda *a: ("129", 40.0))
    blank = np.zeros((200, 600), np.uint8)  # the ink mask: no shape to read either
    page_mod.recheck_numbers(cells, 2, 5, None, blank, "uzb", load_settings(), 300, SCORES)
    by_pos = {(c["row"], c["col"]): c for c in cells}
    fact = by_pos[(1, 3)]
    assert fact["text"] == "" and any(n.startswith("ocr_number") and "'129'" in n for n in fact["notes"])
    assert by_pos[(1, 4)]["text"] == "266"
    assert by_pos[(1, 0)]["text"] == "129"  # item number: taken, with its doubt


def _drawn_value_cells(texts: list[str]) -> tuple[list[dict], np.ndarray]:
    """A header and one body row a text, the fact column holding `texts` drawn at 300 dpi (12 pt serif),
    the plan column "12"; the cells as the model read them (the fact cells: nothing), and the ink mask."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf", 50)
    rows = [("T/r", "Amalga oshiriladigan ishlar", "O'lchov birligi", "2025 yil amalda", "2026 yil reja")]
    rows += [(f"{k + 1}.", "Kitob ko'rgazmalari", "marta", "", "12") for k in range(len(texts))]
    img = Image.new("L", (500, 100 * len(rows)), 255)
    draw = ImageDraw.Draw(img)
    cells = [_cell(r, c, text) for r, row in enumerate(rows) for c, text in enumerate(row)]
    for c in cells:
        c["bbox"] = [c["col"] * 100, c["row"] * 100, c["col"] * 100 + 100, c["row"] * 100 + 100]
        if c["row"] and c["col"] == 4:
            draw.text((c["bbox"][0] + 20, c["bbox"][1] + 20), "12", font=font, fill=0)
        if c["row"] and c["col"] == 3:
            draw.text((c["bbox"][0] + 30, c["bbox"][1] + 20), texts[c["row"] - 1], font=font, fill=0)
            c["confidence"] = 0.0  # ink in the cell, nothing read
            c["notes"] = ["low_ocr_confidence: ink in the cell but nothing read"]
    ink = (np.asarray(img) < 128).astype(np.uint8) * 255
    ink[:100] = 0  # the header's words are not drawn
    return cells, ink


def test_a_lone_one_or_a_dash_the_model_missed_is_read_from_its_shape(monkeypatch):
    """A lone "1" in a value cell is missed by the model and by the digits-only reading (variety photo_jpeg
    1035, photo_docx 1004: the fact 1 became no value); a typed dash is read as nothing or as a "-" at
    confidence 0, and the cell was flagged though no value is right. By their shapes: the 1 is taken and
    said (ocr_number), the dash taken as no value without a doubt; a blot that is neither stays unread."""
    cells, ink = _drawn_value_cells(["1", "–", "8"])
    monkeypatch.setattr(page_mod, "_read_digits", lambda *a: ("", 0.0))
    page_mod.recheck_numbers(cells, 4, 5, None, ink, "uzb", load_settings(), 300, SCORES)
    by_pos = {(c["row"], c["col"]): c for c in cells}
    one, dash, eight = by_pos[(1, 3)], by_pos[(2, 3)], by_pos[(3, 3)]
    assert one["text"] == "1" and any(n.startswith("ocr_number") and "'1'" in n for n in one["notes"])
    assert dash["text"] == "–" and not any(n.startswith(("ocr_number", "low_ocr")) for n in dash["notes"])
    assert eight["text"] == "" and any(n.startswith("ocr_number") for n in eight["notes"])  # no guess at an 8
