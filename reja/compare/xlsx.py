"""The comparison as an Excel workbook: a sheet per view, frozen header, filters, doubtful
figures highlighted. Written to a temporary file and moved into place, so a reader never sees
half a workbook."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from reja.files import atomic_path
from reja.i18n import N_, _

from .align import Comparison, indicator_labels, matrix_column_label

# sheet titles in the reader's language (Excel allows 31 characters)
SHEETS = (
    (N_("Completeness"), "completeness"),
    (N_("Regional totals"), "region_totals"),
    (N_("District matrix"), "matrix"),
    (N_("Fulfilment"), "fulfilment"),
    (N_("Consistency"), "findings"),
    (N_("Side by side"), "side_by_side"),
    (N_("Plan vs fact"), "plan_vs_fact"),
    (N_("Changes"), "changes"),
    (N_("Presence"), "presence"),
    (N_("Coverage"), "coverage"),
    (N_("Sections"), "sections"),
    (N_("Unaligned"), "unaligned"),
    (N_("Sources"), "sources"),
    (N_("Plans"), "plans"),
)


def write_xlsx(comparison: Comparison, path: Path) -> Path:
    path = Path(path)
    with atomic_path(path) as tmp:
        # strings stay strings: plan text must never become a formula or a link (XLSX injection)
        options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        with pd.ExcelWriter(tmp, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
            doubt_fmt = writer.book.add_format({"bg_color": "#FFF2CC"})
            for english, attr in SHEETS:
                title = _(english)[:31]
                frame: pd.DataFrame = _flat(getattr(comparison, attr))
                if attr == "matrix":
                    frame = _named_matrix(frame, comparison)
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
                pd.DataFrame({"note": comparison.notes}).to_excel(writer, sheet_name=_("Notes")[:31], index=False)
    return path


def _named_matrix(frame: pd.DataFrame, comparison: Comparison) -> pd.DataFrame:
    if frame.empty:
        return frame
    names = indicator_labels(comparison)
    return frame.rename(columns={c: matrix_column_label(c, names) for c in frame.columns[3:]})


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """List cells (row keys, district ids) as text: a workbook cell holds one value."""
    if frame.empty:
        return frame
    # only a column of Python objects can hold a list (text and number columns are looked at no further)
    lists = [c for c in frame.columns
             if frame[c].dtype == object and frame[c].map(lambda v: isinstance(v, list | tuple | set)).any()]
    return frame.assign(**{c: frame[c].map(lambda v: ", ".join(map(str, v)) if isinstance(v, list | tuple | set)
                                           else v) for c in lists})


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
