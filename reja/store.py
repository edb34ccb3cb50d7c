"""The store: one SQLite file holding every imported plan with its provenance.

Why SQLite and not DuckDB: it is in the standard library (nothing to install on a centre's PC), the
whole store is one file to copy or back up, and its transactions are robust for exactly our write
pattern: a batch writes one document at a time, each in ONE transaction (WAL journal), so a crash
or a kill at any point leaves whole documents only, while readers (the review page, a notebook) keep
reading during an import. DuckDB is a columnar analytics engine: faster for big scans, but our data is
thousands of rows, and analytics run on pandas / pyarrow frames (`reja.api`) and Parquet exports.

Tables (built from the field lists in `reja.schema.dataset`, so code and contract cannot drift):
- `documents`: one row per imported file version (status ok / partial / failed, error, metadata).
- `items`: one row per plan activity; primary key (document_id, item_index); `row_key` is stable
  across re-imports and corrected re-scans (see `reja.records`).
- `runs`: one row per `reja import` run (its JSON-lines log is `runs/<run_id>.jsonl`).
- `corrections`: clerk corrections, append-only, keyed by `row_key`; owned and created by
  `reja.corrections` (issue 8). Import never reads or writes it, so a re-import cannot lose
  a correction; `reja.api.load_items` applies them on top of `items`.
- view `current_items`: items of documents that are not superseded.

The same tables live in a PostgreSQL database when `db` is a URL (`postgresql://user@host/db`, issue
23): several clerks and importers on other PCs, a national store. The SQL below is written once;
what the two dialects spell differently (placeholders, types, upserts, the single-writer lock, a
consistent read) is in `reja.db`. Writes are serial there too (an advisory lock per write
transaction), so supersession, which reads then updates a plan's versions, sees every earlier write.

Versions of a plan:
- the same path imported again with changed bytes REPLACES its earlier version (rows deleted and
  inserted in the same transaction). If the new bytes fail to import, the earlier good version stays.
- two different files for the same gazetteer place (district or city, by id) and year (`plan_key`,
  `reja.identity`) are both kept; the one with the newer file time is current, the other gets
  `superseded_by`. A document whose place or year is not identified has no plan_key: it stands
  alone, never superseding nor superseded (a plan is never hidden on a guess). Files within 10 minutes of the newest
  were sent together (DOCX, PDF, scan of one plan): the one with the fewest flagged rows wins.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reja import db as dbapi
from reja.records import ItemRow, flags_text
from reja.schema.dataset import DOCUMENT_FIELDS, ITEM_FIELDS, FieldDef, coerce, frame_from_rows

SCHEMA_VERSION = 1
SAME_BATCH_SECONDS = 600  # versions of one plan whose files are this close in time were sent together

_RUN_COLUMNS = (
    "run_id {text} PRIMARY KEY", "started_at {text} NOT NULL", "finished_at {text}", "paths {text}",
    "options {text}", "pipeline_version {text}", "catalogue_version {text}", "n_files {int}",
    "n_ok {int}", "n_partial {int}", "n_failed {int}", "n_skipped {int}", "exit_code {int}",
)  # fmt: skip



def _column_ddl(c: dbapi.Connection, f: FieldDef) -> str:
    return f"{f.name} {c.column_type(f.sql_type)}" + (" NOT NULL" if f.required else "")


class StoreError(RuntimeError):
    """The store file cannot be opened or is not a reja store."""


class Store:
    """A connection to the store. Writing methods each run in one transaction."""

    def __init__(self, path: Path | str, *, readonly: bool = False):
        self.path = dbapi.location(path)  # a Path (SQLite) or a postgresql:// URL
        self.shown = dbapi.shown(self.path)  # as printed: a URL without its password
        server = dbapi.is_server(self.path)
        try:
            if readonly and not server and not self.path.exists():
                raise StoreError(f"{self.path}: no such store (run `reja import` first)")
            if not server and not readonly:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = dbapi.connect(self.path, readonly=readonly, timeout=60)
        except ImportError as exc:  # psycopg missing: said as a usage error, not a traceback
            raise StoreError(f"{self.shown}: {exc}") from exc
        except dbapi.errors() as exc:  # no server there, a wrong password, not a database file
            raise StoreError(f"{self.shown}: cannot open the store ({_first_line(exc)})") from exc
        try:
            if not server:
                self.conn.execute("PRAGMA foreign_keys = ON")
            if readonly:  # a reader needs a store made by reja, not any file
                self.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            else:
                self._refuse_foreign()  # before anything is written: another program's database stays as it was
                if not server:
                    # WAL: readers never block the writer; synchronous=NORMAL is crash-safe in WAL mode
                    # (a killed process loses at most the transaction in flight, never consistency).
                    self.conn.execute("PRAGMA journal_mode = WAL")
                    self.conn.execute("PRAGMA synchronous = NORMAL")
                self._migrate()
        except dbapi.errors() as exc:
            self.conn.close()
            raise StoreError(f"{self.shown}: not a usable reja store ({_first_line(exc)})") from exc

    # tables a reja store may hold before `meta` exists: a clerk's corrections or accounts can come first
    _OWN_BEFORE_META = frozenset({"corrections", "review_users", "sqlite_sequence"})

    def _refuse_foreign(self) -> None:
        """A database with tables of its own and no reja schema_version is another application's:
        refused (StoreError → exit 2) without creating a table or switching its journal to WAL."""
        tables = self.conn.tables()
        if not tables - self._OWN_BEFORE_META:
            return
        if "meta" in tables:
            with contextlib.suppress(*dbapi.errors()):
                if self.conn.execute("SELECT 1 FROM meta WHERE key = 'schema_version'").fetchone():
                    return
        self.conn.close()
        shown = ", ".join(sorted(tables)[:5]) + (" …" if len(tables) > 5 else "")
        raise StoreError(f"{self.shown}: not a reja store but another program's database (tables: {shown}); "
                         "it was left untouched: give --db a new file name")

    # -- lifecycle ---------------------------------------------------------------------------
    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[dbapi.Connection]:
        """One write transaction, one writer at a time (SQLite: BEGIN IMMEDIATE; PostgreSQL: an
        advisory lock); anything raised (even KeyboardInterrupt) rolls back."""
        with self.conn.writing() as c:
            yield c

    @contextmanager
    def snapshot(self) -> Iterator[Store]:
        """Reads inside this block see one state of the store (an import writing meanwhile is not half-seen)."""
        with self.conn.snapshot():
            yield self

    # -- schema ------------------------------------------------------------------------------
    def _migrate(self) -> None:
        """Create missing tables; add columns the field lists gained since the store was made."""
        if self.conn.postgres and self._up_to_date():
            return  # a shared server: no DDL (and its locks) at every clerk's and worker's connection
        with self.transaction() as c:
            c.execute(c.ddl("CREATE TABLE IF NOT EXISTS meta (key {text} PRIMARY KEY, value {text})"))
            c.execute(
                "CREATE TABLE IF NOT EXISTS documents ("
                + ", ".join(_column_ddl(c, f) for f in DOCUMENT_FIELDS)
                + ", PRIMARY KEY (document_id))"
            )
            c.execute(
                "CREATE TABLE IF NOT EXISTS items ("
                + ", ".join(_column_ddl(c, f) for f in ITEM_FIELDS)
                + ", PRIMARY KEY (document_id, item_index)"
                + ", FOREIGN KEY (document_id) REFERENCES documents(document_id) ON DELETE CASCADE)"
            )
            c.execute(c.ddl(f"CREATE TABLE IF NOT EXISTS runs ({', '.join(_RUN_COLUMNS)})"))
            # each document's rows before matching, under its parse key (bytes + parser): new wordings
            # or a catalogue edit re-match these without reading the file again
            c.execute(c.ddl("CREATE TABLE IF NOT EXISTS parsed (parse_key {text} PRIMARY KEY, document_id {text} NOT NULL, "
                            "rows_json {text} NOT NULL)"))
            c.execute("CREATE INDEX IF NOT EXISTS parsed_document ON parsed(document_id)")
            for table, fields in (("documents", DOCUMENT_FIELDS), ("items", ITEM_FIELDS)):
                have = c.columns(table)
                for f in fields:
                    if f.name not in have:  # NOT NULL cannot be added to existing rows: added nullable
                        c.execute(f"ALTER TABLE {table} ADD COLUMN {f.name} {c.column_type(f.sql_type)}")
            c.execute("CREATE INDEX IF NOT EXISTS items_row_key ON items(row_key)")
            c.execute("CREATE INDEX IF NOT EXISTS documents_source_key ON documents(source_key)")
            c.execute("CREATE INDEX IF NOT EXISTS documents_plan_key ON documents(plan_key)")
            # what a correction remembers of its row (file, district, year): looked up after every import
            c.execute("CREATE INDEX IF NOT EXISTS documents_source_file ON documents(source_file)")
            c.execute("DROP VIEW IF EXISTS current_items")
            c.execute(
                "CREATE VIEW current_items AS SELECT items.* FROM items JOIN documents USING (document_id) "
                "WHERE documents.superseded_by IS NULL"
            )
            c.execute(c.upsert("meta", ("key", "value"), ("key",)), ("schema_version", str(SCHEMA_VERSION)))

    def _up_to_date(self) -> bool:
        """Every table, column and the view are there and the schema version is this one's."""
        tables = self.conn.tables()
        if not {"meta", "documents", "items", "runs", "parsed"} <= tables:
            return False
        for table, fields in (("documents", DOCUMENT_FIELDS), ("items", ITEM_FIELDS)):
            if not {f.name for f in fields} <= self.conn.columns(table):
                return False
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        view = self.conn.execute("SELECT 1 FROM information_schema.views WHERE table_schema = current_schema() "
                                 "AND table_name = 'current_items'").fetchone()
        return row is not None and row[0] == str(SCHEMA_VERSION) and view is not None

    # -- import side -------------------------------------------------------------------------
    def unchanged(self, source_key: str, import_key: str):
        """The stored version of this input made from the same bytes by the same pipeline, if any."""
        return self.conn.execute(
            "SELECT document_id, status, n_items, n_flagged, error_code, error FROM documents "
            "WHERE source_key = ? AND import_key = ?",
            (source_key, import_key),
        ).fetchone()

    def parsed(self, parse_key: str) -> str | None:
        """The stored parse (rows before matching, JSON) made under this parse key, if any."""
        row = self.conn.execute("SELECT rows_json FROM parsed WHERE parse_key = ?", (parse_key,)).fetchone()
        return row["rows_json"] if row else None

    def write_document(self, doc: dict, rows: list[ItemRow], parsed: tuple[str, str] | None = None) -> None:
        """Store one imported document and its rows (`reja.records.ItemRow`, flags joined here), replacing
        earlier versions of the same input; `parsed` = (parse key, rows before matching as JSON) is kept
        with it, in the same transaction."""
        with self.transaction() as c:
            old = c.execute(
                "SELECT document_id, plan_key FROM documents WHERE source_key = ? OR document_id = ?",
                (doc["source_key"], doc["document_id"]),
            ).fetchall()
            self._delete(c, [r["document_id"] for r in old])
            self._insert(c, "documents", DOCUMENT_FIELDS, [doc])
            self._insert(c, "items", ITEM_FIELDS, [{**r.as_record(), "flags": flags_text(r.flags)} for r in rows])
            if parsed is not None:
                c.execute(c.upsert("parsed", ("parse_key", "document_id", "rows_json"), ("parse_key",)),
                          (parsed[0], doc["document_id"], parsed[1]))
            for plan_key in {doc.get("plan_key"), *(r["plan_key"] for r in old)}:
                self._resolve_supersession(c, plan_key)

    def write_failure(self, doc: dict) -> None:
        """Record a file that could not be imported. An earlier good version of the same input made
        from different bytes is kept (a broken re-send must not erase a plan); earlier failures and a
        version from the same bytes are replaced."""
        with self.transaction() as c:
            old = c.execute(
                "SELECT document_id, plan_key FROM documents WHERE document_id = ? "
                "OR (source_key = ? AND status = 'failed')",
                (doc["document_id"], doc["source_key"]),
            ).fetchall()
            self._delete(c, [r["document_id"] for r in old])
            self._insert(c, "documents", DOCUMENT_FIELDS, [doc])
            for plan_key in {r["plan_key"] for r in old}:
                self._resolve_supersession(c, plan_key)

    @staticmethod
    def _delete(c: dbapi.Connection, document_ids: list[str]) -> None:
        for doc_id in document_ids:
            c.execute("DELETE FROM items WHERE document_id = ?", (doc_id,))
            c.execute("DELETE FROM parsed WHERE document_id = ?", (doc_id,))
            c.execute("DELETE FROM documents WHERE document_id = ?", (doc_id,))

    @staticmethod
    def _insert(c: dbapi.Connection, table: str, fields: tuple[FieldDef, ...], rows: list[dict]) -> None:
        if not rows:
            return
        names = [f.name for f in fields]
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        c.executemany(sql, ([_sql_value(row.get(n)) for n in names] for row in rows))

    @staticmethod
    def _resolve_supersession(c: dbapi.Connection, plan_key: str | None) -> None:
        """Among imported versions of one plan (district + year) the newest file is current; files
        within SAME_BATCH_SECONDS of the newest count as sent together (the DOCX, the PDF and a scan of
        one plan), and among those the one with the smallest share of flagged rows wins (then the newer,
        then the later path), so a scan does not displace the typed file it was made from."""
        if not plan_key:
            return
        docs = c.execute(
            "SELECT document_id, file_mtime, source_key, n_items, n_flagged FROM documents "
            "WHERE plan_key = ? AND status != 'failed'",
            (plan_key,),
        ).fetchall()
        if not docs:
            return

        def seconds(row) -> float:
            try:
                return dt.datetime.fromisoformat(row["file_mtime"].replace("Z", "+00:00")).timestamp()
            except (AttributeError, ValueError):
                return 0.0

        newest = max(seconds(r) for r in docs)
        together = [r for r in docs if seconds(r) >= newest - SAME_BATCH_SECONDS]
        best = min(together, key=lambda r: (r["n_flagged"] / max(r["n_items"], 1), -seconds(r), _neg(r["source_key"])))
        current = best["document_id"]
        c.execute(
            "UPDATE documents SET superseded_by = CASE WHEN document_id = ? THEN NULL ELSE ? END "
            "WHERE plan_key = ? AND status != 'failed'",
            (current, current, plan_key),
        )

    def start_run(self, run: dict) -> None:
        with self.transaction() as c:
            c.execute(
                "INSERT INTO runs (run_id, started_at, paths, options, pipeline_version, catalogue_version) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (run["run_id"], run["started_at"], json.dumps(run.get("paths")), json.dumps(run.get("options")),
                 run.get("pipeline_version"), run.get("catalogue_version")),
            )  # fmt: skip

    def finish_run(self, run_id: str, summary: dict) -> None:
        with self.transaction() as c:
            c.execute(
                "UPDATE runs SET finished_at = ?, n_files = ?, n_ok = ?, n_partial = ?, n_failed = ?, "
                "n_skipped = ?, exit_code = ? WHERE run_id = ?",
                (summary["finished_at"], summary["files"], summary["ok"], summary["partial"], summary["failed"],
                 summary["skipped"], summary["exit_code"], run_id),
            )  # fmt: skip

    # -- read side ---------------------------------------------------------------------------
    def _select_list(self, table: str, fields: tuple[FieldDef, ...], alias: str = "") -> str:
        """Columns to read; a column newer than the store (opened read-only, so not migrated)
        reads as NULL, so a newer reja can still read an older centre's store."""
        present = self.conn.columns(table)
        prefix = f"{alias}." if alias else ""
        return ", ".join(f"{prefix}{f.name}" if f.name in present else f"NULL AS {f.name}" for f in fields)

    def items(self, *, include_superseded: bool = False, document_ids: list[str] | None = None,
              fields: tuple[FieldDef, ...] = ITEM_FIELDS) -> pd.DataFrame:  # fmt: skip
        """Every (current) row; only those of `document_ids` when given; only the columns of `fields`
        when given (a reader that needs a few columns of a national store's rows)."""
        table = "items" if include_superseded else "current_items"
        cols = self._select_list("items", fields, "i")
        where, params = "", ()
        if document_ids is not None:  # any number of ids in one statement
            clause, params = self.conn.member_of("i.document_id", sorted(set(document_ids)))
            where = f"WHERE {clause}"
        sql = (
            f"SELECT {cols} FROM {table} i JOIN documents d USING (document_id) {where} "
            "ORDER BY d.source_file, d.document_id, i.item_index"
        )
        # straight into the contract's dtypes (half the cost of pandas' inference, then coerce)
        return frame_from_rows(self.conn.execute(sql, params).fetchall(), fields)

    def keys_with_rows(self, row_keys: list[str], *, current: bool = False) -> set[str]:
        """Those of `row_keys` that name a stored row (any version; `current`: of a current plan),
        by the row_key index."""
        table = "current_items" if current else "items"
        found: set[str] = set()
        for i in range(0, len(row_keys), 500):
            chunk = row_keys[i : i + 500]
            found |= {r[0] for r in self.conn.execute(
                f"SELECT DISTINCT row_key FROM {table} WHERE row_key IN ({','.join('?' * len(chunk))})", chunk)}  # fmt: skip
        return found

    def documents_for(self, contexts: list[dict]) -> list[str]:
        """Documents (failed ones aside) whose file, district and year agree with one of `contexts`
        (what a correction remembers of its row; a missing part matches any)."""
        wanted = {(c.get("source_file"), c.get("district"), None if c.get("year") is None else str(c.get("year")))
                  for c in contexts}  # fmt: skip
        if (None, None, None) in wanted:  # a correction that remembers nothing: every document may hold it
            return [r[0] for r in self.conn.execute("SELECT document_id FROM documents WHERE status != 'failed'")]
        out = set()
        for source_file, district, year in wanted:
            clauses, params = ["status != 'failed'"], []
            for column, value in (("source_file", source_file), ("district", district), ("CAST(year AS TEXT)", year)):
                if value is not None:  # compared as text, a missing value as "" (as the migration compares)
                    # `column = ?` for a value: the same rows as COALESCE(column, '') = ?, by the index
                    clauses.append(f"{column} = ?" if str(value) else f"COALESCE({column}, '') = ?")
                    params.append(str(value))
            out |= {r[0] for r in self.conn.execute(f"SELECT document_id FROM documents WHERE {' AND '.join(clauses)}",
                                                    params)}  # fmt: skip
        return sorted(out)

    def documents(self) -> pd.DataFrame:
        cols = self._select_list("documents", DOCUMENT_FIELDS)
        frame = self.conn.frame(f"SELECT {cols} FROM documents ORDER BY source_file, document_id")
        return coerce(frame, DOCUMENT_FIELDS)

    def reidentify(self, pipeline_version: str) -> int:
        """Plan keys of documents made by another pipeline version (files not read again since an
        upgrade: gone from disk, or not in this run) recomputed from their stored title-block fields
        with today's rules (`reja.identity`), so a key an older version guessed (a first word) can
        no longer hide another plan. Returns how many documents changed plan."""
        from reja.extract.model import PlanMeta
        from reja.identity import identify_plan

        def older() -> list:
            return self.conn.execute(
                "SELECT document_id, region, district, organisation, title, year, source_key, plan_key FROM documents "
                "WHERE status != 'failed' AND (pipeline_version IS NULL OR pipeline_version != ?) ORDER BY document_id",
                (pipeline_version,)).fetchall()  # fmt: skip

        def fingerprint(rows: list) -> str:
            return pipeline_version + ":" + hashlib.sha256(json.dumps([tuple(r) for r in rows], default=str).encode()).hexdigest()

        # identifying costs 8 ms a document (110 s for a national store): the same documents with the
        # same fields and keys, already checked under this pipeline version, are not checked again
        docs = older()
        done = self.conn.execute("SELECT value FROM meta WHERE key = 'reidentified'").fetchone()
        if done is not None and done[0] == fingerprint(docs):
            return 0
        changed = []
        for d in docs:
            meta = PlanMeta(region=d["region"], district=d["district"], organisation=d["organisation"], title=d["title"])
            key = identify_plan(meta, d["year"], d["source_key"]).plan_key
            if key != d["plan_key"]:
                changed.append((d["document_id"], d["plan_key"], key))
        with self.transaction() as c:
            for doc_id, _old, key in changed:
                c.execute("UPDATE documents SET plan_key = ?, superseded_by = NULL WHERE document_id = ?", (key, doc_id))
            for plan_key in {k for _d, old, new in changed for k in (old, new)}:
                self._resolve_supersession(c, plan_key)
            c.execute(c.upsert("meta", ("key", "value"), ("key",)), ("reidentified", fingerprint(older())))
        return len(changed)

    def plan_versions(self, document_ids: list[str]) -> list[PlanVersions]:
        """Plans of these documents that have more than one imported file (failed ones aside)."""
        keys = set()
        for i in range(0, len(document_ids), 500):
            chunk = document_ids[i : i + 500]
            keys |= {r[0] for r in self.conn.execute(
                f"SELECT plan_key FROM documents WHERE plan_key IS NOT NULL AND document_id IN ({','.join('?' * len(chunk))})",
                chunk)}  # fmt: skip
        out = []
        for key in sorted(keys):
            docs = self.conn.execute(
                "SELECT source_file, district, year, superseded_by FROM documents "
                "WHERE plan_key = ? AND status != 'failed' ORDER BY source_file", (key,)).fetchall()  # fmt: skip
            if len(docs) < 2:
                continue
            current = next((d["source_file"] for d in docs if d["superseded_by"] is None), None)
            named = next((d for d in docs if d["source_file"] == current), docs[0])
            out.append(PlanVersions(key, named["district"], named["year"], [d["source_file"] for d in docs], current))
        return out

    def row_keys(self) -> set[str]:
        """Every row key stored (current and superseded versions)."""
        return {r[0] for r in self.conn.execute("SELECT DISTINCT row_key FROM items")}

    def plans_of(self, document_ids: list[str]) -> set[str]:
        """The plans (plan key, or the document itself when it stands alone) these documents are."""
        keys: set[str] = set()
        for i in range(0, len(document_ids), 500):
            chunk = document_ids[i : i + 500]
            keys |= {r[0] for r in self.conn.execute(
                "SELECT coalesce(plan_key, document_id) FROM documents WHERE status != 'failed' "
                f"AND document_id IN ({','.join('?' * len(chunk))})", chunk)}  # fmt: skip
        return keys

    def import_state(self) -> tuple:
        """Changes whenever an import wrote (documents added, replaced or superseded): the review
        page keeps its rows while this stays the same."""
        return tuple(self.conn.execute(
            "SELECT count(*), max(imported_at), "
            + self.conn.group_concat("document_id || coalesce(superseded_by, '')") + " FROM documents").fetchone())

    def count_items(self) -> dict[str, int]:
        """document_id → number of stored rows (used by the crash-safety checks)."""
        return {
            r[0]: r[1] for r in self.conn.execute("SELECT document_id, COUNT(*) FROM items GROUP BY document_id")
        }


@dataclass
class PlanVersions:
    """The files of one plan (place + year): which one is current, which are superseded."""

    plan_key: str
    district: str | None
    year: int | None
    files: list[str]
    current: str | None

    def describe(self) -> str:
        others = [f for f in self.files if f != self.current]
        return (f"plan     {self.district or self.plan_key} {self.year or ''}: {len(self.files)} files, current: "
                f"{self.current}; superseded: {', '.join(others)}")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _sql_value(value):
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, bool):
        return int(value)
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalars from image code
        return value.item()
    return value


def _neg(text: str) -> tuple[int, ...]:
    """Sort key that orders strings in reverse (min() then prefers the later path)."""
    return tuple(-ord(ch) for ch in text) + (0,)


# where a store is looked for when --db is not given: `reja import` without --out writes the first,
# `reja import --out out` (and `make demo`) the second
STORE_CANDIDATES = (Path("reja.sqlite"), Path("out") / "reja.sqlite")


def find_store(db: Path | str | None = None) -> Path | str:
    """The store to read: `db` when given (a path, or a postgresql:// URL as text), else the first of
    STORE_CANDIDATES that exists (else the first, so the error names the usual place)."""
    if db is not None:
        return dbapi.location(db)
    return next((p for p in STORE_CANDIDATES if p.is_file()), STORE_CANDIDATES[0])
