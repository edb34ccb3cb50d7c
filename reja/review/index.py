"""What the review page reads: an index of the store's current rows, in the store itself, so each
page reads only the rows it shows (issue 22: loading a national store's 1.1 M rows for every first
page and after every action took ~50 CPU-s and 7 GB).

- `review_rows`: one row per current item as the clerk sees it (corrections applied, consistency
  findings flagged): its order (file, document, item), status, district, year, flag codes, match
  band, indicator and score, the fields a person decided, and the wording keys "apply to all rows
  with this wording" looks for. Filters, counts, facets, the score histogram and the queue's
  previous / next are SQL over it (indexed), in both SQLite and PostgreSQL.
- The index is kept per region-year (`review_places`): the consistency findings compare a
  district with the others of its region in one year, so a region-year is the smallest piece whose
  rows can be finished alone (as `reja.corrected.corrected_chunks` reads the store). A region-year
  is built again when its documents changed (an import, a re-match) or a correction was written on
  one of its rows since; nothing else is read. The first build covers the whole store once
  (`reja review serve` does it before it listens).
- The rows a page shows come from their region-year finished in memory (`place_rows`, a few kept),
  in the clerk's language (flag details are translated).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from pathlib import Path

import pandas as pd

from reja import db as dbapi

ROWS, PLACES, META = "review_rows", "review_places", "review_meta"
ORDER = ("source_file", "document_id", "item_index")  # the store's order: the queue's
# the wording column each taught field is matched from (reja.learned.TAUGHT_BY) → its key's column here
WORDING_KEYS = {"text": "wk_text", "unit": "wk_unit", "section_title": "wk_section"}
KEPT_PLACES = 8  # region-years finished in memory (a page of 200 rows spans one or two)
# region-years built together, up to this many rows (each build has a fixed cost: 798 region-years of
# a national store built one by one took ~4 CPU-min; the rows of one pack stay below ~100 MiB)
BUILD_ROWS = 20_000

_COLUMNS = (("row_key", "{text}"), ("document_id", "{text}"), ("place", "{text}"), ("source_file", "{text}"),
            ("item_index", "{int}"), ("status", "{text}"), ("district", "{text}"), ("district_fold", "{text}"),
            ("year", "{int}"), ("codes", "{text}"), ("band", "{text}"), ("indicator_id", "{text}"),
            ("indicator_score", "{real}"), ("corrected_fields", "{text}"), ("section_id", "{text}"),
            ("unit_id", "{text}"), ("wk_text", "{text}"), ("wk_unit", "{text}"), ("wk_section", "{text}"),
            ("shared", "{int}"))  # shared: 1 when the key stands in more than one current row (twins)
NAMES = tuple(n for n, _t in _COLUMNS)


FILTERS_INDEX = f"{ROWS}_filters"
FILTERS_COLUMNS = "status, shared, band, codes, district_fold, district, indicator_id, indicator_score, year, row_key"


def _indexes(c: dbapi.Connection) -> set[str]:
    if c.postgres:
        return {r[0] for r in c.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
                                        "AND tablename = ?", (ROWS,))}
    return {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", (ROWS,))}


def _ensure(c: dbapi.Connection) -> None:
    types = {"{text}": c.ddl("{text}"), "{int}": c.ddl("{int}"), "{real}": c.ddl("{real}")}
    if ROWS in c.tables() and c.columns(ROWS) == set(NAMES) and FILTERS_INDEX in _indexes(c):
        return
    with c.writing():
        for table in (ROWS, PLACES, META):  # an index of an older layout: built again from scratch
            c.execute(f"DROP TABLE IF EXISTS {table}")
        c.execute(f"CREATE TABLE IF NOT EXISTS {ROWS} ({', '.join(f'{n} {types[t]}' for n, t in _COLUMNS)})")
        c.execute(c.ddl(f"CREATE TABLE IF NOT EXISTS {PLACES} (place {{text}} PRIMARY KEY, signature {{text}}, "
                        "stamp {text})"))
        c.execute(c.ddl(f"CREATE TABLE IF NOT EXISTS {META} (key {{text}} PRIMARY KEY, value {{text}})"))
        order = ", ".join(ORDER)
        # the filter's aggregates read only this index (no table rows): a national queue is 440k rows
        c.execute(f"CREATE INDEX IF NOT EXISTS {FILTERS_INDEX} ON {ROWS}({FILTERS_COLUMNS})")
        for name, cols in (("order", order), ("status", f"status, {order}"), ("key", "row_key"),
                           ("place", "place"), ("district", "district"), ("year", "year"),
                           ("wk_text", "wk_text"), ("wk_unit", "wk_unit"), ("wk_section", "wk_section")):
            c.execute(f"CREATE INDEX IF NOT EXISTS {ROWS}_{name} ON {ROWS}({cols})")


def place_of(region_id, year) -> str:
    return f"{region_id or ''}|{int(year) if year is not None and not pd.isna(year) else 0}"


def _codes(flags) -> str:
    from .data import flag_codes

    codes = sorted(set(flag_codes(flags if isinstance(flags, str) else "")))
    return ";" + ";".join(codes) + ";" if codes else ""


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def where(filters: dict[str, str], alias: str = "r") -> tuple[str, list]:
    """The filter of `reja.review.queue.selected` as SQL over the index (alias `alias`)."""
    a = f"{alias}."
    clauses, params = [], []
    if filters.get("status"):
        clauses.append(f"{a}status = ?")
        params.append(filters["status"])
    if filters.get("district"):  # pandas' str.contains(case=False): both sides upper-cased
        clauses.append(f"{a}district_fold LIKE ? ESCAPE '\\'")
        params.append("%" + _escape_like(filters["district"].upper()) + "%")
    if filters.get("year"):
        year = filters["year"].strip()
        if year.isascii() and year.isdigit() and (year == "0" or not year.startswith("0")):
            clauses.append(f"{a}year = ?")  # the text of a whole number: by the year's index
            params.append(int(year))
        else:  # "2024.0", " 24", "-1": compared as text, as the page always did (matching nothing, mostly)
            clauses.append(f"CAST({a}year AS TEXT) = ?")
            params.append(year)
    if filters.get("reason"):
        clauses.append(f"{a}codes LIKE ? ESCAPE '\\'")
        params.append("%;" + _escape_like(filters["reason"]) + ";%")
    if filters.get("max_score"):
        try:
            limit = float(filters["max_score"])
        except ValueError:
            limit = None
        if limit is not None:
            clauses.append(f"COALESCE({a}indicator_score, 0) <= ?")
            params.append(limit)
    if filters.get("indicator"):
        clauses.append(f"COALESCE({a}indicator_id, '') = ?")
        params.append(filters["indicator"])
    if filters.get("band"):
        clauses.append(f"{a}band = ?")
        params.append(filters["band"])
    return (" AND ".join(clauses) or "1 = 1"), params


def _order(alias: str = "r", desc: bool = False) -> str:
    return ", ".join(f"{alias}.{c}{' DESC' if desc else ''}" for c in ORDER)


def _first_of_key(filters: dict[str, str]) -> tuple[str, list]:
    """The row is its key's first in the filter (twins — two current versions — are queued once)."""
    clause, params = where(filters, "r2")
    return (f"(r.shared = 0 OR NOT EXISTS (SELECT 1 FROM {ROWS} r2 WHERE r2.row_key = r.row_key AND {clause} AND "
            f"({_order('r2')}) < ({_order('r')})))", params)


def _distinct_keys(clause: str) -> str:
    """Rows of the filter counted once per key (twins are rare: only their keys are counted distinct)."""
    return (f"SELECT (SELECT count(*) FROM {ROWS} r WHERE {clause} AND r.shared = 0) + "
            f"(SELECT count(DISTINCT r.row_key) FROM {ROWS} r WHERE {clause} AND r.shared = 1)")


def place_rows(store, db, document_ids: list[str], every) -> pd.DataFrame:
    """The rows of these documents (whole region-years) as the page shows them: corrections applied,
    their twins counted, consistency findings flagged, with their file's place and format."""
    from reja.compare.consistency import findings, flag_rows
    from reja.corrections import apply_corrections, twins_of

    items = store.items(document_ids=document_ids)
    if document_ids:
        clause, params = store.conn.member_of("document_id", sorted(set(document_ids)))
        docs = store.conn.frame(f"SELECT document_id, source_key, source_format AS document_format FROM documents "
                                f"WHERE {clause}", params)
    else:
        docs = pd.DataFrame(columns=["document_id", "source_key", "document_format"])
    items = items.merge(docs, on="document_id", how="left")
    twins = twins_of(items) if len(items) else pd.Series(dtype="Int64")
    corrected, _report = apply_corrections(items, db, twins=twins, every=every)
    if corrected.empty or "district_id" not in corrected.columns:
        return corrected
    return flag_rows(corrected, findings(corrected))


def _index_rows(frame: pd.DataFrame, place_of_document: dict[str, str]) -> list[tuple]:
    from .bulk import wording_key
    from .queue import band

    def text(v):
        return v if isinstance(v, str) else None

    def number(v):
        return None if v is None or v is pd.NA or pd.isna(v) else v

    out = []
    counts = frame["row_key"].value_counts() if len(frame) else pd.Series(dtype="int64")
    twice = set(counts[counts > 1].index)
    for r in frame.to_dict("records"):
        district = text(r.get("district"))
        flags = text(r.get("flags"))
        score = number(r.get("indicator_score"))
        keys = [wording_key(t) if isinstance(t := r.get(col), str) else "" for col in WORDING_KEYS]
        out.append((r["row_key"], r["document_id"], place_of_document[r["document_id"]], text(r.get("source_file")), int(r["item_index"]),
                    r.get("status"), district, district.upper() if district else None,
                    None if number(r.get("year")) is None else int(r["year"]), _codes(flags), band(flags),
                    text(r.get("indicator_id")), None if score is None else float(score),
                    text(r.get("corrected_fields")) or "", text(r.get("section_id")), text(r.get("unit_id")), *keys,
                    int(r["row_key"] in twice)))
    return out


class ReviewIndex:
    """The index of one store (module doc); `refresh()` before reading brings it up to date."""

    def __init__(self, db: Path | str):
        self.db = db
        self._lock = threading.Lock()
        self._frames: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
        self._orphans: tuple | None = None
        self.version: str | None = None  # changes whenever a refresh built something
        self._memo: dict[tuple, object] = {}  # aggregates of this version, by query
        self.built: list[str] = []  # region-years built by the last refresh (for tests and the bench)

    # -- keeping it up to date --------------------------------------------------------------------
    def _connect(self) -> dbapi.Connection:
        from reja.corrections import connect

        c = connect(self.db)  # a store with its corrections table
        _ensure(c)
        return c

    def refresh(self, log=None) -> list[str]:
        """Build again the region-years whose documents or corrections changed since; returns them."""
        with self._lock:
            c = self._connect()
            try:
                self.built = self._refresh(c, log)
                row = c.execute(f"SELECT value FROM {META} WHERE key = 'version'").fetchone()
                if self.version != (row[0] if row else None):
                    self.version = row[0] if row else None
                    self._memo.clear()
            finally:
                c.close()
            return self.built

    def _refresh(self, c: dbapi.Connection, log) -> list[str]:
        from reja.store import Store

        meta = {r[0]: r[1] for r in c.execute(f"SELECT key, value FROM {META}")}
        with Store(self.db, readonly=True) as store:
            imports = repr(store.import_state())
        seen_row = c.execute("SELECT max(id) FROM corrections").fetchone()
        corrections = str(seen_row[0] or 0)
        stale: set[str] = set()
        gone: set[str] = set()
        docs_of: dict[str, list[str]] | None = None
        if meta.get("imports") != imports:
            docs_of, signatures, sizes = self._places(c)
            known = {r[0]: r[1] for r in c.execute(f"SELECT place, signature FROM {PLACES}")}
            stale |= {p for p, s in signatures.items() if known.get(p) != s}
            gone = set(known) - set(signatures)
        if meta.get("corrections", "0") != corrections:
            keys = [r[0] for r in c.execute("SELECT DISTINCT row_key FROM corrections WHERE id > ? AND id <= ?",
                                            (int(meta.get("corrections", "0")), int(corrections)))]
            for i in range(0, len(keys), 500):
                clause, params = c.member_of("row_key", keys[i:i + 500])
                stale |= {r[0] for r in c.execute(f"SELECT DISTINCT place FROM {ROWS} WHERE {clause}", params)}
        if stale:
            if docs_of is None:
                docs_of, signatures, sizes = self._places(c)
            self._build(c, sorted(stale), docs_of, signatures, sizes, log)
        for place in gone:
            with c.writing():
                c.execute(f"DELETE FROM {ROWS} WHERE place = ?", (place,))
                c.execute(f"DELETE FROM {PLACES} WHERE place = ?", (place,))
        if stale or gone or meta.get("imports") != imports or meta.get("corrections") != corrections:
            with c.writing():
                values = [("imports", imports), ("corrections", corrections)]
                if stale or gone:
                    values.append(("version", secrets.token_hex(8)))
                for key, value in values:
                    c.execute(c.upsert(META, ("key", "value"), ("key",)), (key, value))
        return sorted(stale)

    def _places(self, c: dbapi.Connection) -> tuple[dict[str, list[str]], dict[str, str], dict[str, int]]:
        """Current documents by region-year, each region-year's signature (its documents as imported)
        and its number of rows."""
        docs_of: dict[str, list[str]] = {}
        stamps: dict[str, list[str]] = {}
        sizes: dict[str, int] = {}
        for r in c.execute("SELECT document_id, region_id, year, imported_at, COALESCE(n_items, 0) FROM documents "
                           "WHERE status != 'failed' AND superseded_by IS NULL ORDER BY document_id"):
            place = place_of(r[1], r[2])
            docs_of.setdefault(place, []).append(r[0])
            stamps.setdefault(place, []).append(f"{r[0]}@{r[3]}")
            sizes[place] = sizes.get(place, 0) + int(r[4])
        return docs_of, {p: hashlib.sha256("\n".join(s).encode()).hexdigest() for p, s in stamps.items()}, sizes

    def _build(self, c, places: list[str], docs_of, signatures, sizes, log) -> None:
        from reja.corrections import all_corrections
        from reja.i18n import use_language
        from reja.store import Store

        every = all_corrections(self.db)
        insert = f"INSERT INTO {ROWS} ({', '.join(NAMES)}) VALUES ({', '.join('?' * len(NAMES))})"
        packs: list[list[str]] = []  # whole region-years, up to BUILD_ROWS rows a pack
        rows_in = 0
        for place in places:
            if packs and rows_in + sizes.get(place, 0) <= BUILD_ROWS:
                packs[-1].append(place)
                rows_in += sizes.get(place, 0)
            else:
                packs.append([place])
                rows_in = sizes.get(place, 0)
        done = 0
        with Store(self.db, readonly=True) as store, use_language("en"):  # the index keeps codes, not texts
            for pack in packs:
                where_of = {d: p for p in pack for d in docs_of.get(p, [])}
                frame = place_rows(store, self.db, list(where_of), every) if where_of else None
                rows = _index_rows(frame, where_of) if frame is not None else []
                with c.writing():
                    for place in pack:
                        c.execute(f"DELETE FROM {ROWS} WHERE place = ?", (place,))
                    c.executemany(insert, rows)
                    for place in pack:
                        if docs_of.get(place):
                            c.execute(c.upsert(PLACES, ("place", "signature", "stamp"), ("place",)),
                                      (place, signatures[place], secrets.token_hex(8)))
                        else:
                            c.execute(f"DELETE FROM {PLACES} WHERE place = ?", (place,))
                done += len(pack)
                if log:
                    log(done, len(places))

    # -- reading ----------------------------------------------------------------------------------
    def _read(self, sql: str, params=(), *, keep: bool = False) -> list:
        """The query's rows (`keep`: an aggregate, kept while the index stays the same version)."""
        key = (self.version, sql, tuple(params))
        if keep and self.version is not None and key in self._memo:
            return self._memo[key]
        c = dbapi.connect(self.db, readonly=True)
        try:
            rows = [tuple(r) for r in c.execute(sql, params).fetchall()]
        finally:
            c.close()
        if keep:
            if len(self._memo) > 1000:
                self._memo.clear()
            self._memo[key] = rows
        return rows

    def counts(self) -> dict[str, int]:
        """Rows by status, and all rows."""
        out = {r[0]: int(r[1]) for r in self._read(f"SELECT status, count(*) FROM {ROWS} GROUP BY status", keep=True)}
        out["total"] = sum(out.values())
        return out

    def options(self) -> dict[str, list]:
        """What the filter offers: every flag code, district and year of the store."""
        codes = {code for r in self._read(f"SELECT DISTINCT codes FROM {ROWS}", keep=True) for code in (r[0] or "").split(";")
                 if code}
        districts = [r[0] for r in self._read(f"SELECT DISTINCT district FROM {ROWS} WHERE district IS NOT NULL", keep=True)]
        years = [int(r[0]) for r in self._read(f"SELECT DISTINCT year FROM {ROWS} WHERE year IS NOT NULL", keep=True)]
        return {"reasons": sorted(codes), "districts": sorted(districts), "years": sorted(years)}

    def matching(self, filters: dict[str, str]) -> dict[str, int]:
        """Rows the filter selects (twins counted), how many of them are flagged, and distinct keys."""
        clause, params = where(filters)
        r = self._read(f"SELECT count(*), COALESCE(sum(CASE WHEN r.status = 'flagged' THEN 1 ELSE 0 END), 0) "
                       f"FROM {ROWS} r WHERE {clause}", params, keep=True)[0]
        keys = self._read(_distinct_keys(clause), params * 2, keep=True)[0][0]
        flagged_keys = self._read(_distinct_keys(f"{clause} AND r.status = 'flagged'"), params * 2, keep=True)[0][0]
        return {"rows": int(r[0]), "flagged": int(r[1]), "keys": int(keys), "flagged_keys": int(flagged_keys)}

    def page(self, filters: dict[str, str], offset: int, limit: int) -> pd.DataFrame:
        """The filter's rows `offset` … `offset + limit` (twins included), as the page shows them."""
        clause, params = where(filters)
        places = self._read(f"SELECT r.place, r.document_id, r.item_index FROM {ROWS} r WHERE {clause} "
                            f"ORDER BY {_order()} LIMIT ? OFFSET ?", [*params, int(limit), int(offset)])
        return self._rows_at(places)

    def selected_rows(self, filters: dict[str, str]) -> pd.DataFrame:
        """Every row the filter selects, as shown (for an action on the whole filter)."""
        clause, params = where(filters)
        return self._rows_at(self._read(f"SELECT r.place, r.document_id, r.item_index FROM {ROWS} r "
                                        f"WHERE {clause} ORDER BY {_order()}", params))

    def _rows_at(self, spots: list) -> pd.DataFrame:
        parts = []
        by_place: dict[str, list[tuple[str, int]]] = {}
        for place, doc, index in spots:
            by_place.setdefault(place, []).append((doc, int(index)))
        for place, wanted in by_place.items():
            frame = self.frame(place)
            keys = pd.MultiIndex.from_arrays([frame["document_id"], frame["item_index"].astype("int64")])
            parts.append(frame[keys.isin(wanted)])
        if not parts:
            return pd.DataFrame(columns=["row_key", "status", "flags", "district", "indicator_id", "indicator_score"])
        out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
        order = {spot: n for n, spot in enumerate((d, int(i)) for _p, d, i in spots)}
        rank = [order[(d, int(i))] for d, i in zip(out["document_id"], out["item_index"], strict=True)]
        return out.assign(_rank=rank).sort_values("_rank", kind="stable").drop(columns="_rank").reset_index(drop=True)

    def frame(self, place: str) -> pd.DataFrame:
        """A region-year's rows as shown, in the clerk's language (kept for the next pages)."""
        from reja.corrections import all_corrections
        from reja.i18n import get_language
        from reja.store import Store

        stamp = self._read(f"SELECT stamp FROM {PLACES} WHERE place = ?", (place,))
        key = (place, stamp[0][0] if stamp else None, get_language())
        with self._lock:
            if key in self._frames:
                self._frames.move_to_end(key)
                return self._frames[key]
        ids = [r[0] for r in self._read(f"SELECT DISTINCT document_id FROM {ROWS} WHERE place = ?", (place,))]
        with Store(self.db, readonly=True) as store:
            frame = place_rows(store, self.db, ids, all_corrections(self.db))
        with self._lock:
            self._frames[key] = frame
            while len(self._frames) > KEPT_PLACES:
                self._frames.popitem(last=False)
        return frame

    def row(self, row_key: str) -> tuple[pd.Series, pd.DataFrame] | None:
        """(the row as shown, its region-year's rows) — the key's first row in the store's order."""
        found = self._read(f"SELECT r.place, r.document_id, r.item_index FROM {ROWS} r WHERE r.row_key = ? "
                           f"ORDER BY {_order()} LIMIT 1", (row_key,))
        if not found:
            return None
        place, doc, index = found[0]
        frame = self.frame(place)
        match = frame[(frame["document_id"] == doc) & (frame["item_index"] == int(index))]
        if match.empty:
            return None
        return match.iloc[0], frame

    def neighbours(self, filters: dict[str, str], row_key: str) -> dict:
        """(next, previous, position, length) of a row in the filter's queue (`reja.review.queue`): a row
        outside it has no previous and the queue's first row as next."""
        clause, params = where(filters)
        first, fparams = _first_of_key(filters)
        length = self._read(_distinct_keys(clause), params * 2, keep=True)[0][0]
        at = self._read(f"SELECT r.source_file, r.document_id, r.item_index FROM {ROWS} r WHERE r.row_key = ? AND "
                        f"{clause} ORDER BY {_order()} LIMIT 1", [row_key, *params])
        if not at:
            head = self._read(f"SELECT r.row_key FROM {ROWS} r WHERE {clause} ORDER BY {_order()} LIMIT 1", params)
            return {"next": head[0][0] if head else None, "prev": None, "position": None, "length": int(length)}
        spot = list(at[0])
        cols = _order()

        def one(direction: str, desc: bool):
            got = self._read(f"SELECT r.row_key FROM {ROWS} r WHERE {clause} AND ({cols}) {direction} (?, ?, ?) "
                             f"AND r.row_key != ? AND {first} ORDER BY {_order(desc=desc)} LIMIT 1",
                             [*params, *spot, row_key, *fparams])
            return got[0][0] if got else None

        before = self._read(f"SELECT count(*) FROM {ROWS} r WHERE {clause} AND ({cols}) < (?, ?, ?) AND {first}",
                            [*params, *spot, *fparams])[0][0]
        return {"next": one(">", False), "prev": one("<", True), "position": int(before) + 1, "length": int(length)}

    def after(self, filters: dict[str, str], row_key: str) -> str | None:
        """`reja.review.queue.after` over the index."""
        n = self.neighbours(filters, row_key)
        if n["position"] is None:
            return n["next"]
        return n["next"] or n["prev"]

    def facets(self, filters: dict[str, str]) -> dict[str, list[tuple[str, int]]]:
        """`reja.review.queue.facets` of the filter's rows, by SQL aggregates."""
        from .queue import BANDS

        clause, params = where(filters)
        reasons: dict[str, int] = {}
        for codes, n in self._read(f"SELECT r.codes, count(*) FROM {ROWS} r WHERE {clause} GROUP BY r.codes", params,
                                   keep=True):
            for code in (codes or "").split(";"):
                if code:
                    reasons[code] = reasons.get(code, 0) + int(n)
        out = {"reason": sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))}
        for name, column in (("district", "district"), ("indicator", "indicator_id")):
            rows = self._read(f"SELECT r.{column}, count(*) AS n FROM {ROWS} r WHERE {clause} AND r.{column} IS NOT NULL "
                              f"GROUP BY r.{column} ORDER BY n DESC, r.{column}", params, keep=True)
            out[name] = [(str(k), int(v)) for k, v in rows]
        bands = dict(self._read(f"SELECT r.band, count(*) FROM {ROWS} r WHERE {clause} GROUP BY r.band", params,
                                keep=True))
        out["band"] = [(b, int(bands[b])) for b in BANDS if bands.get(b)]
        return out

    def histogram(self, filters: dict[str, str]) -> list[tuple[int, int, int]]:
        """`reja.review.queue.histogram` of the filter's rows."""
        from .queue import HISTOGRAM_BINS

        clause, params = where(filters)
        width = 100 // HISTOGRAM_BINS
        bins = [0] * HISTOGRAM_BINS
        for score, n in self._read(f"SELECT r.indicator_score, count(*) FROM {ROWS} r WHERE {clause} AND "
                                   "r.indicator_score IS NOT NULL GROUP BY r.indicator_score", params, keep=True):
            if score != score:  # NaN
                continue
            b = min(int(min(max(float(score), 0.0), 100.0) // width), HISTOGRAM_BINS - 1)
            bins[b] += int(n)
        return [(i * width, (i + 1) * width, bins[i]) for i in range(HISTOGRAM_BINS)]

    def same_wording_all(self, row: pd.Series, field: str) -> pd.DataFrame:
        """`reja.review.bulk.same_wording_all` over the index: every current row with the row's wording."""
        from .bulk import wording_column, wording_key

        cols = ["row_key", "document_id", "corrected_fields", "indicator_id", "unit_id", "section_id"]
        column = wording_column(field)
        if column is None:
            return pd.DataFrame(columns=cols)
        key = wording_key(row.get(column) if isinstance(row.get(column), str) else "")
        select = f"SELECT {', '.join('r.' + c for c in cols)} FROM {ROWS} r"
        if not key:
            rows = self._read(f"{select} WHERE r.row_key = ? ORDER BY {_order()}", (row["row_key"],))
            return pd.DataFrame([tuple(r) for r in rows], columns=cols)
        rows = self._read(f"{select} WHERE r.{WORDING_KEYS[column]} = ? ORDER BY {_order()}", (key,))
        return pd.DataFrame([tuple(r) for r in rows], columns=cols).drop_duplicates("row_key")

    def orphans(self) -> list[str]:
        """Descriptions of the corrections in force whose row is not among the current rows."""
        from reja.corrections import ApplyReport, all_corrections, effective

        state = self._read(f"SELECT value FROM {META} WHERE key IN ('imports', 'corrections') ORDER BY key")
        state = tuple(r[0] for r in state)
        if self._orphans is not None and self._orphans[0] == state:
            return self._orphans[1]
        in_force = sorted(effective(all_corrections(self.db)).values(), key=lambda c: c.id)
        keys = sorted({c.row_key for c in in_force})
        present: set[str] = set()
        c = dbapi.connect(self.db, readonly=True)
        try:
            for i in range(0, len(keys), 500):
                clause, params = c.member_of("row_key", keys[i:i + 500])
                present |= {r[0] for r in c.execute(f"SELECT DISTINCT row_key FROM {ROWS} WHERE {clause}", params)}
        finally:
            c.close()
        out = ApplyReport(0, [x for x in in_force if x.row_key not in present]).describe_orphans()
        self._orphans = (state, out)
        return out
