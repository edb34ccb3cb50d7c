"""One file in, one parsed plan out: read (any format → IR), then parse (IR → plan items)."""

from __future__ import annotations

from pathlib import Path

from reja.extract.model import ParsedPlan


def parse_file(path: Path | str, **reader_options) -> ParsedPlan:
    """Read a plan document of any supported format and parse it into items.

    Raises `reja.extract.errors.ReadError` (with file and cause) when the file cannot be read.
    """
    from reja.extract.plan import parse_plan
    from reja.extract.readers import read_document

    document = read_document(Path(path), **reader_options)
    plan = parse_plan(document)
    if any(cell.confidence is not None for table in document.tables for cell in table.cells):
        # OCR'd cells: name the doubtful cell of each row and keep its box for the clerk's crop
        from reja.extract.scan import apply_ocr_flags

        apply_ocr_flags(plan, document)
    return plan
