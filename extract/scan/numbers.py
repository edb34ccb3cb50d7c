"""Numbers read as numbers: value and item-number cells checked against their column's pattern.

A value cell is the worst place for a misreading: "12" read as "2", "1" dropped because Tesseract
does not see a lone digit in a block (psm 6), "0" read as "O". Once a table's cells are read, the
columns whose header names a value (fact, plan) or the item number are known; each of their body
cells whose reading does not fit the column's pattern, or is unsure, is read again on the same crop
as one line with only digits and number punctuation allowed. The second reading is taken when it
fits the pattern and is sure; otherwise the cell keeps its first reading and gets an `ocr_number`
note with its box (the parser turns it into the item's flag), so nothing is zeroed or dropped
silently. Cells that plainly hold words ("II чорак") are left to the parser.
"""

from __future__ import annotations

import re
from functools import lru_cache

from reja.extract.ir import Cell, Table
from reja.extract.settings import HeaderScores

from .settings import ScanSettings

_LOOKALIKE_DIGITS = set("OoОоlIi|!SsZzBВбЗз")  # letters OCR puts for digits (data/item_numbers.yaml)


@lru_cache(maxsize=8)
def _patterns(items: tuple) -> dict[str, tuple[tuple[str, ...], str, re.Pattern]]:
    return {kind: (roles, whitelist, re.compile(pattern)) for kind, roles, whitelist, pattern in items}


def number_kinds(settings: ScanSettings) -> dict[str, tuple[tuple[str, ...], str, re.Pattern]]:
    """{kind: (column roles, whitelist, pattern)} from data/scan.yaml `number_cells`."""
    return _patterns(tuple((k, tuple(v["roles"]), v["whitelist"], v["pattern"])
                           for k, v in sorted(settings.number_cells.items())))


def column_kinds(cells: list[dict], n_rows: int, n_cols: int, settings: ScanSettings,
                 scores: HeaderScores) -> tuple[dict[int, str], set[int]]:
    """{column: number kind} from the table's header row (named at the parse settings' header
    `scores`), and the header rows; empty when the table has no header (a continuation page: see
    `content_kinds`)."""
    from .repair import _roles_of

    table = Table(index=0, n_rows=n_rows, n_cols=n_cols)
    for c in cells:
        table.cells.append(Cell(row=c["row"], col=c["col"], text=c["text"], rowspan=c["rowspan"], colspan=c["colspan"]))
    found = _roles_of(table, scores)
    if found is None:
        return {}, set()
    roles, header_rows = found
    kinds: dict[int, str] = {}
    for kind, (kind_roles, _w, _p) in number_kinds(settings).items():
        for col, role in enumerate(roles):
            if role in kind_roles:
                kinds[col] = kind
    # A role that names values in some headers and not in others (a "Miqdori" column; a misread "№" scored
    # as one too): a value column when its body cells read as values (`_value_column`), never the first
    # column (the item numbers', whose "1", "2" read without their full stops fit the value pattern).
    value = number_kinds(settings).get("value")
    by_content = settings.number_cells.get("value", {}).get("roles_by_content", [])
    if value is not None and by_content:
        filled = _filled_by_column([c for c in cells if c["row"] not in header_rows])
        for col, role in enumerate(roles):
            if role in by_content and col > 0 and col not in kinds and len(filled.get(col, ())) >= 2 \
                    and _value_column(filled[col], value[2]):
                kinds[col] = "value"
    return kinds, header_rows


def content_kinds(cells: list[dict], n_cols: int, settings: ScanSettings) -> dict[int, str]:
    """{column: number kind} of a table without a header (a continuation page), from what its cells
    hold: the first column when most of its filled cells are item numbers; any other column when most
    of its filled cells are values (the value pattern) and two thirds read as numbers (digits, at most
    a few digit look-alikes: a date or a word column is not one). At least two filled
    cells a column; cells across several columns (headings) are left out."""
    patterns = number_kinds(settings)
    kinds: dict[int, str] = {}
    for col, texts in sorted(_filled_by_column(cells).items()):
        if len(texts) < 2:
            continue
        if col == 0 and "item_no" in patterns:
            if _mostly_fit(texts, patterns["item_no"][2]):
                kinds[col] = "item_no"
            continue
        if "value" in patterns and col < n_cols and _value_column(texts, patterns["value"][2]):
            kinds[col] = "value"
    return kinds


def _filled_by_column(cells: list[dict]) -> dict[int, list[str]]:
    """{column: stripped texts of its filled one-column cells}."""
    by_col: dict[int, list[str]] = {}
    for c in cells:
        if c["colspan"] == 1 and c["text"].strip():
            by_col.setdefault(c["col"], []).append(c["text"].strip())
    return by_col


def _mostly_fit(texts: list[str], pattern: re.Pattern) -> bool:
    return sum(fits(t, pattern) for t in texts) * 2 > len(texts)


def _value_column(texts: list[str], pattern: re.Pattern) -> bool:
    """More than half fit the value pattern and two thirds read as numbers (dates "01.03.2026" do not fit)."""
    digits = sum(numberish(t) and any(ch.isdigit() for ch in t) for t in texts)
    return _mostly_fit(texts, pattern) and digits * 3 >= 2 * len(texts)


def numberish(text: str) -> bool:
    """A reading that may be a misread number: no letters except digit look-alikes."""
    letters = [ch for ch in text if ch.isalpha()]
    return all(ch in _LOOKALIKE_DIGITS for ch in letters) and len(letters) <= 3


def fits(text: str, pattern: re.Pattern) -> bool:
    return bool(pattern.match(" ".join(text.split())))
