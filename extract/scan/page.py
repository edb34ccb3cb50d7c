"""One page image → its tables (cells OCR'd one crop at a time) and the paragraphs around them.

The result is plain JSON-able data (so it can be cached and sent between processes); `reader.py`
turns it into IR blocks.
"""

from __future__ import annotations

import re

import cv2
import numpy as np
from reja.extract.settings import HeaderScores

from .cache import image_digest
from .components import components
from .digit_count import all_ones, count_digits, digit_glyphs
from .grid import Grid, find_grids
from .language import recheck_cell, roman_numerals, stem_numeral
from .letter_case import first_letter_case
from .lineless import lineless_table
from .numbers import column_kinds, content_kinds, fits, number_kinds, numberish
from .ocr import OcrResult, ocr_crop
from .prepare import PreparedPage, prepare_page
from .settings import REFERENCE_DPI, ScanSettings


def _ink_mask(prepared: PreparedPage, lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(text ink, specks): rulings removed, specks (noise, JPEG) opened away. A blot smaller than
    a fat full stop with no other ink within ~0.5 mm is a speck (scanner dust, salt and pepper
    smeared by JPEG): it would stretch a cell's crop and read as "." or "`". A full stop, a comma
    and the dot of an i sit right beside their letters and stay."""
    ink = cv2.bitwise_and(prepared.binary, cv2.bitwise_not(lines))
    ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (2, 2)))
    n, labels, stats, _ = components(ink)
    scale = (prepared.dpi / REFERENCE_DPI) ** 2
    small = stats[:, cv2.CC_STAT_AREA] < max(int(30 * scale), 4)
    small[0] = False
    specks = np.zeros(ink.shape, np.uint8)
    if not small.any():
        return ink, specks
    small_px = small[labels]
    big = cv2.bitwise_and(ink, cv2.bitwise_not(small_px.view(np.uint8) * np.uint8(255)))
    reach = max(int(prepared.dpi * 0.02), 2) * 2 + 1
    near_big = cv2.dilate(big, cv2.getStructuringElement(cv2.MORPH_RECT, (reach, reach)))
    # Only the small blots' pixels are looked at from here on (a few thousand of ~12 million): the
    # same masks as whole-page boolean arrays took ~0.05 s a page (issue 18).
    at = np.flatnonzero(small_px)
    at_label = labels.reshape(-1)[at]
    touching = np.zeros(n, bool)
    touching[at_label[near_big.reshape(-1)[at] > 0]] = True
    speck_label = small & ~touching
    speck_label[0] = False
    at = at[speck_label[at_label]]
    ink.reshape(-1)[at] = 0
    specks.reshape(-1)[at] = 255
    return ink, specks


def _ocr_image(prepared: PreparedPage, lines: np.ndarray, specks: np.ndarray | None = None) -> np.ndarray:
    """Grayscale page with the rulings (and specks) painted white: a ruling inside a crop reads as
    'I' or '|', a speck as '.' or '`'."""
    img = prepared.gray.copy()
    img[lines > 0] = 255
    if specks is not None and specks.any():
        img[cv2.dilate(specks, np.ones((3, 3), np.uint8)) > 0] = 255  # with its anti-aliased rim
    return img


def _trim(ink: np.ndarray, box: tuple[int, int, int, int], pad: int) -> tuple[int, int, int, int] | None:
    """The ink's bounding box inside `box` (+pad), None for an empty cell."""
    x0, y0, x1, y1 = box
    sub = ink[y0:y1, x0:x1]
    if sub.size == 0:
        return None
    rows = np.nonzero(sub.max(axis=1))[0]
    cols = np.nonzero(sub.max(axis=0))[0]
    if len(rows) == 0 or int(sub.sum()) // 255 < 25:
        return None
    h, w = ink.shape
    return (max(x0 + int(cols[0]) - pad, 0), max(y0 + int(rows[0]) - pad, 0),
            min(x0 + int(cols[-1]) + pad + 1, w), min(y0 + int(rows[-1]) + pad + 1, h))


CROP_PAD = 6  # white kept around a cell's ink in its crop (pixels)


def _cell_crop_box(ink: np.ndarray, box: tuple[int, int, int, int], dpi: int) -> tuple[int, int, int, int] | None:
    """The part of a cell that is OCR'd: inside the rulings, trimmed to its ink (None: an empty cell)."""
    inset = max(int(dpi * 0.012), 3)  # stay clear of the ruling's anti-aliased edge
    x0, y0, x1, y1 = box
    return _trim(ink, (x0 + inset, y0 + inset, x1 - inset, y1 - inset), pad=CROP_PAD)


def read_cell(ocr_img: np.ndarray, ink: np.ndarray, box: tuple[int, int, int, int], lang: str,
              settings: ScanSettings, dpi: int, heading: bool = False) -> tuple[str, float, list[str]]:
    """(text with line breaks, confidence 0..100, notes). A cell with no ink is "" at confidence 100:
    nothing was there to misread."""
    trimmed = _cell_crop_box(ink, box, dpi)
    if trimmed is None:
        return "", 100.0, []
    tx0, ty0, tx1, ty1 = trimmed
    crop = ocr_img[ty0:ty1, tx0:tx1]
    res: OcrResult = ocr_crop(crop, lang, psm=settings.cell_psm, dpi=dpi)
    res, notes = recheck_cell(res, crop, lang, cell_retry=settings.cell_retry_confidence,
                              word_retry=settings.word_retry_confidence, margin=settings.retry_margin,
                              min_conf=settings.retry_min_confidence, fallback=settings.symbol_fallback.get(lang),
                              odd_retry=settings.odd_capitals_retry_confidence)
    res, more = roman_numerals(res, crop, lang, first_only=heading)
    notes += more
    if heading:
        res, more = stem_numeral(res, crop)
        notes += more
    if lang in settings.case_by_height:
        res, more = first_letter_case(res, crop)
        notes += more
    if not res.words:
        return "", 0.0, ["low_ocr_confidence: ink in the cell but nothing read"]
    return res.text, round(res.confidence or 0.0, 1), notes


# Cell notes with these codes (extract/model.py FLAG_CODES) stay on the cell: the parser copies a
# cell's notes onto its item as flags. Other notes (symbol, roman numeral, letter case) are routine
# corrections, summed up per page in the document's warnings.
FLAG_NOTES = ("item_no_rebuilt", "snapped_value", "mixed_script", "low_ocr_confidence", "lineless_table", "ocr_number")


def split_notes(notes: list[str], info: dict[str, int]) -> list[str]:
    kept = []
    for note in notes:
        code = note.split(":", 1)[0]
        if code in FLAG_NOTES:
            kept.append(note)
        else:
            info[code] = info.get(code, 0) + 1
    return kept


def _table_data(grid: Grid, ocr_img, ink, lang, settings, dpi, info: dict[str, int], scores: HeaderScores) -> dict:
    cells = []
    for gc in grid.cells:
        heading = gc.colspan == grid.n_cols and grid.n_cols > 1  # a row across the table: a heading
        try:
            text, conf, notes = read_cell(ocr_img, ink, gc.bbox, lang, settings, dpi, heading=heading)
        except (ValueError, IndexError, ArithmeticError, cv2.error) as exc:
            # one unreadable crop costs its cell, flagged with its box, never the page
            box = ",".join(str(int(v)) for v in gc.bbox)
            text, conf, notes = "", 0.0, [f"low_ocr_confidence: cell could not be read ({type(exc).__name__}) box {box}"]
        cells.append({"row": gc.row, "col": gc.col, "rowspan": gc.rowspan, "colspan": gc.colspan,
                      "text": text, "bbox": list(gc.bbox), "confidence": conf, "notes": notes})
    recheck_numbers(cells, grid.n_rows, grid.n_cols, ocr_img, ink, lang, settings, dpi, scores)
    for c in cells:
        c["notes"] = split_notes(c["notes"], info)
    return {"bbox": list(grid.bbox), "n_rows": grid.n_rows, "n_cols": grid.n_cols, "cells": cells}


def _read_digits(ocr_img, ink, box, lang, whitelist: str, dpi: int) -> tuple[str, float]:
    """The cell's crop read as one line of whitelisted characters; a lone digit that one line
    (psm 7) misses is tried as one word (psm 8)."""
    trimmed = _cell_crop_box(ink, box, dpi)
    if trimmed is None:
        return "", 0.0
    crop = ocr_img[trimmed[1] : trimmed[3], trimmed[0] : trimmed[2]]
    for psm in (7, 8):
        res = ocr_crop(crop, lang, psm=psm, dpi=dpi, whitelist=whitelist)
        if res.words:
            return " ".join(w.text for w in res.words), float(res.confidence or 0.0)
    return "", 0.0


_STRAY_MARKS_RE = re.compile(r"(?:^|(?<=\s))[.,:;'`\"‘’“”]+(?=\s|$)|^[.,:;'`\"‘’“”]+(?=\d)|(?<=\d)[.,:;'`\"‘’“”]+$")


def _without_stray_marks(text: str) -> str:
    """Punctuation standing alone, before the first digit or after the last: what specks become in a
    number cell ("16," for "16": variety scan 1039)."""
    return " ".join(_STRAY_MARKS_RE.sub(" ", text).split())


def _number_columns(cells: list[dict], n_rows: int, n_cols: int, settings, scores: HeaderScores
                    ) -> tuple[dict[int, str], set[int]]:
    """({column: number kind}, header rows): from the header, or from the cells on a continuation page."""
    kinds, header_rows = column_kinds(cells, n_rows, n_cols, settings, scores)
    if not kinds and not header_rows:
        kinds = content_kinds(cells, n_cols, settings)  # a continuation page: no header to name them
    return kinds, header_rows


def _needs_reread(text: str, conf: float, pattern: re.Pattern, settings) -> bool:
    """Not an empty cell, not a sure number, and not words ("II чорак": the parser says so)."""
    if (not text and conf >= 100) or (fits(text, pattern) and conf >= settings.number_recheck_confidence):
        return False
    return not text or numberish(text)


def _box(c: dict) -> str:
    return ",".join(str(int(v)) for v in c["bbox"])


def _check_lines(c: dict, kind: str, lines: list[str], pattern: re.Pattern) -> None:
    """Several rows in one cell (a ruling between them lost to noise or a stamp, or sub-items typed
    without rulings): the parser splits the lines into rows. A one-line digits-only reading of the
    crop cannot stand for them (variety scan 1006: "22\n17\n3\n2" became "7"), so each line must fit."""
    if all(fits(line, pattern) for line in lines):
        return
    clean = [line if fits(line, pattern) else _without_stray_marks(line) for line in lines]
    if all(fits(line, pattern) for line in clean):
        # a speck beside one line's digits ("16,"): the digits are kept line by line, and the doubt said
        c["notes"].append(f"ocr_number: {kind} cell of {len(lines)} lines read as {c['text']!r}; stray marks "
                          f"dropped: {' / '.join(clean)!r} box {_box(c)}")
        c["text"] = "\n".join(clean)
        return
    c["notes"].append(f"ocr_number: {kind} cell of {len(lines)} lines read as {c['text']!r}, "
                      f"not a number a line box {_box(c)}")


def _take_digits(c: dict, kind: str, again: str, again_conf: float) -> None:
    """The digits-only reading replaces the first one; a disagreement in the digits is said."""
    text = c["text"]
    digits_before = re.sub(r"\D", "", text)
    if digits_before and digits_before != re.sub(r"\D", "", again):
        # two readings of the same crop disagree: the surer one is kept, and said
        c["notes"].append(f"ocr_number: {kind} read as {text!r} and, digits only, as {again!r}; "
                          f"{again!r} kept box {_box(c)}")
    else:
        c["notes"].append(f"number_reread: {text!r} → {again!r}")
    c["notes"] = [n for n in c["notes"] if not n.startswith("low_ocr_confidence: ink in the cell")]
    c["text"], c["confidence"] = again, round(again_conf, 1)


def _digit_height(cells: list[dict], kinds: dict[int, str], header_rows: set[int], pattern: re.Pattern, ink,
                  dpi: int) -> float | None:
    """The median ink height of the table's value cells read as one-line numbers (None: fewer than 3)."""
    heights = []
    for c in cells:
        if kinds.get(c["col"]) != "value" or c["row"] in header_rows or "\n" in c["text"]:
            continue
        if fits(c["text"], pattern) and any(ch.isdigit() for ch in c["text"]):
            trimmed = _cell_crop_box(ink, c["bbox"], dpi)
            if trimmed is not None:
                heights.append(trimmed[3] - trimmed[1] - 2 * CROP_PAD)
    return float(np.median(heights)) if len(heights) >= 3 else None


def _shape_reading(ink, box, dpi: int, digit_h: float | None) -> str | None:
    """What an empty-read value cell's ink is by its shape: "–" for one or two flat bars at mid-height of a
    digit (a dash typed for no value: the model reads nothing, digits only a "-" at confidence 0 or a "5"),
    "1" for one upright stroke of a digit's height (a lone 1 the model misses: variety photo_jpeg 1035,
    photo_docx 1004); None for anything else."""
    trimmed = _cell_crop_box(ink, box, dpi)
    if trimmed is None or not digit_h:
        return None
    x0, y0, x1, y1 = trimmed
    n, _labels, stats, _c = components(np.ascontiguousarray(ink[y0:y1, x0:x1]))
    areas = stats[1:n, cv2.CC_STAT_AREA]
    speck = max(6.0, 0.25 * float(areas.max())) if len(areas) else 6.0  # dust beside a dash ("-.-"): no part of it
    blobs = [tuple(int(v) for v in stats[k][:4]) for k in range(1, n) if stats[k][4] >= speck]
    if not blobs:
        return None
    if len(blobs) <= 2 and all(w >= 1.5 * h and h <= 0.35 * digit_h and w <= 1.2 * digit_h for _x, _y, w, h in blobs):
        return "–"
    if len(blobs) == 1:
        _x, _y, w, h = blobs[0]
        if 0.75 * digit_h <= h <= 1.25 * digit_h and w <= 0.55 * h:
            return "1"
    return None


def _keep_first_reading(c: dict, kind: str, again: str, pattern: re.Pattern, shape: str | None = None) -> None:
    """The digits-only reading was not taken: stray marks dropped when that makes a number, else the
    cell keeps its reading and says it is not one. `shape`: what an empty-read value cell's ink is by its
    shape (`_shape_reading`): a dash is taken as read; a 1 is taken and said."""
    text = c["text"]
    if fits(text, pattern):
        return
    if kind == "value" and not text.strip() and shape is not None:
        c["notes"] = [n for n in c["notes"] if not n.startswith("low_ocr_confidence: ink in the cell")]
        c["text"] = shape
        if shape == "1":
            c["notes"].append(f"ocr_number: value cell read as nothing (digits only: {again!r}); one upright "
                              f"stroke of a digit's height taken as '1' box {_box(c)}")
        else:  # no value, as sure as an empty cell
            c["notes"].append("number_reread: a dash read from its shape")
            c["confidence"] = 100.0
        return
    # A value cell the model read nothing in (ink: a speck, a ruling's edge) is no number because an unsure
    # digits-only reading says so: '3', '4', '5', '129' stood in empty cells (variety photo_pdf 1015,
    # 1017, photo_jpeg 1002, 1033). An item number is rebuilt from its neighbours later (repair.py).
    tries = (_without_stray_marks(text),) if kind == "value" and not text.strip() else (
        _without_stray_marks(again), _without_stray_marks(text))
    clean = next((t for t in tries if t and fits(t, pattern)), None)
    if clean:
        # a dot of dust beside the digits (".38", "2 ."): the digits are kept, and the doubt said
        c["notes"].append(f"ocr_number: {kind} read as {text!r}; stray marks dropped: {clean!r} box {_box(c)}")
        c["text"] = clean
        return
    shown = f"{text!r}" if text else "nothing"
    also = f" (digits only: {again!r})" if again and again != text else ""
    c["notes"].append(f"ocr_number: {kind} cell read as {shown}{also}, not a number box {_box(c)}")


def recheck_numbers(cells: list[dict], n_rows: int, n_cols: int, ocr_img, ink, lang, settings, dpi,
                    scores: HeaderScores) -> None:
    """Value and item-number cells that do not read as numbers are read again with digits only
    (see numbers.py); in place, notes added to the cells."""
    kinds, header_rows = _number_columns(cells, n_rows, n_cols, settings, scores)
    if not kinds:
        return
    patterns = number_kinds(settings)
    digit_h: float | None = -1.0  # measured once, when a cell first needs it
    for c in cells:
        kind = kinds.get(c["col"])
        if kind is None or c["row"] in header_rows or c["colspan"] != 1:
            continue
        _roles, whitelist, pattern = patterns[kind]
        if not _needs_reread(c["text"], c["confidence"] or 0.0, pattern, settings):
            continue
        lines = [line for line in c["text"].split("\n") if line.strip()]
        if len(lines) > 1:
            _check_lines(c, kind, lines, pattern)
            continue
        again, again_conf = _read_digits(ocr_img, ink, c["bbox"], lang, whitelist, dpi)
        if fits(again, pattern) and again_conf >= settings.number_recheck_confidence:
            _take_digits(c, kind, again, again_conf)
            continue
        shape = None
        if kind == "value" and not c["text"].strip():
            if digit_h == -1.0:
                digit_h = _digit_height(cells, kinds, header_rows, pattern, ink, dpi)
            shape = _shape_reading(ink, c["bbox"], dpi, digit_h)
        _keep_first_reading(c, kind, again, pattern, shape)
    if ink is not None and "value" in kinds.values():  # (no pixels: nothing to count)
        if digit_h == -1.0:
            digit_h = _digit_height(cells, kinds, header_rows, patterns["value"][2], ink, dpi)
        if digit_h:
            for c in cells:
                if kinds.get(c["col"]) == "value" and c["row"] not in header_rows and c["colspan"] == 1:
                    _count_check(c, ink, dpi, digit_h)


_COUNTED_RE = re.compile(r"[\d%]")


def _count_check(c: dict, ink, dpi: int, digit_h: float) -> None:
    """A value cell's digits counted in its ink (digit_count.py) against its reading: a reading of 1s (or of
    nothing, or of 1s and a letter: "1n") whose ink is nothing but 1s of another count is read as those 1s
    (said when nothing had been read); any other disagreement is said (`ocr_number`) unless the cell already
    says it is in doubt."""
    text = c["text"].strip()
    if "\n" in text or text in {"-", "–", "—"}:
        return
    trimmed = _cell_crop_box(ink, c["bbox"], dpi)
    if trimmed is None:
        return
    x0, y0, x1, y1 = trimmed
    sub = ink[y0:y1, x0:x1]
    glyphs = digit_glyphs(sub, digit_h)
    if glyphs is None:
        return
    counted = count_digits(sub, glyphs, digit_h)
    read = len(_COUNTED_RE.findall(text))
    if counted is None or counted == read or counted == 0:
        return
    digits = re.sub(r"\D", "", text)
    if set(digits) <= {"1"} and all_ones(sub, glyphs, digit_h):
        ones = "1" * counted
        c["notes"] = [n for n in c["notes"] if not n.startswith(("low_ocr_confidence: ink in the cell", "ocr_number"))]
        if digits:  # the model saw 1s and counted them wrong ("1n", "111" for "11"): the strokes are sure
            c["notes"].append(f"number_reread: {c['text']!r} → {ones!r}: {counted} upright strokes of a 1")
        else:  # nothing read: taken and said, as a lone 1 read from its shape
            c["notes"].append(f"ocr_number: value cell read as nothing; {counted} upright strokes of a 1 taken as "
                              f"{ones!r} box {_box(c)}")
        c["text"] = ones
        return
    if any(n.startswith(("ocr_number", "low_ocr_confidence")) for n in c["notes"]):
        return
    c["notes"].append(f"ocr_number: value read as {c['text']!r} ({read} digits) but its ink has {counted} "
                      f"digit-sized glyphs box {_box(c)}")


def _text_lines(ink: np.ndarray, dpi: int) -> list[tuple[int, int, int, int]]:
    """Boxes of text lines outside tables: ink smeared along the line, words kept together,
    separate columns (title block: KELISHILDI | TASDIQLAYMAN) kept apart."""
    smear = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (max(int(dpi * 0.12), 9), 3)))
    n, _l, stats, _ = components(smear)
    boxes = []
    min_h = dpi * 0.04
    for k in range(1, n):
        x, y, w, h, area = stats[k]
        if h < min_h or w < dpi * 0.05 or area < dpi * 0.5:
            continue
        boxes.append((int(x), int(y), int(x + w), int(y + h)))
    boxes.sort(key=lambda b: (b[1], b[0]))
    return boxes


def _paragraphs(ocr_img, ink, grids: list[Grid], lang, settings, dpi) -> list[dict]:
    outside = ink.copy()
    for g in grids:
        x0, y0, x1, y1 = g.bbox
        outside[max(y0 - 4, 0) : y1 + 4, max(x0 - 4, 0) : x1 + 4] = 0
    out = []
    for box in _text_lines(outside, dpi):
        x0, y0, x1, y1 = box
        pad = 6
        crop = ocr_img[max(y0 - pad, 0) : y1 + pad, max(x0 - pad, 0) : x1 + pad]
        res = ocr_crop(crop, lang, psm=6, dpi=dpi)
        res, _notes = recheck_cell(res, crop, lang, cell_retry=settings.cell_retry_confidence,
                                   word_retry=settings.word_retry_confidence, margin=settings.retry_margin,
                                   min_conf=settings.retry_min_confidence, fallback=settings.symbol_fallback.get(lang),
                                   odd_retry=settings.odd_capitals_retry_confidence)
        res, _more = roman_numerals(res, crop, lang, first_only=True)
        res, _more = stem_numeral(res, crop, in_table=False)
        # Specks, scanner shadows at the page edge and stray marks come back as short or unsure junk.
        res = OcrResult([w for w in res.words if w.confidence >= settings.paragraph_min_word_confidence
                         or any(ch.isalnum() for ch in w.text) and w.confidence >= 30])
        text = res.text.strip()
        if not text:
            continue
        out.append({"text": text, "bbox": list(box), "confidence": round(res.confidence or 0.0, 1)})
    return out


def _merge_paragraph_lines(paras: list[dict], dpi: int) -> list[dict]:
    """Consecutive lines of one block (same left edge region, small gap) stay separate paragraphs,
    as typed readers give them; only boxes on one baseline that were split by a wide word gap are
    joined back."""
    out: list[dict] = []
    for p in paras:
        if out:
            q = out[-1]
            same_line = abs(p["bbox"][1] - q["bbox"][1]) < dpi * 0.05 and 0 <= p["bbox"][0] - q["bbox"][2] < dpi * 0.3
            if same_line:
                lq, lp = len(q["text"]), len(p["text"])
                q["confidence"] = round((q["confidence"] * lq + p["confidence"] * lp) / max(lq + lp, 1), 1)
                q["text"] = q["text"] + " " + p["text"]
                q["bbox"] = [q["bbox"][0], min(q["bbox"][1], p["bbox"][1]), p["bbox"][2], max(q["bbox"][3], p["bbox"][3])]
                continue
        out.append(dict(p))
    return out


_last_prepared: dict = {}  # the last page prepared in this process: the model choice and the read share it


def _grid_score(grids: list[Grid], dpi: int, settings: ScanSettings) -> int:
    """Cells of the page's tables, less the sliver cells: a cell narrower than any real column
    (`warp_try_sliver` inches) lies between two positions of ONE ruling that wanders (a column line
    seen at its top and its bottom on a sheet left unwarped), so it is a fault of the preparation, not
    a cell. Counting it as one kept the worse way (variety photo_jpeg 1005: 38 cells in a 7×10 grid with
    three sliver columns against 37 in the true 7×7)."""
    sliver = settings.warp_try_sliver * dpi
    cells = [c for g in grids for c in g.cells]
    narrow = sum(1 for c in cells if c.bbox[2] - c.bbox[0] < sliver)
    return len(cells) - 2 * narrow


def _cut_off(grids: list[Grid], shape: tuple[int, ...], dpi: int) -> bool:
    """A table reaching the page's very edge: a sheet has margins, so a warp from a wrong outline cut it
    (variety photo_pdf 1000: its № column cut away by the warp, sections and item numbers lost)."""
    margin = max(int(dpi * 0.05), 3)
    h, w = shape[:2]
    return any(g.bbox[0] <= margin or g.bbox[1] <= margin or g.bbox[2] >= w - margin or g.bbox[3] >= h - margin
               for g in grids)


def prepare_and_find(img: np.ndarray, dpi: float | None, settings: ScanSettings):
    """(prepared page, grids, ruling mask, text ink, specks, OCR image) of a page image, kept for the
    last page of the process: the model choice samples the page that is read next, and preparing it
    twice (warp, flattening, deskew, ink mask) cost ~2-4 s a page (cProfile, issue 18)."""
    key = (image_digest(img), dpi, settings.fingerprint())
    if key in _last_prepared:
        return _last_prepared[key]
    _last_prepared.clear()  # the previous page's arrays go before this page's are made
    prepared = prepare_page(img, dpi, target_dpi=settings.dpi, orientation=settings.orientation,
                            native_min_dpi=settings.native_min_dpi)
    grids, lines = find_grids(prepared.binary, prepared.dpi)
    tilt = prepared.unwarped_tilt
    if tilt is not None and tilt >= settings.warp_try_tilt:
        # A photo's sheet at a little perspective is deskewed and sheared rather than warped (a warp
        # from corners a few pixels off leaves the columns leaning), but where the rows converge the
        # grid finder merges cells (variety photo_jpeg 1005: the whole table one cell). Both ways are
        # tried; the warp is kept when its grids have as many cells or more (sliver cells count against).
        warped = prepare_page(img, dpi, target_dpi=settings.dpi, orientation=settings.orientation,
                              warp_min_tilt=settings.warp_try_tilt, native_min_dpi=settings.native_min_dpi)
        w_grids, w_lines = find_grids(warped.binary, warped.dpi)
        before, after = _grid_score(grids, prepared.dpi, settings), _grid_score(w_grids, warped.dpi, settings)
        cut = _cut_off(w_grids, warped.binary.shape, warped.dpi) and not _cut_off(grids, prepared.binary.shape, prepared.dpi)
        if after >= settings.warp_try_gain * max(before, 1) and not cut:
            warped.notes.append(f"warped after all: {after} table cells found against {before} unwarped")
            prepared, grids, lines = warped, w_grids, w_lines
    ink, specks = _ink_mask(prepared, lines)
    ocr_img = _ocr_image(prepared, lines, specks)
    _last_prepared[key] = (prepared, grids, lines, ink, specks, ocr_img)
    return _last_prepared[key]


def sample_crops(img: np.ndarray, dpi: float | None, settings: ScanSettings) -> tuple[list[np.ndarray], int]:
    """(the inkiest cells of a page (or its text lines when it has no table) for the model choice, the
    resolution they are read at). A cell's crop is the one its reading takes (`_cell_crop_box`), so that
    the chosen model's readings of the sample (at the same resolution) are taken from the OCR memo when
    the page is read instead of being read twice."""
    prepared, grids, _lines, ink, _specks, ocr_img = prepare_and_find(img, dpi, settings)
    cells = [gc.bbox for g in grids for gc in g.cells]
    scored = []
    for b in cells or _text_lines(ink, prepared.dpi):
        t = _cell_crop_box(ink, b, prepared.dpi) if cells else _trim(ink, b, pad=6)
        if t is not None:
            scored.append((int(ink[t[1] : t[3], t[0] : t[2]].sum()), t))
    scored.sort(reverse=True)
    return [ocr_img[t[1] : t[3], t[0] : t[2]] for _s, t in scored[: settings.language_sample_cells]], prepared.dpi


def read_page(img: np.ndarray, dpi: float | None, lang: str, settings: ScanSettings, scores: HeaderScores) -> dict:
    """One page's OCR result (tables, paragraphs, notes) as plain data; `scores`: the parse settings'
    header scores, which name the columns whose numbers are read again."""
    prepared, grids, _lines, ink, _specks, ocr_img = prepare_and_find(img, dpi, settings)
    _last_prepared.clear()  # read once: the page's arrays are not kept past its reading
    info: dict[str, int] = {}
    tables = [_table_data(g, ocr_img, ink, lang, settings, prepared.dpi, info, scores) for g in grids]
    pieces = _paragraphs(ocr_img, ink, grids, lang, settings, prepared.dpi)
    notes = list(prepared.notes)
    if not grids:
        notes.append("no ruled table found")
        table, pieces = lineless_table(pieces, prepared.dpi)
        if table is not None:
            tables.append(table)
            notes.append(f"table rebuilt from text positions ({table['n_rows']}×{table['n_cols']})")
    # Unsure pieces outside any table are scanner shadows and specks, not paragraphs.
    pieces = [p for p in pieces if p["confidence"] >= settings.paragraph_min_confidence]
    paragraphs = _merge_paragraph_lines(pieces, prepared.dpi)
    if info:
        notes.append("cells corrected: " + ", ".join(f"{k} {v}" for k, v in sorted(info.items())))
    return {
        "size": [int(prepared.gray.shape[1]), int(prepared.gray.shape[0])],
        "dpi": prepared.dpi,
        "skew": round(prepared.skew, 3),
        "rotation": prepared.rotation,
        "notes": notes,
        "tables": tables,
        "paragraphs": paragraphs,
    }
