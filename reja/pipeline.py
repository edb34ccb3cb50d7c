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
    return parse_plan(document)
