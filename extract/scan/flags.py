"""Carry OCR doubt from cells onto the parsed items: the parser does not know about OCR, the scan
reader does not know about items; they meet on (page, table_index, row_index), which the parser
sets on every item.

- a cell below the confidence threshold → `low_ocr_confidence: <column> <conf> box x0,y0,x1,y1`
  (the box, in pixels of the prepared page, lets the clerk look at the crop);
- a cell note `item_no_rebuilt: …` / `snapped_value: …` / `mixed_script: …` / `lineless_table: …`
  (written by the reader) → the same flag, unless the parser already copied it (it copies the
  notes of the cells it reads as they are);
- `ocr_confidence` of the item = the lowest confidence of its row's cells.
"""

from __future__ import annotations

import re

from reja.extract.ir import Cell, Document, Table
from reja.extract.model import ParsedPlan
from reja.extract.settings import HeaderScores, ParseSettings

NOTE_FLAGS = ("item_no_rebuilt", "snapped_value", "mixed_script", "lineless_table", "ocr_number", "ocr_alphabet")


def _column_names(table: Table, scores: HeaderScores) -> list[str]:
    from .repair import _roles_of

    found = _roles_of(table, scores)
    roles = found[0] if found else [None] * table.n_cols
    return [r or f"column {c + 1}" for c, r in enumerate(roles)]


def _row_cells(table: Table, row: int, n_rows: int = 1) -> list[Cell]:
    return [c for c in table.cells if row <= c.row < row + n_rows]


_BARE_LOW_RE = re.compile(r"^low_ocr_confidence: \d+$")


def _flag_cell(item, cell: Cell, names: list[str], threshold: float) -> None:
    """The item's flags for one of its OCR'd cells: a doubtful cell (which column, how sure, where) and
    the reader's notes on it the parser did not copy."""
    column = names[cell.col] if cell.col < len(names) else str(cell.col)
    if cell.confidence is not None and cell.confidence < threshold and cell.text.strip():
        box = ",".join(str(int(v)) for v in cell.bbox) if cell.bbox else "?"
        item.flags = [f for f in item.flags if not _BARE_LOW_RE.match(f)]
        item.flag("low_ocr_confidence", f"{column} {cell.confidence:.0f} box {box}")
    for note in cell.notes:
        # the parser copies cell notes as they are; add only those it did not
        if note.split(":", 1)[0] in NOTE_FLAGS and note not in item.flags:
            item.flags.append(note)


def apply_ocr_flags(plan: ParsedPlan, doc: Document, settings: ParseSettings) -> ParsedPlan:
    """Add OCR flags to the items of `plan` (parsed from `doc`) in place; returns the plan.
    `settings`: the parse settings the plan was parsed with (one threshold for parser and reader,
    `low_ocr_confidence`; the header scores name the columns).

    The parser's own bare "low_ocr_confidence: 52" is replaced by the per-column entries, which
    say which cell and where."""
    tables = {t.index: t for t in doc.tables}
    names: dict[int, list[str]] = {}
    roles: dict[int, list[str] | None] = {}
    for item in plan.items:
        if item.table_index is None or item.row_index is None or item.table_index not in tables:
            continue
        table = tables[item.table_index]
        if item.table_index not in names:
            names[item.table_index] = _column_names(table, settings.header)
        cells = _row_cells(table, item.row_index)
        confs = [c.confidence for c in cells if c.confidence is not None]
        if confs and item.ocr_confidence is None:
            item.ocr_confidence = min(confs)
        for cell in cells:
            _flag_cell(item, cell, names[item.table_index], settings.low_ocr_confidence)
        if item.table_index not in roles:
            roles[item.table_index] = _parser_roles(table, settings.header)
        _flag_unread_value(item, cells, roles[item.table_index], settings)
        _flag_far_apart(item, cells, settings)
    return plan


_VALUE_ROLES = {"fact": "fact_value", "plan": "plan_value"}


def _parser_roles(table: Table, scores: HeaderScores) -> list[str] | None:
    """The column roles the parser reads from the table's header (OTHER where a header names none), or
    None without a header row."""
    from reja.extract.header import header_span, is_header_row, roles_from_header

    for row in range(min(3, table.n_rows)):
        try:
            if is_header_row(table, row, scores):
                return roles_from_header(table, row, header_span(table, row, scores), scores).roles
        except Exception:  # noqa: BLE001 - a header the matcher cannot take: nothing to say about it
            return None
    return None


def _flag_unread_value(item, cells: list[Cell], roles: list[str] | None, settings: ParseSettings) -> None:
    """A table whose header names the fact column but not the plan column (or the other way round)
    while a column no header names holds a number in the item's row: the value the item lacks is
    most likely there, under a header the OCR garbled (variety scan 1022: the plan header read through
    a stamp). Its value stays unread, but never unsaid: `column_review` with the cell's box."""
    from .numbers import number_kinds

    named = {r for r in roles or [] if r in _VALUE_ROLES}
    if len(named) != 1 or "value" not in number_kinds(settings.scan):
        return
    missing = next(r for r in _VALUE_ROLES if r not in named)
    if getattr(item, _VALUE_ROLES[missing]) is not None:
        return
    cell = _unnamed_number_cell(cells, roles, number_kinds(settings.scan)["value"][2])
    if cell is not None:
        box = ",".join(str(int(v)) for v in cell.bbox) if cell.bbox else "?"
        item.flag("column_review", f"column {cell.col + 1} holds {cell.text.strip()!r} under a header naming "
                                   f"no column: the {missing} value not read box {box}")


def _unnamed_number_cell(cells: list[Cell], roles: list[str], pattern) -> Cell | None:
    """The row's first single cell holding a value-shaped number in a column no header names."""
    from reja.extract.header import OTHER

    from .numbers import fits

    for cell in cells:
        if cell.col >= len(roles) or roles[cell.col] != OTHER or cell.colspan != 1 or not cell.text.strip():
            continue
        if fits(cell.text, pattern):
            return cell
    return None


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _shown(value: float) -> str:
    """A value as written, without an exponent or a trailing ".0": 1000000, 60.9."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _flag_far_apart(item, cells: list[Cell], settings: ParseSettings) -> None:
    """A row whose fact and plan differ `row_ratio_doubt` times or more (number_cells.value in scan.yaml):
    a digit the OCR lost or added is a tenfold change, read with good confidence as often as not ("112"
    for 12: a stray mark taken for a 1). `ocr_number` with both values and their cells' boxes; not when a
    value flag of the figures is already there (the clerk looks at the row anyway)."""
    ratio = settings.scan.number_cells.get("value", {}).get("row_ratio_doubt")
    fact, plan = item.fact_value, item.plan_value
    if not ratio or fact is None or plan is None or min(fact, plan) <= 0 or max(fact, plan) < ratio * min(fact, plan):
        return
    if any(str(f).startswith(("ocr_number", "unparsable_number", "stacked_values")) for f in item.flags):
        return
    boxes = []
    for value in (fact, plan):
        want = _digits(_shown(value))
        cell = next((c for c in cells if c.bbox and c.colspan == 1 and _digits(c.text) == want), None)
        boxes.append(",".join(str(int(v)) for v in cell.bbox) if cell is not None else "?")
    item.flag("ocr_number", f"fact {_shown(fact)} and plan {_shown(plan)} are {max(fact, plan) / min(fact, plan):.0f} times apart: "
                            f"a digit lost or added? boxes {boxes[0]} and {boxes[1]}")
