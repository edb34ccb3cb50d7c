"""The Excel round-trip for clerks: `reja review export` writes a workbook of flagged rows,
`reja review apply` reads back only what the clerk changed.

Workbook layout:
- sheet "Review": one row per flagged item. Column A holds the hidden row key; the context columns
  (file, district, page, item, reasons, candidates) are locked; the editable columns are unlocked,
  and catalogue columns have dropdowns fed from the hidden sheet "Lists".
- hidden sheet "Exported": the values as exported, cell for cell. `apply` compares each editable cell
  with it, so a cell the clerk did not touch never becomes a correction, even if the store changed
  in between.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .corrections import ACCEPT_FIELD, record_many, row_context
from .validate import Rejected, check_value

CONTEXT_COLUMNS = ("source_file", "district", "year", "page", "section_no", "item_no", "text", "flags",
                   "candidates")
EDIT_COLUMNS = ("section_id", "indicator_id", "unit_id", "fact_value", "plan_value", "unit", "text_fix",
                "item_no_fix", "deadline", "responsible")
# editable column → item field it corrects (text and item_no are shown read-only for context and
# corrected through their *_fix columns, left empty unless the clerk writes a replacement)
FIELD_OF = {"text_fix": "text", "item_no_fix": "item_no"}
EXTRA_COLUMNS = ("accept", "why")
KEY_COLUMN = "row_key"
HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")
EDIT_FILL = PatternFill("solid", fgColor="FFF2CC")


@dataclass
class ApplyResult:
    applied: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    correction_ids: list[int] = field(default_factory=list)


def _cell_value(value):
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars → Python
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def readable_candidates(raw: str | None) -> str | None:
    """`{"indicator": [["classification", 96.5], …], …}` → "indicator: classification 96, …" for a clerk."""
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return raw
    parts = []
    for kind, entries in sorted((data or {}).items()):
        shown = ", ".join(f"{e[0]} {float(e[1]):.0f}" for e in entries or [] if isinstance(e, list) and len(e) >= 2
                          and e[1] is not None)
        if shown:
            parts.append(f"{kind}: {shown}")
    return "; ".join(parts) or None


def _legend(wb) -> None:
    """A sheet that explains every flag code in words (the clerk sees codes in the flags column)."""
    from reja.i18n import _, flag_explanation
    from reja.schema.flags import FLAG_CODES

    sheet = wb.create_sheet(_("Flags explained"))
    sheet.append([_("flag"), _("what it means")])
    for code in FLAG_CODES:  # the code stays as written in the flags column; its meaning is translated
        sheet.append([code, flag_explanation(code)])
    sheet["A1"].font = sheet["B1"].font = Font(bold=True)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 90


def _lists(catalogue) -> dict[str, list[str]]:
    return {
        "section_id": [f"{s.id} — {s.name_latn}" for s in catalogue.sections.values()],
        "indicator_id": [f"{i.id} — {i.name_latn}" for i in catalogue.indicators.values()],
        "unit_id": [f"{u.id} — {u.name_latn}" for u in catalogue.units.values()],
    }


def export_workbook(items: pd.DataFrame, path: Path, *, only_flagged: bool = True) -> int:
    """Write the review workbook atomically; return the number of rows in it."""
    from reja.schema.catalogue import load_catalogue

    rows = items[items["status"] == "flagged"] if only_flagged else items
    catalogue = load_catalogue()
    headers = (KEY_COLUMN, *CONTEXT_COLUMNS, *EDIT_COLUMNS, *EXTRA_COLUMNS)

    wb = Workbook()
    ws = wb.active
    ws.title = "Review"
    exported = wb.create_sheet("Exported")
    lists = wb.create_sheet("Lists")
    ws.append(list(headers))
    exported.append(list(headers))
    for _, r in rows.iterrows():
        values = []
        for h in headers:
            if h in FIELD_OF or h in EXTRA_COLUMNS:
                values.append(None)
            elif h == "candidates":
                values.append(readable_candidates(_cell_value(r.get("match_candidates"))))
            else:
                values.append(_cell_value(r.get(h)))
        for sheet in (ws, exported):
            sheet.append(values)
            for cell in sheet[sheet.max_row]:
                if cell.data_type == "f":  # openpyxl takes any "=…" string as a formula: plan text stays text
                    cell.data_type = "s"

    for col, (name, entries) in enumerate(_lists(catalogue).items(), start=1):
        lists.cell(row=1, column=col, value=name)
        for i, entry in enumerate(entries, start=2):
            lists.cell(row=i, column=col, value=entry)
        letter = get_column_letter(col)
        target = get_column_letter(headers.index(name) + 1)
        dv = DataValidation(type="list", formula1=f"=Lists!${letter}$2:${letter}${len(entries) + 1}",
                            allow_blank=True, showErrorMessage=False)
        dv.prompt = f"Pick a catalogue {name.removesuffix('_id')} (or leave as is)"
        ws.add_data_validation(dv)
        if len(rows):
            dv.add(f"{target}2:{target}{len(rows) + 1}")
    yes_no = DataValidation(type="list", formula1='"yes"', allow_blank=True)
    ws.add_data_validation(yes_no)
    accept_col = get_column_letter(headers.index("accept") + 1)
    if len(rows):
        yes_no.add(f"{accept_col}2:{accept_col}{len(rows) + 1}")

    editable = {headers.index(h) + 1 for h in (*EDIT_COLUMNS, *EXTRA_COLUMNS)}
    for row in ws.iter_rows(min_row=1, max_row=len(rows) + 1):
        for cell in row:
            if cell.row == 1:
                cell.font = Font(bold=True)
                cell.fill = HEADER_FILL
            elif cell.column in editable:
                cell.protection = Protection(locked=False)
                cell.fill = EDIT_FILL
            cell.alignment = Alignment(wrap_text=cell.column_letter in ("H", "I", "J"), vertical="top")
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = {"text": 60, "flags": 40, "candidates": 40}.get(h, 16)
    ws.column_dimensions["A"].hidden = True  # the row key: needed, never to be edited
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    ws.protection.sheet = True  # locked cells (keys, context) cannot be edited
    ws.protection.autoFilter = False
    ws.protection.sort = False
    _legend(wb)
    exported.sheet_state = "hidden"
    lists.sheet_state = "hidden"

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".review-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(rows)


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a).strip() == str(b).strip()


def read_edits(path: Path, current: pd.DataFrame) -> tuple[list[dict], list[Rejected]]:
    """Compare the clerk's workbook with what was exported; validate every changed cell."""
    path = Path(path)
    try:
        wb = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ValueError(f"{path.name}: not a readable review workbook ({exc})") from exc
    if "Review" not in wb.sheetnames or "Exported" not in wb.sheetnames:
        raise ValueError(f"{path.name}: not a reja review workbook (sheets Review/Exported missing)")
    ws, exported = wb["Review"], wb["Exported"]
    headers = [c.value for c in ws[1]]
    if KEY_COLUMN not in headers:
        raise ValueError(f"{path.name}: the hidden row key column is missing")
    # one key may stand in several rows (versions of a plan that are both current): keep them all
    original: dict[str, list[tuple]] = {}
    for row in exported.iter_rows(min_row=2, values_only=True):
        if row and row[0]:
            original.setdefault(row[0], []).append(row)
    by_key = current.set_index("row_key") if len(current) else current
    edits, rejected = [], []
    for excel_row, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        values = dict(zip(headers, row, strict=False))
        key = values.get(KEY_COLUMN)
        if not key:
            continue
        where = f"{path.name} row {excel_row}"
        versions = original.get(key)
        if versions is None:
            rejected.append(Rejected(where, KEY_COLUMN, str(key), "row key was changed or added by hand"))
            continue
        # the clerk may have sorted the sheet: compare with the exported twin this row differs least from
        changed = min(
            ([h for h in (*EDIT_COLUMNS, "accept") if not _same(values.get(h), was.get(h))]
             for was in (dict(zip(headers, v, strict=False)) for v in versions)),
            key=len,
        )  # fmt: skip
        if not changed:
            continue
        if key not in by_key.index:
            for h in changed:
                rejected.append(Rejected(where, h, str(values.get(h)),
                                         "this row no longer exists in the store (re-imported without it?)"))
            continue
        stored = by_key.loc[key]
        if isinstance(stored, pd.DataFrame):  # twins share their corrections: any one gives the context
            stored = stored.iloc[0]
        context = row_context(stored)
        why = values.get("why")
        for h in changed:
            if h == "accept":
                already = "accepted" in str(_cell_value(stored.get("corrected_fields")) or "").split(",")
                if str(values.get(h) or "").strip().lower() == "yes" and not already:
                    edits.append(dict(row_key=key, field=ACCEPT_FIELD, before=None, after="yes",
                                      why=why or "accepted in Excel", context=context))
                continue
            fieldname = FIELD_OF.get(h, h)
            clean, reason = check_value(fieldname, values.get(h))
            if reason:
                rejected.append(Rejected(where, h, str(values.get(h)), reason))
                continue
            if _same(clean, _cell_value(stored.get(fieldname))):
                continue  # the store already says so (this workbook was applied before): nothing to record
            edits.append(dict(row_key=key, field=fieldname, before=_cell_value(stored.get(fieldname)),
                              after=clean, why=why, context=context))
    return edits, rejected


def apply_workbook(path: Path, current: pd.DataFrame, db: Path, *, who: str) -> ApplyResult:
    """Valid edits become corrections (one transaction); each refused edit is reported."""
    edits, rejected = read_edits(path, current)
    ids = record_many(db, edits, who=who, via="excel") if edits else []
    return ApplyResult(applied=len(ids), rejected=rejected, correction_ids=ids)
