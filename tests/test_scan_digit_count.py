"""Digits counted in a value cell's ink against its reading (extract/scan/digit_count.py, issue 18).

The cells are typed here with the variety corpus's body font (Times New Roman, rendered by LibreOffice as
Liberation Serif), blurred like a phone photo; the expected counts are the typed strings' own digits."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from reja.extract.scan.digit_count import all_ones, count_digits, digit_glyphs, ones_in
from reja.extract.scan.page import _count_check

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
SIZE = 40  # px: digits ~26 px high, as the corpus's 9-11 pt cells at the reader's 300 dpi


def _typed(text: str, spacing: int = 0, blur: float = 0.8) -> tuple[np.ndarray, float]:
    """(ink mask of `text` typed in a cell, the font's digit height)."""
    font = ImageFont.truetype(FONT, SIZE)
    img = Image.new("L", (40 + 40 * len(text), 80), 255)
    d = ImageDraw.Draw(img)
    x = 20
    for ch in text:  # glyph by glyph: `spacing` px more (or less) than the font's advance
        d.text((x, 20), ch, font=font, fill=0)
        x += font.getlength(ch) + spacing
    gray = cv2.GaussianBlur(np.array(img), (0, 0), blur) if blur else np.array(img)
    _t, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    box = font.getbbox("0")
    return ink, float(box[3] - box[1])


@pytest.mark.parametrize("text", ["1", "11", "111", "7", "10", "2506", "71", "1866", "50", "38", "4"])
def test_digits_counted_as_typed(text):
    ink, digit_h = _typed(text)
    glyphs = digit_glyphs(ink, digit_h)
    assert glyphs is not None
    assert count_digits(ink, glyphs, digit_h) == len(text)


@pytest.mark.parametrize("text", ["38", "50", "206"])
def test_touching_digits_counted_by_their_width(text):
    """Digits run together (a photo's blur closes the gap): one blot as wide as its digits' advances."""
    ink, digit_h = _typed(text, spacing=-4, blur=1.6)
    glyphs = digit_glyphs(ink, digit_h)
    assert glyphs is not None
    assert len(glyphs) < len(text)  # the case is what it claims: some digits touch
    assert count_digits(ink, glyphs, digit_h) == len(text)


def _feet_joined(ink: np.ndarray) -> np.ndarray:
    """The typed digits' feet joined by a bar of ink along their baseline (ink bled on a photo)."""
    rows, cols = np.nonzero(ink)
    out = ink.copy()
    out[rows.max() - 2 : rows.max() + 1, cols.min() : cols.max() + 1] = 255
    return out


@pytest.mark.parametrize(("text", "ones"), [("11", 2), ("111", 3), ("10", 0), ("00", 0), ("38", 0), ("71", 0)])
def test_ones_joined_at_their_feet_counted_by_their_strokes(text, ones):
    ink, digit_h = _typed(text)
    ink = _feet_joined(ink)
    glyphs = digit_glyphs(ink, digit_h)
    assert glyphs is not None and len(glyphs) == 1  # one blot
    assert ones_in(ink, glyphs[0], digit_h) == ones
    if ones:
        assert count_digits(ink, glyphs, digit_h) == len(text)


@pytest.mark.parametrize(("text", "ones"), [("1", True), ("11", True), ("111", True), ("7", False), ("17", False),
                                            ("4", False), ("0", False)])
def test_ones_told_by_shape(text, ones):
    ink, digit_h = _typed(text)
    assert all_ones(ink, digit_glyphs(ink, digit_h), digit_h) is ones


def _cell(ink: np.ndarray, text: str) -> tuple[dict, np.ndarray]:
    h, w = ink.shape
    page = np.zeros((h + 40, w + 40), np.uint8)
    page[20 : 20 + h, 20 : 20 + w] = ink
    return {"text": text, "bbox": [10, 10, w + 30, h + 30], "notes": [], "confidence": 96.0}, page


@pytest.mark.parametrize(("typed", "read", "joined"), [("11", "1", False), ("11", "1n", False), ("111", "11", False),
                                                ("11", "111", False), ("11", "1", True), ("111", "1", True)])
def test_ones_the_model_dropped_are_read_from_the_strokes(typed, read, joined):
    ink, digit_h = _typed(typed)
    if joined:
        ink = _feet_joined(ink)
    c, page = _cell(ink, read)
    _count_check(c, page, 300, digit_h)
    assert c["text"] == typed
    assert not [n for n in c["notes"] if n.startswith("ocr_number")]


def test_ones_read_from_nothing_are_taken_and_said():
    ink, digit_h = _typed("11")
    c, page = _cell(ink, "")
    _count_check(c, page, 300, digit_h)
    assert c["text"] == "11"
    assert any(n.startswith("ocr_number") for n in c["notes"])


@pytest.mark.parametrize(("typed", "read"), [("17", "7"), ("38", "3"), ("50", "5")])
def test_other_digits_lost_are_flagged_not_guessed(typed, read):
    ink, digit_h = _typed(typed)
    c, page = _cell(ink, read)
    _count_check(c, page, 300, digit_h)
    assert c["text"] == read
    assert any(n.startswith("ocr_number") for n in c["notes"])


@pytest.mark.parametrize("typed", ["1", "11", "2506", "50"])
def test_a_reading_that_agrees_is_left_alone(typed):
    ink, digit_h = _typed(typed)
    c, page = _cell(ink, typed)
    _count_check(c, page, 300, digit_h)
    assert c["text"] == typed and c["notes"] == []


def _grid_cells(rows: list[list[str]]) -> list[dict]:
    return [{"row": r, "col": k, "rowspan": 1, "colspan": 1, "text": t, "bbox": [0, 0, 1, 1], "confidence": 96.0,
             "notes": []} for r, row in enumerate(rows) for k, t in enumerate(row)]


@pytest.mark.parametrize(("body", "value"), [(["12", "16", "1"], True), (["1.", "2.", "3."], False)])
def test_a_quantity_column_is_a_value_column_when_its_cells_read_as_values(body, value):
    """A "Miqdori" column (role quantity) holds values in some plans (variety scan 1018: its "11" read "1"
    was never counted); a misread "№" header is scored as one too, and its item numbers are no values."""
    from reja.extract.scan.numbers import column_kinds
    from reja.extract.scan.settings import load_settings
    from reja.extract.settings import load_parse_settings

    rows = [["№", "Tadbirlar", "Miqdori", "Muddati"]] + [[f"{k + 1}.", f"Tadbir {k + 1}", v, "yil davomida"]
                                                          for k, v in enumerate(body)]
    kinds, header_rows = column_kinds(_grid_cells(rows), len(rows), 4, load_settings(), load_parse_settings().header)
    assert header_rows == {0}
    assert (kinds.get(2) == "value") is value


def test_the_first_column_is_never_a_value_column_by_its_content():
    """A misread "№" header scored as "Miqdori" over item numbers read without their full stops."""
    from reja.extract.scan.numbers import column_kinds
    from reja.extract.scan.settings import load_settings
    from reja.extract.settings import load_parse_settings

    rows = [["Miqdori", "Tadbirlar", "Muddati"]] + [[f"{k + 1}", f"Tadbir {k + 1}", "yil davomida"] for k in range(3)]
    kinds, _header_rows = column_kinds(_grid_cells(rows), len(rows), 3, load_settings(), load_parse_settings().header)
    assert kinds.get(0) != "value"
