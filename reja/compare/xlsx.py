"""The comparison as an Excel workbook: a sheet per view, frozen header, filters, doubtful
figures highlighted. Written to a temporary file and moved into place, so a reader never sees
half a workbook."""

from __future__ import annotations

import datetime
import math
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import is_bool, is_float, is_integer, is_scalar
from xlsxwriter import Workbook

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
        book = Workbook(str(tmp), options)
        doubt_fmt = book.add_format({"bg_color": "#FFF2CC"})
        for english, attr in SHEETS:
            title = _(english)[:31]
            frame: pd.DataFrame = getattr(comparison, attr)
            if attr == "matrix":
                frame = _named_matrix(frame, comparison)
            sheet = book.add_worksheet(title)
            _write_frame(book, sheet, frame)
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
            _write_frame(book, book.add_worksheet(_("Notes")[:31]), pd.DataFrame({"note": comparison.notes}))
        book.close()
    return path


# number formats of a date / date-time / duration cell (pandas' ExcelWriter defaults)
_DATE_FORMATS = {datetime.datetime: "YYYY-MM-DD HH:MM:SS", datetime.date: "YYYY-MM-DD", datetime.timedelta: "0"}


def _write_frame(book: Workbook, sheet, frame: pd.DataFrame) -> None:
    """The frame's cells as `DataFrame.to_excel(index=False)` writes them: the header row, then the body
    column by column (that order numbers the shared strings), an empty or missing value as no cell, ±inf
    as the text "inf" / "-inf", a list cell (row keys, district ids) as its items joined by ", ".
    Numbers, texts and booleans are written straight from each column (pandas makes an object, a style
    key and a type test for each of the ~800k cells of a 400-plan comparison); any other value goes
    through `_write_value`, pandas' own rules."""
    if frame.shape[0] >= EXCEL_ROWS or frame.shape[1] > EXCEL_COLUMNS:  # as to_excel: refused, never cut short
        raise ValueError(f"This sheet is too large! Your sheet size is: {frame.shape[0]}, {frame.shape[1]} "
                         f"Max sheet size is: {EXCEL_ROWS}, {EXCEL_COLUMNS}")
    styles: dict[str, object] = {}  # number format -> Format, made at its first use on the sheet (as pandas)
    for c, name in enumerate(frame.columns):
        _write_value(book, sheet, styles, 0, c, name)
    for c in range(frame.shape[1]):
        column = frame.iloc[:, c]
        kind = column.dtype
        values = column.tolist()
        if isinstance(kind, np.dtype) and kind.kind == "f":
            number = sheet.write_number
            for r, v in enumerate(values, 1):
                if v != v:  # NaN: no cell
                    continue
                if v in _INF:
                    sheet.write_string(r, c, _INF[v])
                else:
                    number(r, c, v)
        elif isinstance(kind, np.dtype) and kind.kind in "iu":
            number = sheet.write_number
            for r, v in enumerate(values, 1):
                number(r, c, v)
        elif isinstance(kind, np.dtype) and kind.kind == "b":
            boolean = sheet.write_boolean
            for r, v in enumerate(values, 1):
                boolean(r, c, v)
        else:
            string = sheet.write_string
            for r, v in enumerate(values, 1):
                if v.__class__ is str:
                    if v:
                        string(r, c, v)
                elif isinstance(v, list | tuple | set):
                    joined = ", ".join(map(str, v))
                    if joined:
                        string(r, c, joined)
                else:
                    _write_value(book, sheet, styles, r, c, v)


EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
_INF = {math.inf: "inf", -math.inf: "-inf"}


def _write_value(book: Workbook, sheet, styles: dict, row: int, col: int, value) -> None:
    """One cell by pandas' rules (`ExcelFormatter._format_value`, then `ExcelWriter._value_with_fmt`)."""
    if is_scalar(value) and pd.isna(value):
        return  # na_rep "": xlsxwriter writes no cell for an empty text without a format
    if is_float(value) and math.isinf(value):
        value = "inf" if value > 0 else "-inf"
    if getattr(value, "tzinfo", None) is not None:
        raise ValueError("Excel does not support datetimes with timezones")
    fmt = None
    if is_integer(value):
        value = int(value)
    elif is_float(value):
        value = float(value)
    elif is_bool(value):
        value = bool(value)
    elif isinstance(value, Decimal):
        value = Decimal(value)
    elif isinstance(value, datetime.datetime | datetime.date | datetime.timedelta):
        fmt = next(f for t, f in _DATE_FORMATS.items() if isinstance(value, t))
        if isinstance(value, datetime.timedelta):
            value = value.total_seconds() / 86400
    else:
        value = str(value)
    style = None
    if fmt is not None:
        style = styles.get(fmt) or styles.setdefault(fmt, book.add_format({"num_format": fmt}))
    sheet.write(row, col, value, style)


def _named_matrix(frame: pd.DataFrame, comparison: Comparison) -> pd.DataFrame:
    if frame.empty:
        return frame
    names = indicator_labels(comparison)
    return frame.rename(columns={c: matrix_column_label(c, names) for c in frame.columns[3:]})


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
