"""The clerk's corrections: append-only, kept apart from the extracted data, never lost.

A correction says: in the row with this `row_key` (see `reja.records`: it survives a re-import of
the same file and a corrected re-scan of the same plan), field F was V1 and a person (who, when,
why) made it V2. Corrections live in their own table of the store; import never touches it, so a
re-import cannot lose one. SQLite triggers refuse UPDATE and DELETE on the table: undo is a new
row that reverts an earlier one, so the full history stays.

The dataset a user sees is extraction + the effective corrections: for each (row, field) the
latest correction that has not been reverted. Two clerks editing at once both get their rows
written (each write is its own transaction, WAL mode, a busy timeout): nothing is lost, the later
edit wins, and `history()` shows both.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

# The fields a clerk may correct, with how their values are checked (see validate.py).
EDITABLE_FIELDS: dict[str, str] = {
    "section_id": "section",
    "indicator_id": "indicator",
    "unit_id": "unit",
    "item_no": "text",
    "parent_item_no": "text",
    "section_no": "text",
    "section_title": "text",
    "text": "text",
    "unit": "text",
    "fact_value": "number",
    "plan_value": "number",
    "fact_year": "year",
    "plan_year": "year",
    "deadline": "text",
    "mechanism": "text",
    "responsible": "text",
}

# A correction of this field with the same value confirms the pipeline's value ("accept").
ACCEPT_FIELD = "_accepted"

SCHEMA = """
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    row_key TEXT NOT NULL,
    field TEXT NOT NULL,
    value_before TEXT,
    value_after TEXT,
    who TEXT NOT NULL,
    at TEXT NOT NULL,
    why TEXT,
    via TEXT NOT NULL,
    reverts INTEGER REFERENCES corrections(id),
    context TEXT
);
CREATE INDEX IF NOT EXISTS corrections_row ON corrections(row_key, field);
CREATE TRIGGER IF NOT EXISTS corrections_append_only_update BEFORE UPDATE ON corrections
BEGIN SELECT RAISE(ABORT, 'corrections are append-only: undo adds a reverting row'); END;
CREATE TRIGGER IF NOT EXISTS corrections_append_only_delete BEFORE DELETE ON corrections
BEGIN SELECT RAISE(ABORT, 'corrections are append-only: undo adds a reverting row'); END;
"""


@dataclass(frozen=True)
class Correction:
    id: int
    row_key: str
    field: str
    value_before: str | None
    value_after: str | None
    who: str
    at: str
    why: str | None
    via: str
    reverts: int | None
    context: dict


@dataclass
class ApplyReport:
    applied: int
    orphans: list[Correction]  # effective corrections whose row is not in the dataset any more

    def describe_orphans(self) -> list[str]:
        out = []
        for c in self.orphans:
            ctx = c.context
            where = " ".join(str(ctx[k]) for k in ("district", "year", "item_no") if ctx.get(k))
            out.append(
                f"correction #{c.id} by {c.who} ({c.field}: {c.value_before!r} → {c.value_after!r}) "
                f"for row {c.row_key} [{where}] — that row is no longer in the dataset; kept, not applied"
            )
        return out


# What a correction remembers of its row: enough to report it if the row vanishes, and to learn
# a synonym from it (the wording that was matched, and the ids it had).
CONTEXT_FIELDS = ("district", "year", "item_no", "source_file", "text", "section_title", "unit",
                  "section_id", "indicator_id", "unit_id")


def row_context(row) -> dict:
    out = {}
    for name in CONTEXT_FIELDS:
        value = row.get(name)
        out[name] = None if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else (
            value.item() if hasattr(value, "item") else value)
    return out


def connect(db: Path | str) -> sqlite3.Connection:
    con = sqlite3.connect(str(db), timeout=30, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA busy_timeout=30000")
    con.executescript(SCHEMA)
    return con


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _text(value) -> str | None:
    # pd.NA / NaT too: the review page passes a row's missing cell as is, and str(pd.NA) is "<NA>"
    if value is None or (not isinstance(value, str | list | dict | tuple) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _applicable(field: str, after) -> str | None:
    """The value as stored, refused (ValueError) when `apply_corrections` could not put it in the
    dataset: the table is append-only, so a bad value would break every later load until undone."""
    text = _text(after)
    kind = EDITABLE_FIELDS.get(field)
    if text is None or kind not in ("number", "year"):
        return text
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{field}: '{text}' is not a number") from None
    if kind == "year" and not number.is_integer():
        raise ValueError(f"{field}: '{text}' is not a year")
    return text


def record(
    db: Path | str,
    row_key: str,
    field: str,
    before,
    after,
    *,
    who: str,
    why: str | None = None,
    via: str = "cli",
    context: dict | None = None,
    reverts: int | None = None,
) -> int:
    """Append one correction (its own transaction) and return its id."""
    if field not in EDITABLE_FIELDS and field != ACCEPT_FIELD:
        raise ValueError(f"field '{field}' cannot be corrected (editable: {', '.join(EDITABLE_FIELDS)})")
    if not who or not who.strip():
        raise ValueError("a correction needs the clerk's name (who)")
    con = connect(db)
    try:
        cur = con.execute(
            "INSERT INTO corrections(row_key, field, value_before, value_after, who, at, why, via, reverts, context)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)",
            (row_key, field, _text(before), _applicable(field, after), who.strip(), _now(), why, via, reverts,
             json.dumps(context or {}, ensure_ascii=False, default=str)),
        )
        return int(cur.lastrowid)
    finally:
        con.close()


def record_many(db: Path | str, edits: Iterable[dict], *, who: str, via: str) -> list[int]:
    """Append several corrections in ONE transaction: an Excel file is applied whole or not at all."""
    edits = list(edits)
    for e in edits:  # checked before the transaction: a workbook is applied whole or not at all
        _applicable(e["field"], e.get("after"))
    con = connect(db)
    ids = []
    try:
        con.execute("BEGIN IMMEDIATE")
        for e in edits:
            cur = con.execute(
                "INSERT INTO corrections(row_key, field, value_before, value_after, who, at, why, via, reverts, context)"
                " VALUES (?,?,?,?,?,?,?,?,?,?)",
                (e["row_key"], e["field"], _text(e.get("before")), _applicable(e["field"], e.get("after")), who, _now(),
                 e.get("why"), via, None, json.dumps(e.get("context") or {}, ensure_ascii=False, default=str)),
            )
            ids.append(int(cur.lastrowid))
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    finally:
        con.close()
    return ids


def all_corrections(db: Path | str) -> list[Correction]:
    con = connect(db)
    try:
        rows = con.execute(
            "SELECT id, row_key, field, value_before, value_after, who, at, why, via, reverts, context"
            " FROM corrections ORDER BY id"
        ).fetchall()
    finally:
        con.close()
    return [Correction(*r[:10], json.loads(r[10] or "{}")) for r in rows]


def effective(corrections: list[Correction]) -> dict[tuple[str, str], Correction]:
    """(row_key, field) → the correction in force: the latest one not reverted."""
    reverted = {c.reverts for c in corrections if c.reverts is not None}
    stacks: dict[tuple[str, str], list[Correction]] = {}
    for c in corrections:
        if c.reverts is None and c.id not in reverted:
            stacks.setdefault((c.row_key, c.field), []).append(c)
    return {key: stack[-1] for key, stack in stacks.items()}


def undo(db: Path | str, correction_id: int, *, who: str, why: str | None = "undo") -> int:
    """Revert one correction by appending a reverting row; the previous value comes back."""
    by_id = {c.id: c for c in all_corrections(db)}
    target = by_id.get(correction_id)
    if target is None:
        raise ValueError(f"no correction #{correction_id}")
    if target.reverts is not None:
        raise ValueError(f"correction #{correction_id} is itself an undo; correct the field again instead")
    if any(c.reverts == correction_id for c in by_id.values()):
        raise ValueError(f"correction #{correction_id} was already undone")
    return record(db, target.row_key, target.field, target.value_after, target.value_before,
                  who=who, why=why, via="undo", reverts=correction_id, context=target.context)


def history(db: Path | str, row_key: str) -> list[Correction]:
    return [c for c in all_corrections(db) if c.row_key == row_key]


def _coerce(field: str, value: str | None):
    if value is None:
        return None
    kind = EDITABLE_FIELDS.get(field)
    if kind == "number":
        return float(value)
    if kind == "year":
        return int(float(value))
    return value


def apply_corrections(items: pd.DataFrame, db: Path | str) -> tuple[pd.DataFrame, ApplyReport]:
    """Extraction + effective corrections. Rows touched get status 'corrected' and the list of
    fields a person changed in `corrected_fields`; corrections for rows that are gone are reported."""
    in_force = effective(all_corrections(db))
    out = items.copy()
    if "corrected_fields" not in out.columns:
        out["corrected_fields"] = ""
    # one key may stand in several rows: versions of the same plan (DOCX and its re-scan)
    rows_by_key: dict[str, list] = {}
    for idx, key in zip(out.index, out["row_key"], strict=True):
        rows_by_key.setdefault(key, []).append(idx)
    applied, orphans = 0, []
    for (row_key, field), c in sorted(in_force.items(), key=lambda kv: kv[1].id):
        indexes = rows_by_key.get(row_key)
        if not indexes:
            orphans.append(c)
            continue
        label = "accepted" if field == ACCEPT_FIELD else field
        for idx in indexes:
            if field != ACCEPT_FIELD:
                out.at[idx, field] = _coerce(field, c.value_after)
            previous = out.at[idx, "corrected_fields"]
            done = [f for f in ("" if pd.isna(previous) else str(previous)).split(",") if f]
            if label not in done:
                done.append(label)
            out.at[idx, "corrected_fields"] = ",".join(done)
            out.at[idx, "status"] = "corrected"
        applied += 1
    return out, ApplyReport(applied, orphans)
