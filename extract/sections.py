"""Section headings: "II. ILMIY-METODIK FAOLIYAT", "VI. Фонд билан ишлаш …", "1. Ҳужжатларни …",
sub-sections "1.1. Hujjatlarni butlash …", and the responsible-department line under a heading.

A heading is a row spanning the table (one cell across all columns, or only the first cell filled)
or a paragraph between tables. Roman numbers may be typed with Cyrillic look-alikes (Х for X,
І for I): "Х. Электрон кутубхона фаолияти" is section ten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product

from .ir import Cell, Table
from .plan_words import fold, is_label, plan_words, word_set

# Cyrillic letters typed for Roman numerals
_ROMAN_LOOKALIKE = str.maketrans({"Х": "X", "х": "x", "І": "I", "і": "i", "Ӏ": "I", "У": "V"})
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50}
_ROMAN_RE = re.compile(r"^\s*([IVXLХІ]{1,7})\s*[.)]\s*(\S.*)$", re.S)
_ARABIC_RE = re.compile(r"^\s*(\d{1,2})\s*[.)]\s*(\S.*)$", re.S)
_SUB_RE = re.compile(r"^\s*(\d{1,2}[.,]\d{1,2})\.?\s+(\S.*)$", re.S)  # "1,1." is OCR for "1.1."
# "1-bo'lim. Kitob fondi", "I BO'LIM: …", "1-БЎЛИМ. …": a number with the word for section
_WORDED_RE = re.compile(r"^\s*([IVXLХІ]{1,7}|\d{1,2})\s*[-–]?\s*([^\W\d_]+['ʻʼ‘’`]?[^\W\d_]*)\s*[.:)]?\s+(\S.*)$", re.S)
# "I - Kitob fondi": a Roman number and a dash (an Arabic "1 -" could be an item, so Roman only)
_ROMAN_DASH_RE = re.compile(r"^\s*([IVXLХІ]{1,7})\s+[-–—]\s+(\S.*)$", re.S)
_OCR_ROMAN_RE = re.compile(r"^\s*(\w{1,4})\s*\.\s*(\S.*)$", re.S)
_LINE_WS_RE = re.compile(r"[ \t\u00a0]+")


@dataclass
class Heading:
    number: str | None  # as written, without the dot: "II", "Х", "1", "1.1"
    title: str
    responsible: str | None = None
    level: int = 1  # 2 for a sub-section ("1.1. …")


def roman_value(numeral: str) -> int | None:
    """Value of a Roman numeral (Cyrillic look-alikes allowed), None when it is not a valid one."""
    s = numeral.upper().translate(_ROMAN_LOOKALIKE)
    if not s or any(ch not in _ROMAN_VALUES for ch in s):
        return None
    total = 0
    for i, ch in enumerate(s):
        v = _ROMAN_VALUES[ch]
        total += -v if i + 1 < len(s) and _ROMAN_VALUES[s[i + 1]] > v else v
    # reject non-canonical forms like "IIII", "VV", "IL"
    return total if 0 < total < 40 and _to_roman(total) == s else None


def _to_roman(n: int) -> str:
    out = ""
    for value, sym in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += sym
            n -= value
    return out


def _lines(text: str) -> list[str]:
    return [_LINE_WS_RE.sub(" ", ln).strip() for ln in text.splitlines() if ln.strip()]


def is_department(line: str) -> bool:
    """A line naming a department: "… xizmati", "… бўлими", "… сектори" (a closing bracket allowed)."""
    f = fold(line).rstrip(" .)")
    return any(f.endswith(w) for w in word_set("department_endings"))


def split_title(lines: list[str], italic_from: int | None = None) -> tuple[str, str | None]:
    """The heading title and the responsible-department line(s) under it.

    `italic_from`: index of the first line known to be italic (the department line), when the
    reader could tell. Otherwise the department is the trailing run of lines that starts with a
    capital and ends with a department word; a wrapped title line rarely does both.
    """
    if italic_from is not None and 0 < italic_from < len(lines):
        return " ".join(lines[:italic_from]), " ".join(lines[italic_from:])
    if len(lines) > 1 and is_department(lines[-1]):
        for start in range(len(lines) - 1, 0, -1):
            if lines[start][:1].isupper() or lines[start][:1] in "«“\"(":
                return " ".join(lines[:start]), " ".join(lines[start:])
    return " ".join(lines), None


def parse_heading(text: str, *, allow_arabic: bool = True, italic_from: int | None = None) -> Heading | None:
    """A section heading from its text, or None when the text does not start with a section number."""
    if not text or not text.strip():
        return None
    lines = _lines(text)
    first = lines[0]
    m = _SUB_RE.match(first)
    if m:
        title, resp = split_title([m.group(2), *lines[1:]], italic_from)
        return Heading(m.group(1).replace(",", "."), title, resp, level=2)
    m = _WORDED_RE.match(first)
    if m and fold(m.group(2)) in word_set("section_words"):
        number = m.group(1)
        if number.isdigit() or roman_value(number) is not None:
            title, resp = split_title([m.group(3), *lines[1:]], italic_from)
            return Heading(number, title, resp, level=1)
    m = _ROMAN_RE.match(first) or _ROMAN_DASH_RE.match(first)
    if m and roman_value(m.group(1)) is not None:
        title, resp = split_title([m.group(2), *lines[1:]], italic_from)
        return Heading(m.group(1), title, resp, level=1)
    if allow_arabic:
        m = _ARABIC_RE.match(first)
        if m and not m.group(2)[:1].isdigit():
            title, resp = split_title([m.group(2), *lines[1:]], italic_from)
            return Heading(m.group(1), title, resp, level=1)
    return None


def spanning_text(table: Table, row: int) -> str | None:
    """The text of a row that spans the table: one cell across every column, or only the first cell
    filled. None for an ordinary row."""
    anchors = [c for c in table.rows()[row] if c.text.strip()]
    if len(anchors) != 1:
        return None
    cell = anchors[0]
    if table.n_cols == 1:
        return cell.text
    if cell.colspan >= table.n_cols or (cell.col == 0 and cell.colspan >= max(2, table.n_cols - 1)):
        return cell.text
    if cell.col == 0:
        # only the first cell filled: every other position of the row is empty or a vertical merge
        # from above (a continued deadline column must not hide a heading)
        return cell.text
    return None


def row_heading(table: Table, row: int) -> Heading | None:
    """A section or sub-section heading written as a spanning row; labels ("Shundan,") are not."""
    text = spanning_text(table, row)
    if text is None:
        return _split_row_heading(table, row)
    if is_label(text):
        return None
    return parse_heading(text)


_BARE_ROMAN_RE = re.compile(r"^\s*([IVXLХІ]{1,7})\s*[.)]?\s*$")


def _split_row_heading(table: Table, row: int) -> Heading | None:
    """A heading typed into the item columns, in either of two ways. "I." in the № cell and "KUTUBXONA FONDI" in the next, the rest empty: a heading some districts
    type into the item columns. Only a Roman number counts (an Arabic one is an item with no values)."""
    anchors = [c for c in table.rows()[row] if c.text.strip()]
    if len(anchors) == 1 and anchors[0].col == 1:
        # "| II. OMMAVIY ISHLAR | | |": the heading typed into the text cell; only a Roman-numbered one
        # (an Arabic "1. …" there is an item written with its number)
        heading = parse_heading(anchors[0].text, allow_arabic=False)
        return heading if heading is not None and heading.level == 1 else None
    if len(anchors) != 2 or anchors[0].col != 0 or anchors[1].col != anchors[0].col + anchors[0].colspan:
        return None
    m = _BARE_ROMAN_RE.match(anchors[0].text)
    if m is None or roman_value(m.group(1)) is None:
        return None
    lines = _lines(anchors[1].text)
    if not lines:
        return None
    title, resp = split_title(lines)
    return Heading(m.group(1), title, resp, level=1)


_BARE_ARABIC_RE = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")
_FIRST_LEVEL_RE = re.compile(r"^\s*(\d{1,3})(?:\s*\.\s*(\d{1,3}))?\s*[.)]?\s*$")


def _rising(values: list[int]) -> bool:
    return all(values[k] < values[k + 1] for k in range(len(values) - 1))


def arabic_heading_rows(table: Table) -> dict[int, Heading]:
    """Headings typed into the item columns with an Arabic number ("2. | FOND BILAN ISHLASH | | |"), told
    from items without values by the whole table's numbering (docs/conventions.md, Sections): such rows
    are headings only when there are two or more, numbered one after another (1, 2, 3 …), and the item
    numbers between them rise within each stretch (continuing, or starting again at 1) while reading the
    rows as items would break that order ("1, 1, 2, 3, 2, 4": sections 1, 2 around items 1-4)."""
    candidates, stretches, merged = _numbering(table)
    numbers = [n for _, n, _ in candidates]
    if len(numbers) < 2 or numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        return {}
    if not all(_rising(st) for st in stretches):
        return {}
    if _rising(merged):
        return {}  # as items they fit the numbering: items without values, not headings
    out = {}
    for r, n, cell in candidates:
        lines = _lines(cell.text)
        if not lines:
            return {}
        title, resp = split_title(lines)
        out[r] = Heading(str(n), title, resp, level=1)
    return out


def _numbering(table: Table) -> tuple[list[tuple[int, int, Cell]], list[list[int]], list[int]]:
    """The table's first-level numbering: the candidate heading rows (row, number, text cell), the item
    numbers of each stretch between them, and every first-level number in order (candidates read as items)."""
    candidates: list[tuple[int, int, Cell]] = []
    stretches: list[list[int]] = [[]]
    merged: list[int] = []
    current = None
    for r, cells in enumerate(table.rows()):
        anchors = _numbered_row(cells)
        if anchors is None:
            continue
        heading = _heading_candidate(anchors)
        if heading is not None:
            candidates.append((r, heading, anchors[1]))
            current = heading
            merged.append(current)
            stretches.append([])
            continue
        value = _first_level(anchors[0].text, current)
        if value is not None:
            stretches[-1].append(value)
            merged.append(value)
    return candidates, stretches, merged


def _numbered_row(cells: list[Cell]) -> list[Cell] | None:
    """The row's filled cells when it opens in the first column, and is not the column-number row "1 2 3 4 …"."""
    anchors = [c for c in cells if c.text.strip()]
    if not anchors or anchors[0].col != 0 or all(c.text.strip().rstrip(".").isdigit() for c in anchors[1:]):
        return None
    return anchors


def _heading_candidate(anchors: list[Cell]) -> int | None:
    """The number of a row "2. | FOND BILAN ISHLASH" (a bare Arabic number, then one text cell beside it
    that is no sub-item label), else None."""
    m = _BARE_ARABIC_RE.match(anchors[0].text)
    if m and len(anchors) == 2 and anchors[1].col == anchors[0].col + anchors[0].colspan and not is_label(
            anchors[1].text):
        return int(m.group(1))
    return None


def _first_level(number: str, section: int | None) -> int | None:
    """The first-level item number a № cell gives: "3" → 3, "2.3" under section 2 → 3 (its third item,
    docs/conventions.md); None for a part ("9.1"), which says nothing of the first level."""
    m = _FIRST_LEVEL_RE.match(number)
    if m is None:
        return None
    if m.group(2) is None:
        return int(m.group(1))
    if section is not None and int(m.group(1)) == section:
        return int(m.group(2))
    return None


def ocr_heading(text: str, previous: int | None) -> tuple[Heading, str] | None:
    """A scanned heading whose Roman number OCR garbled ("УШ. Малака ошириш ишлари" after VII):
    (the heading with the number it most likely is, the number as read), or None. Only readings that
    continue the sequence (1 to 3 above the previous section number) are taken."""
    lines = _lines(text)
    m = _OCR_ROMAN_RE.match(lines[0]) if lines else None
    if m is None or not m.group(2)[:1].isupper():
        return None
    table = plan_words().get("roman_ocr_lookalikes", {})
    options = [table.get(ch) for ch in m.group(1)]
    if not all(options):
        return None
    low = previous or 0
    values = sorted({v for combo in product(*options) if (v := roman_value("".join(combo))) is not None})
    fitting = [v for v in values if low < v <= low + 3]
    if not fitting:
        return None
    title, resp = split_title([m.group(2), *lines[1:]])
    return Heading(_to_roman(fitting[0]), title, resp, level=1), m.group(1)


def section_value(number: str | None) -> int | None:
    """1 for "1" or "I", 10 for "Х": a section number's place in the sequence."""
    if not number:
        return None
    return int(number) if number.isdigit() else roman_value(number)


def plausible_text(text: str) -> bool:
    """Mostly letters: OCR noise ("–-чЧ–фқ––– )фҚом(") is no heading."""
    chars = [c for c in text if not c.isspace()]
    return bool(chars) and sum(c.isalpha() for c in chars) >= 0.75 * len(chars)
