"""The comparison as an Excel workbook: a sheet per view, frozen header, filters, doubtful
figures highlighted. Written to a temporary file and moved into place, so a reader never sees
half a workbook."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from reja.files import atomic_path

from .align import Comparison

SHEETS = (
    ("Completeness", "completeness"),
    ("Regional totals", "region_totals"),
    ("Fulfilment", "fulfilment"),
    ("Consistency", "findings"),
    ("Side by side", "side_by_side"),
    ("Plan vs fact", "plan_vs_fact"),
    ("Changes", "changes"),
    ("Presence", "presence"),
    ("Coverage", "coverage"),
    ("Sections", "sections"),
    ("Unaligned", "unaligned"),
    ("Sources", "sources"),
    ("Plans", "plans"),
)


def write_xlsx(comparison: Comparison, path: Path) -> Path:
    path = Path(path)
    with atomic_path(path) as tmp:
        # strings stay strings: plan text must never become a formula or a link (XLSX injection)
        options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        with pd.ExcelWriter(tmp, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
            doubt_fmt = writer.book.add_format({"bg_color": "#FFF2CC"})
            for title, attr in SHEETS:
                frame: pd.DataFrame = _flat(getattr(comparison, attr))
                frame.to_excel(writer, sheet_name=title, index=False)
                sheet = writer.sheets[title]
                sheet.freeze_panes(1, 0)
                rows, cols = frame.shape
                sheet.autofilter(0, 0, max(rows, 1), max(cols - 1, 0))
                for i, column in enumerate(frame.columns):
                    width = min(60, max(10, len(str(column)) + 2))
                    sheet.set_column(i, i, width)
                marker = next((c for c in ("doubt", "doubtful in", "status") if c in frame.columns), None)
                if marker is not None and rows:
                    col = list(frame.columns).index(marker)
                    letter = _column_letter(col)
                    sheet.conditional_format(1, 0, rows, cols - 1, {
                        "type": "formula",
                        "criteria": f'=AND(${letter}2<>"", ${letter}2<>"ok")',
                        "format": doubt_fmt,
                    })
            if comparison.notes:
                pd.DataFrame({"note": comparison.notes}).to_excel(writer, sheet_name="Notes", index=False)
    return path


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """List cells (row keys, district ids) as text: a workbook cell holds one value."""
    if frame.empty:
        return frame
    lists = [c for c in frame.columns if frame[c].map(lambda v: isinstance(v, list | tuple | set)).any()]
    return frame.assign(**{c: frame[c].map(lambda v: ", ".join(map(str, v)) if isinstance(v, list | tuple | set)
                                           else v) for c in lists})


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
