"""The match cache shared by every worker and every later import: a small SQLite file next to the store.

`reja.normalize.match` answers a repeated wording from its in-process cache; this is the second level
(`set_shared_cache`), so a wording matched once by any worker of any import is not matched again:

    <store>.match-cache.sqlite   table matches(catalogue_version, key, match)  -- key: kind + text + context

A separate file, not a table of the store: workers write to it while the parent writes the store, and a
cache must never make an import wait or fail. Every SQLite error is swallowed (the match is then
simply computed); rows of other catalogue versions, or of another matcher (`scope`: code and data
versions), are never read and are dropped when the cache grows past `MAX_ROWS`. Each process opens
its own connection (forked workers never share one).

Switched on in reja.batch and reja.rematch (scope: `reja.keys.match_scope`): on a cold batch it gives no
clear win (tools/bench_match_cache.py), but a re-match in a new process after a clerk's correction finds
every wording the workers matched (tools/measure_rematch.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from pathlib import Path

from reja.normalize.match import Match

MAX_ROWS = 500_000
SUFFIX = ".match-cache.sqlite"


def cache_path(db: Path | str) -> Path:
    """Where the cache of the store `db` lives."""
    db = Path(db)
    return db.with_name(db.name + SUFFIX)


class SharedMatchCache:
    """get/put as `reja.normalize.match.set_shared_cache` expects them."""

    def __init__(self, path: Path | str, scope: str = "") -> None:
        self.path = Path(path)
        # the matcher's code and data files beyond the catalogue (vocabulary, stemmer, rules): a
        # cache outlives the reja that filled it, so its rows are valid only for the same matcher
        self.scope = scope
        self._conn: sqlite3.Connection | None = None
        self._pid: int | None = None
        self.disabled = False

    def _connection(self) -> sqlite3.Connection | None:
        if self.disabled:
            return None
        if self._conn is None or self._pid != os.getpid():  # a forked worker opens its own
            try:
                conn = sqlite3.connect(self.path, timeout=0.2, isolation_level=None)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")  # no fsync per row: a lost row is recomputed
                conn.execute("CREATE TABLE IF NOT EXISTS matches (catalogue_version TEXT NOT NULL, "
                             "key TEXT NOT NULL, match TEXT NOT NULL, PRIMARY KEY (catalogue_version, key))")
            except sqlite3.Error:
                self.disabled = True  # unwritable folder, foreign file: run without it
                return None
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def _version(self, catalogue_version: str) -> str:
        return f"{catalogue_version}|{self.scope}" if self.scope else catalogue_version

    @staticmethod
    def _key(key: tuple) -> str:
        return json.dumps(key, ensure_ascii=False)

    def get(self, catalogue_version: str, key: tuple) -> Match | None:
        conn = self._connection()
        if conn is None:
            return None
        try:
            row = conn.execute("SELECT match FROM matches WHERE catalogue_version = ? AND key = ?",
                               (self._version(catalogue_version), self._key(key))).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        try:
            d = json.loads(row[0])
            return Match(d["id"], d["score"], d["band"], [tuple(c) for c in d["candidates"]], d["reason"])
        except (ValueError, KeyError, TypeError):
            return None

    def put(self, catalogue_version: str, key: tuple, m: Match) -> None:
        conn = self._connection()
        if conn is None:
            return
        value = json.dumps({"id": m.id, "score": m.score, "band": m.band,
                            "candidates": [list(c) for c in m.candidates], "reason": m.reason}, ensure_ascii=False)
        try:
            conn.execute("INSERT OR REPLACE INTO matches VALUES (?, ?, ?)",
                         (self._version(catalogue_version), self._key(key), value))
        except sqlite3.Error:
            return

    def close(self) -> None:
        """Stop sharing (if this cache is the one installed) and close this process's connection."""
        from reja.normalize import match as matcher

        if matcher._SHARED is self:
            matcher.set_shared_cache(None)
        if self._conn is not None and self._pid == os.getpid():
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
        self._conn = None

    def prune(self, catalogue_version: str) -> None:
        """Drop other catalogue versions' rows once the cache is past MAX_ROWS (called by the parent)."""
        conn = self._connection()
        if conn is None:
            return
        try:
            (n,) = conn.execute("SELECT count(*) FROM matches").fetchone()
            if n > MAX_ROWS:
                conn.execute("DELETE FROM matches WHERE catalogue_version != ?", (self._version(catalogue_version),))
        except sqlite3.Error:
            return


def install(db: Path | str, scope: str = "") -> SharedMatchCache:
    """Share matches through the cache of store `db` in this process and its forked workers.
    `scope`: the version of the matcher's code and data (the batch passes its pipeline and data
    versions), so rows left by another reja are never read."""
    from reja.normalize.match import set_shared_cache
    from reja.schema.catalogue import catalogue_version

    cache = SharedMatchCache(cache_path(db), scope)
    cache.prune(catalogue_version())
    set_shared_cache(cache)
    return cache
