"""The clerk's corrections: append-only, kept apart from the extracted data, never lost.

A correction says: in the row with this `row_key` (see `reja.records`: it survives a re-import of
the same file and a corrected re-scan of the same plan), field F was V1 and a person (who, when,
why) made it V2. Corrections live in their own table of the store; import never touches it, so a
re-import cannot lose one. Triggers of the database (SQLite's, or PostgreSQL's when the store is a
server: `reja.db.Connection.append_only`) refuse UPDATE and DELETE on the table: undo is a new row
that reverts an earlier one, so the full history stays.

The dataset a user sees is extraction + the effective corrections: for each (row, field) the
latest correction that has not been reverted.

Anchoring (issue 14): a correction remembers the SOURCE value it replaced (`context["source"]`: what
the plan itself said, not an earlier correction) and, for rows that only their order tells apart,
how many such twins there were (`context["twins"]`). On every load, when the plan now says something
else (the district re-sent it with 1 400 where the clerk had corrected 1 350 to 1 750), or the
number of twins changed (a re-send dropped one of two same-worded rows), the correction is NOT
applied: the row shows the plan's value and is flagged `correction_conflict` with the source now,
the source before and the corrected value, and the clerk chooses (a new correction of the field, or
accepting the row, settles it). A plan that now says what the correction says (a re-match by the
wording the clerk taught, reja.review.bulk) is no conflict. Corrections older than anchoring take as anchor the value_before of
the first correction of the same row and field (what the row showed before anyone corrected it). Two clerks editing at once both get their rows
written (each write is its own transaction, WAL mode, a busy timeout): nothing is lost, the later
edit wins, and `history()` shows both.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from reja import db as dbapi

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

# column types in braces: the dialect's (reja.db.Connection.ddl)
SCHEMA = """
CREATE TABLE IF NOT EXISTS corrections (
    id {id},
    row_key {text} NOT NULL,
    field {text} NOT NULL,
    value_before {text},
    value_after {text},
    who {text} NOT NULL,
    at {text} NOT NULL,
    why {text},
    via {text} NOT NULL,
    reverts {int} REFERENCES corrections(id),
    context {text}
)"""
INDEX = "CREATE INDEX IF NOT EXISTS corrections_row ON corrections(row_key, field)"
APPEND_ONLY = "corrections are append-only: undo adds a reverting row"


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
class Conflict:
    """A correction held back: the plan changed under it since the clerk made it."""

    correction: Correction
    row_key: str
    field: str
    source_now: str | None
    source_before: str | None
    corrected: str | None
    twins_before: int | None = None
    twins_now: int | None = None

    def flag(self) -> str:
        c = self.correction
        if self.twins_before is not None and self.twins_before != self.twins_now:
            return (f"correction_conflict: {self.field}: {self.twins_before} same-worded rows when corrected, "
                    f"{self.twins_now} now; corrected {self.corrected!r} (#{c.id} by {c.who}) may belong to "
                    "another of them")
        return (f"correction_conflict: {self.field}: source now {self.source_now!r}, before "
                f"{self.source_before!r}, corrected {self.corrected!r} (#{c.id} by {c.who})")


@dataclass
class ApplyReport:
    applied: int
    orphans: list[Correction]  # effective corrections whose row is not in the dataset any more
    conflicts: list[Conflict] = field(default_factory=list)  # held back: the plan changed under them

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
                  "section_id", "indicator_id", "unit_id", "document_id", "district_id", "flags")
# Columns `apply_corrections` adds for the review tools: the plan's own values of corrected fields,
# the number of same-worded twins, and the fields whose correction is held back. `row_context`
# hands them to `record`, which anchors a new correction on them.
SOURCE_COLUMN, TWINS_COLUMN, CONFLICTS_COLUMN = "source_values", "key_twins", "correction_conflicts"


def _plain(value):
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def row_context(row) -> dict:
    out = {name: _plain(row.get(name)) for name in CONTEXT_FIELDS}
    sources = _plain(row.get(SOURCE_COLUMN))
    out[SOURCE_COLUMN] = json.loads(sources) if isinstance(sources, str) and sources else {}
    twins = _plain(row.get(TWINS_COLUMN))
    if twins is not None:
        out["twins"] = int(twins)
    held = _plain(row.get(CONFLICTS_COLUMN))
    if isinstance(held, str) and held:  # held-back corrections: what an acceptance of the row settles
        out["held"] = {f: {"correction": cid, "value": _plain(row.get(f))}
                       for f, cid in json.loads(held).items() if f in EDITABLE_FIELDS}
    return out


def _with_settling(edits: list[dict]) -> list[dict]:
    """An acceptance of a row with held-back corrections keeps the plan's values the clerk saw: one
    correction per held field (source now → source now), in the same action as the acceptance (so
    "undo my last change" undoes them together)."""
    import secrets

    out = []
    for e in edits:
        held = (e.get("context") or {}).get("held") or {}
        if e["field"] == ACCEPT_FIELD and held:
            context = dict(e.get("context") or {})
            context.setdefault("action", secrets.token_hex(6))
            for fieldname, entry in held.items():
                out.append(dict(row_key=e["row_key"], field=fieldname, before=entry["value"], after=entry["value"],
                                why=f"kept the plan's value over correction #{entry['correction']}", context=context))
            e = {**e, "context": context}
        out.append(e)
    return out


def _doubts(flags) -> str | None:
    """A row's own flags, without the conflicts corrections raise over it (settling one must not
    unsettle an acceptance)."""
    kept = [f for f in (_text(flags) or "").split("; ") if f and not f.startswith("correction_conflict")]
    return "; ".join(kept) or None


def _anchored(field: str, before, context: dict | None) -> dict:
    """The context to store: the row's context plus the SOURCE value this correction replaces (the
    plan's own value of the field, whatever corrections showed over it) — see the module doc."""
    context = dict(context or {})
    sources = context.pop(SOURCE_COLUMN, None) or {}
    context.pop("held", None)
    if "source" not in context:
        if field == ACCEPT_FIELD:
            context["source"] = _doubts(context.get("flags"))  # an acceptance holds for the doubts it saw
        else:
            context["source"] = _text(sources[field]) if field in sources else _text(before)
    return context


def connect(db: Path | str) -> dbapi.Connection:
    """The store's database with the corrections table (made, with its append-only triggers, when missing)."""
    con = dbapi.connect(db, timeout=30, wal=True)
    try:
        if not con.postgres:
            con.executescript(con.ddl(SCHEMA) + ";\n" + INDEX + ";")
            con.append_only("corrections", APPEND_ONLY)
        elif "corrections" not in con.tables():  # a shared server: DDL only once, one creator at a time
            with con.writing():
                con.execute(con.ddl(SCHEMA))
                con.execute(INDEX)
                con.append_only("corrections", APPEND_ONLY)
    except BaseException:
        con.close()
        raise
    return con


# the one way a correction is written: the table is append-only (triggers refuse UPDATE and DELETE)
INSERT_CORRECTION = ("INSERT INTO corrections(row_key, field, value_before, value_after, who, at, why, via, reverts,"
                     " context) VALUES (?,?,?,?,?,?,?,?,?,?)")


@contextmanager
def writing(db: Path | str) -> Iterator[dbapi.Connection]:
    """A connection inside one write transaction: committed when the block ends, rolled back on any error."""
    con = connect(db)
    try:
        with con.writing():
            yield con
    finally:
        con.close()


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
    if not math.isfinite(number):  # "inf", "nan", "1e400": no plan value, and the store would keep it
        raise ValueError(f"{field}: '{text}' is not a finite number")
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
    if field == ACCEPT_FIELD and reverts is None and (context or {}).get("held"):
        edit = dict(row_key=row_key, field=field, before=before, after=after, why=why, context=context)
        return record_many(db, [edit], who=who.strip(), via=via)[-1]
    con = connect(db)
    try:
        return con.insert_id(
            INSERT_CORRECTION,
            (row_key, field, _text(before), _applicable(field, after), who.strip(), _now(), why, via, reverts,
             json.dumps((context or {}) if reverts is not None else _anchored(field, before, context),
                        ensure_ascii=False, default=str)),
        )
    finally:
        con.close()


def record_many(db: Path | str, edits: Iterable[dict], *, who: str, via: str) -> list[int]:
    """Append several corrections in ONE transaction: an Excel file is applied whole or not at all."""
    edits = _with_settling(list(edits))
    for e in edits:  # checked before the transaction: a workbook is applied whole or not at all
        _applicable(e["field"], e.get("after"))
    ids = []
    with writing(db) as con:
        for e in edits:
            ids.append(con.insert_id(
                INSERT_CORRECTION,
                (e["row_key"], e["field"], _text(e.get("before")), _applicable(e["field"], e.get("after")), who, _now(),
                 e.get("why"), via, None,
                 json.dumps(_anchored(e["field"], e.get("before"), e.get("context")), ensure_ascii=False, default=str)),
            ))
    return ids


def all_corrections(db: Path | str, *, row_key: str | None = None) -> list[Correction]:
    """Every correction in id order (only those of one row: `row_key`)."""
    con = connect(db)
    try:
        where, args = ("WHERE row_key = ?", (row_key,)) if row_key is not None else ("", ())
        rows = con.execute(
            "SELECT id, row_key, field, value_before, value_after, who, at, why, via, reverts, context"
            f" FROM corrections {where} ORDER BY id", args
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
    return all_corrections(db, row_key=row_key)


def _coerce(field: str, value: str | None):
    if value is None:
        return None
    kind = EDITABLE_FIELDS.get(field)
    if kind == "number":
        return float(value)
    if kind == "year":
        return int(float(value))
    return value


def same_value(a: str | None, b: str | None) -> bool:
    """Two stored values are the same value ("1750" and "1750.0"; text ignoring outer spaces)."""
    if a is None or b is None:
        return a is None and b is None
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a).strip() == str(b).strip()


def _anchors(corrections: list[Correction]) -> dict[int, str | None]:
    """correction id → the source value it was made against (see the module doc)."""
    first_before: dict[tuple[str, str], str | None] = {}
    for c in corrections:  # in id order: the first correction of a (row, field) saw the plan's value
        first_before.setdefault((c.row_key, c.field), c.value_before)
    out = {}
    for c in corrections:
        if "source" in c.context:
            out[c.id] = c.context["source"]
        elif c.field != ACCEPT_FIELD:
            out[c.id] = first_before[(c.row_key, c.field)]
    return out


def twins_of(out: pd.DataFrame) -> pd.Series:
    """`reja.records.twin_counts` of every row; folding the text only where a document has several
    rows with one item number (anywhere else a row is alone by its number: 1)."""
    from reja.records import twin_counts

    counts = pd.Series(1, index=out.index, dtype="Int64")
    if not len(out):
        return counts
    by_number = out[[c for c in ("document_id", "item_no", "parent_item_no") if c in out]].astype("string").fillna("\x00")
    shared = by_number.groupby(list(by_number.columns), sort=False)["document_id"].transform("size") > 1
    if not shared.any():
        return counts
    columns = [c for c in ("document_id", "year", "section_no", "item_no", "parent_item_no", "text") if c in out]
    part = out.loc[shared, columns]
    rows = [{k: _plain(v) for k, v in zip(columns, values, strict=True)}
            for values in part.itertuples(index=False, name=None)]
    counts.loc[part.index] = twin_counts(rows)
    return counts


def apply_corrections(items: pd.DataFrame, db: Path | str, *, twins: pd.Series | None = None,
                      every: list[Correction] | None = None) -> tuple[pd.DataFrame, ApplyReport]:
    """Extraction + effective corrections. Rows touched get status 'corrected' and the list of
    fields a person changed in `corrected_fields`; corrections for rows that are gone are reported;
    a correction whose row's plan changed under it is held back and flagged (module doc).
    `twins`: `twins_of(items)` when the caller kept it (it depends on the stored rows only);
    `every`: the corrections table when the caller has just read it."""
    every = all_corrections(db) if every is None else every
    in_force = effective(every)
    out = items.copy()
    if "corrected_fields" not in out.columns:
        out["corrected_fields"] = ""
    if twins is None:
        twins = twins_of(out) if len(out) else pd.Series(dtype="Int64")
    out[TWINS_COLUMN] = twins
    applying = _Applying(items, out, _anchors(every))
    rows_by_key = _rows_by_key(out, {key for key, _field in in_force})
    applied, orphans = 0, []
    for (row_key, field_name), c in sorted(in_force.items(), key=lambda kv: kv[1].id):
        indexes = rows_by_key.get(row_key)
        if not indexes:
            orphans.append(c)
            continue
        used = [applying.settle(idx, c, row_key, field_name) for idx in indexes]
        applied += any(used)
    return applying.finished(), ApplyReport(applied, orphans, applying.conflicts)


def _rows_by_key(out: pd.DataFrame, keys: set[str]) -> dict[str, list]:
    """Row indexes of each corrected key (only those are looked up). One key may stand in several
    rows: versions of the same plan (a DOCX and its re-scan)."""
    rows_by_key: dict[str, list] = {}
    wanted = out["row_key"].isin(keys)
    for idx, key in zip(out.index[wanted.to_numpy(dtype=bool)], out.loc[wanted, "row_key"].tolist(), strict=True):
        rows_by_key.setdefault(key, []).append(idx)
    return rows_by_key


@dataclass
class _Applying:
    """One pass of corrections over the rows: what was applied, held back, and the plan's own values."""

    items: pd.DataFrame  # the rows as read (their flags before any conflict flag)
    out: pd.DataFrame
    anchors: dict[int, str | None]
    sources: dict = field(default_factory=dict)  # idx → {field: the plan's own value}
    held: dict = field(default_factory=dict)  # idx → {field: correction id}
    conflicts: list = field(default_factory=list)

    def settle(self, idx, c: Correction, row_key: str, field_name: str) -> bool:
        """Apply `c` to row `idx`, or hold it back as a conflict; True when applied."""
        source_now = self._source_now(idx, field_name)
        conflict = self._conflict(idx, c, row_key, field_name, source_now)
        if field_name != ACCEPT_FIELD:
            self.sources.setdefault(idx, {})[field_name] = source_now
        if conflict is not None:
            self._hold(idx, c, field_name, conflict)
            return False
        if field_name != ACCEPT_FIELD:
            self.out.at[idx, field_name] = _coerce(field_name, c.value_after)
        self._mark_corrected(idx, "accepted" if field_name == ACCEPT_FIELD else field_name)
        return True

    def _source_now(self, idx, field_name: str) -> str | None:
        if field_name == ACCEPT_FIELD:
            return _doubts(self.items.at[idx, "flags"]) if "flags" in self.items else None
        return _text(self.out.at[idx, field_name]) if field_name in self.out else None

    def _conflict(self, idx, c: Correction, row_key: str, field_name: str, source_now) -> Conflict | None:
        """The conflict when the row's plan (or its number of twins) changed under the correction."""
        anchor = self.anchors.get(c.id, source_now)
        twins_before = c.context.get("twins")
        twins_now = int(self.out.at[idx, TWINS_COLUMN])
        moved = twins_before is not None and (twins_before > 1 or twins_now > 1) and twins_before != twins_now
        if field_name == ACCEPT_FIELD:  # an acceptance holds while no doubt it did not see appears
            changed = bool(set((source_now or "").split("; ")) - set((anchor or "").split("; ")))
        else:  # a plan that now says what the clerk said (a re-match by the wording they taught) agrees
            changed = not same_value(anchor, source_now) and not same_value(source_now, c.value_after)
        if not (moved or changed):
            return None
        return Conflict(c, row_key, field_name, source_now, anchor, c.value_after,
                        twins_before if moved else None, twins_now if moved else None)

    def _hold(self, idx, c: Correction, field_name: str, conflict: Conflict) -> None:
        self.conflicts.append(conflict)
        flags = _text(self.out.at[idx, "flags"]) or ""
        self.out.at[idx, "flags"] = "; ".join(filter(None, (flags, conflict.flag().replace("; ", ", "))))
        self.held.setdefault(idx, {})[field_name] = c.id

    def _mark_corrected(self, idx, label: str) -> None:
        previous = self.out.at[idx, "corrected_fields"]
        done = [f for f in ("" if pd.isna(previous) else str(previous)).split(",") if f]
        if label not in done:
            done.append(label)
        self.out.at[idx, "corrected_fields"] = ",".join(done)
        self.out.at[idx, "status"] = "corrected"

    def finished(self) -> pd.DataFrame:
        out = self.out
        for idx in self.held:  # a held-back correction needs the clerk, whatever else was corrected
            out.at[idx, "status"] = "flagged"
        out[SOURCE_COLUMN] = pd.Series({idx: json.dumps(v, ensure_ascii=False) for idx, v in self.sources.items()},
                                       index=out.index, dtype="object")
        out[CONFLICTS_COLUMN] = pd.Series({idx: json.dumps(v) for idx, v in self.held.items()}, index=out.index,
                                          dtype="object")
        return out


def last_open_by(db: Path | str, row_key: str, who: str) -> Correction | None:
    """This clerk's latest correction of the row that is still in force (not undone, not an undo):
    what "undo my last change" undoes. Another clerk's change is never theirs to undo here."""
    every = all_corrections(db, row_key=row_key)
    undone = {c.reverts for c in every if c.reverts is not None}
    mine = [c for c in every if c.row_key == row_key and c.who == who.strip() and c.reverts is None
            and c.id not in undone]
    return mine[-1] if mine else None

