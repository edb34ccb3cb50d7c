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

import copy as copying
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

from reja.corrections import ACCEPT_FIELD, record_many, row_context, same_value
from reja.db import exists
from reja.i18n import _

from .validate import Rejected, check_value


def N_(message: str) -> str:  # noqa: N802 - marks a message of reja.i18n (translated where shown)
    return message

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
    ignored: list[str] = field(default_factory=list)  # typed outside the yellow cells: listed, not saved


def _cell_value(value):
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars → Python
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def readable_candidates(raw: str | None, names: dict | None = None) -> str | None:
    """`{"indicator": [["classification", 96.5], …], …}` → "ko‘rsatkich: Tasniflash [classification] 96, …":
    the catalogue's Uzbek name first (what the clerk knows), the id in brackets (what the dropdowns hold)."""
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return raw
    kinds = {"section": _("section"), "indicator": _("indicator"), "unit": _("unit")}
    parts = []
    for kind, entries in sorted((data or {}).items()):
        named = (names or {}).get(kind, {})
        shown = ", ".join(
            (f"{named[e[0]]} [{e[0]}] {float(e[1]):.0f}" if e[0] in named else f"{e[0]} {float(e[1]):.0f}")
            for e in entries or [] if isinstance(e, list) and len(e) >= 2 and e[1] is not None)
        if shown:
            parts.append(f"{kinds.get(kind, kind)}: {shown}")
    return "; ".join(parts) or None


def _names(catalogue) -> dict[str, dict[str, str]]:
    return {"section": {e.id: e.name_latn for e in catalogue.sections.values()},
            "indicator": {e.id: e.name_latn for e in catalogue.indicators.values()},
            "unit": {e.id: e.name_latn for e in catalogue.units.values()}}


# The clerk reads column headings in their language; `apply` maps a heading in any language back to
# its column (the msgid is the column's name, so English shows the dataset's own column names).
COLUMN_LABELS = {
    "source_file": N_("source_file"),
    "district": N_("district"),
    "year": N_("year"),
    "page": N_("page"),
    "section_no": N_("section_no"),
    "item_no": N_("item_no"),
    "text": N_("text"),
    "flags": N_("flags"),
    "candidates": N_("candidates"),
    "section_id": N_("section_id"),
    "indicator_id": N_("indicator_id"),
    "unit_id": N_("unit_id"),
    "fact_value": N_("fact_value"),
    "plan_value": N_("plan_value"),
    "unit": N_("unit"),
    "text_fix": N_("text_fix"),
    "item_no_fix": N_("item_no_fix"),
    "deadline": N_("deadline"),
    "responsible": N_("responsible"),
    "accept": N_("accept"),
    "why": N_("why"),
}
REVIEW_SHEET = N_("Review")


def _column_of(label) -> str | None:
    from reja.i18n import LANGUAGES, translate

    if label in COLUMN_LABELS or label == KEY_COLUMN:
        return label
    for name in COLUMN_LABELS:
        if any(label == translate(name, lang) for lang in LANGUAGES):
            return name
    return label


def _review_sheet(wb):
    from reja.i18n import LANGUAGES, translate

    for name in {REVIEW_SHEET, *(translate(REVIEW_SHEET, lang) for lang in LANGUAGES)}:
        if name in wb.sheetnames:
            return wb[name]
    return None


def _legend(wb) -> None:
    """A sheet that explains every flag code in words (the clerk sees codes in the flags column)."""
    from openpyxl.cell import WriteOnlyCell

    from reja.i18n import _, flag_explanation
    from reja.schema.flags import FLAG_CODES

    sheet = wb.create_sheet(_("Flags explained"))
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 90
    header = []
    for text in (_("flag"), _("what it means")):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for code in FLAG_CODES:  # the code stays as written in the flags column; its meaning is translated
        sheet.append([code, flag_explanation(code)])


def _lists(catalogue) -> dict[str, list[str]]:
    return {
        "section_id": [f"{s.id} — {s.name_latn}" for s in catalogue.sections.values()],
        "indicator_id": [f"{i.id} — {i.name_latn}" for i in catalogue.indicators.values()],
        "unit_id": [f"{u.id} — {u.name_latn}" for u in catalogue.units.values()],
    }


def export_workbook(items, path: Path, *, only_flagged: bool = True) -> int:
    """Write the review workbook atomically; return the number of rows in it. `items`: a frame, or
    pieces of one in order."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)  # where it cannot be written, nothing is begun
    fd, tmp = tempfile.mkstemp(prefix=".review-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        n = _write_review(items, tmp, only_flagged=only_flagged)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return n


def _write_review(items, tmp: str, *, only_flagged: bool) -> int:
    """The review workbook into `tmp`; `items` is a frame or an iterable of frames (pieces in order,
    e.g. `reja.review.data.flagged_pieces`). The sheets are written row by row (openpyxl's
    write-only mode; validations, filter and protection are written at the end): a national store's
    flagged rows are hundreds of thousands, which a workbook held in memory cannot take (issue 22)."""
    from openpyxl.cell import WriteOnlyCell

    from reja.export import excel_row
    from reja.schema.catalogue import load_catalogue

    catalogue = load_catalogue()
    headers = (KEY_COLUMN, *CONTEXT_COLUMNS, *EDIT_COLUMNS, *EXTRA_COLUMNS)

    names = _names(catalogue)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_(REVIEW_SHEET))
    exported = wb.create_sheet("Exported")
    lists = wb.create_sheet("Lists")
    for i, h in enumerate(headers, start=1):  # widths before the first row (write-only)
        ws.column_dimensions[get_column_letter(i)].width = {"text": 60, "flags": 40, "candidates": 40}.get(h, 16)
    ws.column_dimensions["A"].hidden = True  # the row key: needed, never to be edited
    ws.freeze_panes = "B2"
    ws.protection.sheet = True  # locked cells (keys, context) cannot be edited
    ws.protection.autoFilter = False
    ws.protection.sort = False

    editable = {headers.index(h) for h in (*EDIT_COLUMNS, *EXTRA_COLUMNS)}
    wrapped = {i for i in range(len(headers)) if get_column_letter(i + 1) in ("H", "I", "J")}
    aligned = {True: Alignment(wrap_text=True, vertical="top"), False: Alignment(wrap_text=False, vertical="top")}
    unlocked, bold = Protection(locked=False), Font(bold=True)  # one style object each, shared by the cells

    def style_of(i: int, header: bool):
        cell = WriteOnlyCell(ws)
        if header:
            cell.font = bold
            cell.fill = HEADER_FILL
        elif i in editable:
            cell.protection = unlocked
            cell.fill = EDIT_FILL
        cell.alignment = aligned[i in wrapped]
        return cell._style  # the style's indexes in the workbook: registered once, copied to each cell

    styles = {header: [style_of(i, header) for i in range(len(headers))] for header in (True, False)}

    def styled(values: list, header: bool = False) -> list:
        out = []
        for value, style in zip(values, styles[header], strict=True):
            cell = WriteOnlyCell(ws, value=value)
            if cell.data_type == "f":  # openpyxl takes any "=…" string as a formula: plan text stays text
                cell.data_type = "s"
            cell._style = copying.copy(style)
            out.append(cell)
        return out

    def plain(values: list) -> list:
        out = []
        for value in values:
            cell = WriteOnlyCell(exported, value=value)
            if cell.data_type == "f":
                cell.data_type = "s"
            out.append(cell)
        return out

    ws.append(styled([h if h == KEY_COLUMN else _(COLUMN_LABELS[h]) for h in headers], header=True))
    exported.append(plain(list(headers)))
    n = 0
    for piece in [items] if isinstance(items, pd.DataFrame) else items:
        rows = piece[piece["status"] == "flagged"] if only_flagged else piece
        n += len(rows)
        for _i, r in rows.iterrows():
            values = []
            for h in headers:
                if h in FIELD_OF or h in EXTRA_COLUMNS:
                    values.append(None)
                elif h == "candidates":
                    values.append(readable_candidates(_cell_value(r.get("match_candidates")), names))
                else:
                    values.append(_cell_value(r.get(h)))
            values = excel_row(values, list(headers))  # over-long text cut with a marker and a flag
            ws.append(styled(values))
            exported.append(plain(values))

    last = n + 1  # the sheet's last row (the header is row 1)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{last}"
    for col, (name, entries) in enumerate(_lists(catalogue).items(), start=1):
        letter = get_column_letter(col)
        target = get_column_letter(headers.index(name) + 1)
        dv = DataValidation(type="list", formula1=f"=Lists!${letter}$2:${letter}${len(entries) + 1}",
                            allow_blank=True, showErrorMessage=False)
        dv.prompt = _("Pick from the catalogue (or leave as is)")
        ws.data_validations.append(dv)
        if n:
            dv.add(f"{target}2:{target}{last}")
    yes_no = DataValidation(type="list", formula1='"yes"', allow_blank=True)
    ws.data_validations.append(yes_no)
    accept_col = get_column_letter(headers.index("accept") + 1)
    if n:
        yes_no.add(f"{accept_col}2:{accept_col}{last}")

    columns = list(_lists(catalogue).items())
    lists.append([name for name, _entries in columns])
    for i in range(max((len(entries) for _name, entries in columns), default=0)):
        lists.append([entries[i] if i < len(entries) else None for _name, entries in columns])
    _legend(wb)
    exported.sheet_state = "hidden"
    lists.sheet_state = "hidden"

    wb.save(tmp)
    return n


# What a clerk writes to accept a row, in the languages clerks use; and what says "not accepted".
ACCEPT_WORDS = frozenset({"yes", "y", "ok", "true", "1", "+", "✓", "✔", "ha", "xa", "ha'", "ҳа", "ха", "да", "д"})
NOT_ACCEPTED_WORDS = frozenset({"no", "n", "false", "0", "-", "yo'q", "yoʻq", "yo‘q", "yoq", "йўқ", "йук", "нет"})
# The locked columns that name a row: when they no longer agree with the hidden copy under the same
# hidden key, the visible columns were sorted or moved without column A.
IDENTITY_COLUMNS = ("source_file", "district", "year", "page", "section_no", "item_no", "text")


@dataclass
class _Sheet:
    path: Path
    headers: list
    rows: list[tuple[int, dict]]  # (excel row, values by header) of the Review sheet
    exported: dict[str, list[dict]]  # key → exported copies (one key may stand in several rows)


def _other_format(path: Path) -> str | None:
    """What a file saved in another spreadsheet format is (by its bytes, whatever its name), or None."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return None
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return N_("an old Excel 97–2003 file (.xls)")
    if path.suffix.lower() in (".ods", ".xls", ".xlsb", ".csv", ".numbers"):
        return {"ods": N_("a LibreOffice Calc file (.ods)"), "xls": N_("an old Excel 97–2003 file (.xls)"),
                "xlsb": N_("an Excel binary file (.xlsb)"), "csv": N_("a CSV file"), "numbers": N_("a Numbers file")}[
            path.suffix.lower().lstrip(".")]
    if head.startswith(b"PK"):
        import zipfile

        try:
            with zipfile.ZipFile(path) as z:
                if "mimetype" in z.namelist() and b"opendocument.spreadsheet" in z.read("mimetype"):
                    return N_("a LibreOffice Calc file (.ods)")
        except (zipfile.BadZipFile, OSError, KeyError):
            return None
    return None


def _read(path: Path) -> _Sheet:
    path = Path(path)
    other = _other_format(path)
    if other:
        raise ValueError(_("{file}: this is {kind}, not the review workbook as reja wrote it: open it in Excel or "
                           "LibreOffice, choose Save As → Excel Workbook (.xlsx), and apply that file").format(
                               file=path.name, kind=_(other)))
    try:
        wb = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ValueError(_("{file}: not a readable review workbook ({reason})").format(file=path.name, reason=exc)) from exc
    ws = _review_sheet(wb)
    if ws is None or "Exported" not in wb.sheetnames:
        raise ValueError(_("{file}: not a reja review workbook (its sheets Review/Exported are missing)").format(
            file=path.name))
    exported = wb["Exported"]
    headers = [_column_of(c.value) for c in ws[1]]
    if KEY_COLUMN not in headers:
        raise ValueError(_("{file}: the hidden row key column is missing").format(file=path.name))
    copies: dict[str, list[dict]] = {}
    exported_headers = [c.value for c in exported[1]]
    for row in exported.iter_rows(min_row=2, values_only=True):
        if row and row[0]:
            copies.setdefault(row[0], []).append(dict(zip(exported_headers, row, strict=False)))
    rows = [(n, dict(zip(headers, row, strict=False))) for n, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2)]
    return _Sheet(path, headers, rows, copies)


def _identity_diff(values: dict, copy: dict) -> list[str]:
    return [h for h in IDENTITY_COLUMNS if h in values and not same_value(values.get(h), copy.get(h))]


def _check_order(sheet: _Sheet) -> None:
    """Refuse the whole workbook when a row's visible identity belongs to another hidden key (the
    sheet was sorted without column A) or differs from its own in several columns."""
    by_identity: dict[tuple, str] = {}
    for key, copies in sheet.exported.items():
        for copy in copies:
            by_identity.setdefault(tuple(str(copy.get(h) or "").strip() for h in IDENTITY_COLUMNS), key)
    wrong = []
    for excel_row, values in sheet.rows:
        key = values.get(KEY_COLUMN)
        copies = sheet.exported.get(key) if key else None
        if not copies:
            continue
        diff = min((_identity_diff(values, copy) for copy in copies), key=len)
        if not diff:
            continue
        other = by_identity.get(tuple(str(values.get(h) or "").strip() for h in IDENTITY_COLUMNS))
        if (other is not None and other != key) or len(diff) >= 2:
            wrong.append((excel_row, values, copies[0]))
    if wrong:
        excel_row, values, copy = wrong[0]
        raise ValueError(_(
            "{file}: the rows no longer match their hidden row keys ({n} row(s); e.g. row {row} shows item "
            "{shown_item} '{shown_text}' but its key belongs to item {item} '{text}'): the sheet was sorted or "
            "rows were moved without the hidden column A. Nothing was saved. Undo the sort (or sort the whole "
            "sheet, column A included), or export a fresh workbook with `reja review export`."
        ).format(file=sheet.path.name, n=len(wrong), row=excel_row, shown_item=values.get("item_no"),
                 shown_text=str(values.get("text") or "")[:40], item=copy.get("item_no"),
                 text=str(copy.get("text") or "")[:40]))


def _accept_word(value) -> bool | None:
    """True (accept), False (not accepted / empty), None (a word that says neither)."""
    text = str(_cell_value(value) if value is not None else "").strip().lower().rstrip(".!")
    if not text or text in NOT_ACCEPTED_WORDS:
        return False
    return True if text in ACCEPT_WORDS else None


def _changed_by(c) -> str:
    return _("correction #{id} by {who} at {at}").format(id=c.id, who=c.who, at=c.at[:16].replace("T", " "))


def read_edits(path: Path, current: pd.DataFrame, db: Path | None = None) -> tuple[list[dict], list[Rejected], list[str]]:
    """Compare the clerk's workbook with what was exported; validate every changed cell.

    Returns (edits, refused edits, ignored edits). Raises ValueError for a workbook that cannot be
    read as a whole: not a review workbook, or rows that no longer match their hidden keys."""
    from reja.corrections import all_corrections, effective

    path = Path(path)
    sheet = _read(path)
    _check_order(sheet)
    in_force = effective(all_corrections(db)) if db is not None and exists(db) else {}
    by_key = current.set_index("row_key") if len(current) else current
    editable = (*EDIT_COLUMNS, "accept")
    edits, rejected, ignored = [], [], []
    for excel_row, values in sheet.rows:
        key = values.get(KEY_COLUMN)
        where = _("{file} row {row}").format(file=path.name, row=excel_row)
        if not key:
            typed = [h for h in sheet.headers if h and values.get(h) not in (None, "")]
            if typed:
                ignored.append(_("{where}: a row without a hidden key (added by hand): {columns}").format(
                    where=where, columns=", ".join(map(str, typed))))
            continue
        copies = sheet.exported.get(key)
        if copies is None:
            rejected.append(Rejected(where, KEY_COLUMN, str(key), _("row key was changed or added by hand")))
            continue
        # one key may stand in several rows (twins): compare with the copy this row IS (its identity)
        was = min(copies, key=lambda copy: (len(_identity_diff(values, copy)),
                                            sum(not same_value(values.get(h), copy.get(h)) for h in editable)))
        for h in sheet.headers:
            if h and h not in editable and h not in ("why", KEY_COLUMN) and not same_value(values.get(h), was.get(h)):
                ignored.append(_("{where}, {column} = '{value}': not a yellow cell, not saved").format(
                    where=where, column=h, value=values.get(h)))
        changed = [h for h in editable if not same_value(values.get(h), was.get(h))]
        if not changed:
            continue
        if key not in by_key.index:
            for h in changed:
                rejected.append(Rejected(where, h, str(values.get(h)),
                                         _("this row no longer exists in the store (re-imported without it?)")))
            continue
        stored = by_key.loc[key]
        if isinstance(stored, pd.DataFrame):  # twins share their corrections: any one gives the context
            stored = stored.iloc[0]
        context = row_context(stored)
        why = values.get("why")
        for h in changed:
            if h == "accept":
                answer = _accept_word(values.get(h))
                if answer is None:
                    rejected.append(Rejected(where, h, str(values.get(h)),
                                             _("write yes, ha, да or + to accept the row (or leave it empty)")))
                    continue
                already = "accepted" in str(_cell_value(stored.get("corrected_fields")) or "").split(",")
                if answer and not already:  # held-back corrections are settled with it (reja.corrections)
                    edits.append(dict(row_key=key, field=ACCEPT_FIELD, before=None, after="yes",
                                      why=why or _("accepted in Excel"), context=context))
                continue
            fieldname = FIELD_OF.get(h, h)
            clean, reason = check_value(fieldname, values.get(h))
            if reason:
                rejected.append(Rejected(where, h, str(values.get(h)), reason))
                continue
            now = _cell_value(stored.get(fieldname))
            if same_value(clean, now):
                continue  # the store already says so (this workbook was applied before): nothing to record
            exported_value = was.get(fieldname) if h in FIELD_OF else was.get(h)
            if not same_value(_cell_value(exported_value), now):
                newer = in_force.get((key, fieldname))
                by = _changed_by(newer) if newer is not None else _("a re-import of the plan")
                rejected.append(Rejected(where, h, str(values.get(h)), _(
                    "changed after this workbook was exported ({by}): '{was}' then, '{now}' now; not overridden. "
                    "Export a fresh workbook to change it again").format(by=by, was=exported_value, now=now)))
                continue
            edits.append(dict(row_key=key, field=fieldname, before=now, after=clean, why=why, context=context))
    return edits, rejected, ignored


def apply_workbook(path: Path, current: pd.DataFrame, db: Path, *, who: str) -> ApplyResult:
    """Valid edits become corrections (one transaction); each refused or ignored edit is reported."""
    edits, rejected, ignored = read_edits(path, current, db)
    ids = record_many(db, edits, who=who, via="excel") if edits else []
    return ApplyResult(applied=len(ids), rejected=rejected, correction_ids=ids, ignored=ignored)
