"""The source of a row from a document without pages (DOCX, DOC, ODT, RTF, XLSX): the table's header
rows and the row itself, read again from the file, as a small table the page shows as it was written.

Reading a document takes a moment, so the last few are kept (keyed by path, size and mtime: a file
replaced on disk is read again)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MAX_HEADER_ROWS = 4
MAX_ROW_ROWS = 4  # an item continued over several table rows (stitched) shows them all, up to this


@dataclass
class SourceCell:
    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass
class SourceRows:
    header: list[list[SourceCell]]
    row: list[list[SourceCell]]


@lru_cache(maxsize=4)
def _document(path: str, size: int, mtime: float):
    from reja.extract.readers import read_document

    return read_document(Path(path))


def _cells(table, r: int, first: int, last: int) -> list[SourceCell]:
    """Anchor cells of row r, with spans cut to the shown rows [first, last]."""
    out = []
    for cell in table.rows()[r]:
        out.append(SourceCell(cell.text, cell.colspan, max(1, min(cell.rowspan, last - r + 1))))
    return out


def source_rows(source: Path, table_index: int, row_index: int, first_item_row: int,
                next_item_row: int | None = None) -> SourceRows | None:
    """Header (the table's rows before its first item row) and the item's own rows, or None when the
    file is gone or no longer has that table."""
    try:
        stat = source.stat()
        doc = _document(str(source), stat.st_size, stat.st_mtime)
    except Exception:  # moved, replaced by something unreadable: the page says there is no picture
        return None
    tables = doc.tables
    if not 0 <= table_index < len(tables):
        return None
    table = tables[table_index]
    if not 0 <= row_index < table.n_rows:
        return None
    head_end = max(0, min(first_item_row, table.n_rows))
    head_start = max(0, head_end - MAX_HEADER_ROWS)
    row_end = min(table.n_rows, next_item_row if next_item_row and next_item_row > row_index else row_index + 1,
                  row_index + MAX_ROW_ROWS)
    header = [_cells(table, r, head_start, head_end - 1) for r in range(head_start, head_end)]
    row = [_cells(table, r, row_index, row_end - 1) for r in range(row_index, row_end)]
    return SourceRows(header, row)
