"""The dataset's items as they stand: the extraction with clerks' corrections applied and the
consistency findings flagged — what `reja.api.load_items` returns and every export writes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from reja.corrections import all_corrections, apply_corrections, effective, twins_of
from reja.schema.dataset import ITEM_FIELDS, coerce

# rows per piece of a streamed export: bounds its memory whatever the store's size (37,725 rows exported
# in one piece peaked at 535 MiB, in pieces of 10,000 at 344 MiB for 10% more CPU)
CHUNK_ROWS = 10_000


def corrected_items(items: pd.DataFrame, db: Path | str) -> pd.DataFrame:
    """Clerk corrections (issue 8) on top of the extraction: the one place they meet the dataset."""
    # lazy: reja.compare's package brings matplotlib, which reading corrections alone does not need
    from reja.compare.consistency import with_consistency_flags

    corrected, _report = apply_corrections(items, db)
    # consistency findings (a total that is not its parts' sum …) reach the dataset and the clerk's
    # queue as flags of their own kind; they are computed over the plans as they now stand
    return coerce(with_consistency_flags(corrected), ITEM_FIELDS)


def _twins(items: pd.DataFrame, keyed: set[str]) -> pd.Series:
    """`twins_of(items)` where a correction may read it: the documents holding a corrected row key (a
    row's twins are counted within its document); 1 elsewhere, where nothing reads it. Folding every
    row's text for its twins was a third of an export's reading."""
    twins = pd.Series(1, index=items.index, dtype="Int64")
    if not len(items) or not keyed:
        return twins
    docs = items.loc[items["row_key"].isin(keyed), "document_id"].unique()
    if len(docs):
        held = items["document_id"].isin(docs)
        twins.loc[held] = twins_of(items.loc[held])
    return twins


def _packs(groups: list[tuple[int, list[str]]], limit: int) -> Iterator[list[str]]:
    """Consecutive groups of documents ((rows, ids)) packed into pieces of at most `limit` rows (a
    group larger than that is a piece of its own: a group is never split)."""
    pack: list[str] = []
    rows = 0
    for n, ids in groups:
        if pack and rows + n > limit:
            yield pack
            pack, rows = [], 0
        pack.extend(ids)
        rows += n
    if pack:
        yield pack


# rows of read packs a streamed export may hold while the files' order comes to their documents (when
# that order scatters a region-year's plans); beyond it, packs are dropped and their documents read again
HELD_ROWS = 50_000


class _Held:
    """Finished pieces of the store, held by document until the export's order reaches them."""

    def __init__(self, position: dict[str, int]):
        self.position = position  # document → its place in the export's order
        self.frames: dict[int, pd.DataFrame] = {}
        self.where: dict[str, tuple[int, int, int]] = {}  # document → (frame, first row, row after)
        self.waiting: dict[int, set[str]] = {}  # frame → its documents not yet taken
        self.rows = 0
        self._next = 0

    def add(self, frame: pd.DataFrame, ids: list[str]) -> None:
        """The finished rows of documents `ids`, in the export's order (each document's rows together);
        a document without rows is held too (as no rows)."""
        key, self._next = self._next, self._next + 1
        column = frame["document_id"].to_numpy(dtype=object)
        starts = [0, *(i for i in range(1, len(column)) if column[i] != column[i - 1])] if len(column) else []
        spans = {column[a]: (a, b) for a, b in zip(starts, [*starts[1:], len(column)], strict=True)}
        for doc_id in ids:
            a, b = spans.get(doc_id, (0, 0))
            self.where[doc_id] = (key, a, b)
        self.frames[key] = frame
        self.waiting[key] = set(ids)
        self.rows += len(frame)

    def has(self, doc_id: str) -> bool:
        return doc_id in self.where

    def take(self, ids: list[str]) -> pd.DataFrame:
        """The rows of these documents (all held), in this order, as one frame."""
        spans: list[list[int]] = []  # [frame, first row, row after]: neighbours in one frame joined
        keys = []
        for doc_id in ids:
            key, start, stop = self.where.pop(doc_id)
            self.waiting[key].discard(doc_id)
            keys.append(key)
            if start == stop:
                continue
            if spans and spans[-1][0] == key and spans[-1][2] == start:
                spans[-1][2] = stop
            else:
                spans.append([key, start, stop])
        parts = [self.frames[k] if (a, b) == (0, len(self.frames[k])) else self.frames[k].iloc[a:b]
                 for k, a, b in spans] or [self.frames[keys[0]].iloc[:0]]  # fmt: skip
        for key in dict.fromkeys(keys):
            if not self.waiting[key]:
                self._drop(key)
        out = parts[0] if len(parts) == 1 else pd.concat(parts)
        return out.reset_index(drop=True)

    def trim(self, limit: int) -> None:
        """Drop the frames needed last until at most `limit` rows are held (their documents are read again)."""
        while self.rows > limit and self.frames:
            last = max(self.frames, key=lambda k: min(self.position[d] for d in self.waiting[k]))
            for doc_id in self.waiting[last]:
                del self.where[doc_id]
            self._drop(last)

    def _drop(self, key: int) -> None:
        self.rows -= len(self.frames.pop(key))
        del self.waiting[key]


def corrected_chunks(store, db: Path | str, *, include_superseded: bool = False,
                     chunk_rows: int | None = None, region_ids=None, years=None,
                     held_rows: int | None = None) -> Iterator[pd.DataFrame]:  # fmt: skip
    """`corrected_items` of the whole store, piece by piece in the export's order (file, document, row),
    so memory does not grow with the store.
    The consistency findings compare a district with the other districts of its region in the same
    year, so the store is read in packs of whole region-years, in the order the export first needs
    them; each pack gets its corrections and its findings (the same findings as over the whole store)
    and waits until the export reaches its documents. So the store is read once. When the files'
    order scatters region-years and more than `held_rows` rows would wait, the packs needed last are
    dropped (their findings kept) and their documents read again when their turn comes.
    `region_ids` / `years`: only those regions' and years' plans (whole region-years, so the findings
    are the same; a plan placed in no region is kept, as `reja.api.load_items` keeps it)."""
    from reja.compare.consistency import findings, flag_rows

    chunk_rows = chunk_rows or CHUNK_ROWS
    held_rows = HELD_ROWS if held_rows is None else held_rows

    current = "" if include_superseded else "AND superseded_by IS NULL"
    docs = store.conn.execute(
        f"SELECT document_id, region_id, year, COALESCE(n_items, 0) AS n_items, source_file FROM documents "
        f"WHERE status != 'failed' {current}"
    ).fetchall()
    if region_ids is not None:
        regions = set(region_ids)
        docs = [d for d in docs if d["region_id"] is None or d["region_id"] in regions]
    if years is not None:
        chosen_years = {int(y) for y in years}
        docs = [d for d in docs if d["year"] in chosen_years]
    ordered = sorted(docs, key=lambda d: (d["source_file"], d["document_id"]))
    by_place: dict[tuple, list] = {}  # region-year → its documents, in the order the export first needs them
    for d in ordered:
        by_place.setdefault((d["region_id"] or "", d["year"] or 0), []).append(d)
    packs = list(_packs([(sum(d["n_items"] for d in ds), [d["document_id"] for d in ds]) for ds in by_place.values()],
                        chunk_rows))  # fmt: skip
    pack_of = {doc_id: p for p, ids in enumerate(packs) for doc_id in ids}
    waiting = [len(ids) for ids in packs]  # documents of each pack not yet given out
    every = all_corrections(db)  # read once for the whole export, not once a piece
    keyed = {key for key, _field in effective(every)}

    def finished(ids: list[str], found: list[pd.DataFrame] | None) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
        """These documents' rows read, corrected and flagged with the findings `found` (None: those
        found on these rows, which are whole region-years); returns the rows and the flagged findings."""
        items = store.items(include_superseded=include_superseded, document_ids=ids)
        corrected = apply_corrections(items, db, twins=_twins(items, keyed), every=every)[0]
        if found is None:
            part = findings(corrected) if len(corrected) else None
            found = [part.loc[part["flag"].astype(bool)]] if part is not None else []
        found = [f for f in found if len(f)]
        rows = flag_rows(corrected, pd.concat(found, ignore_index=True)) if found else corrected
        return coerce(rows, ITEM_FIELDS), found

    held = _Held({d["document_id"]: n for n, d in enumerate(ordered)})
    found_of: dict[int, list[pd.DataFrame]] = {}  # pack → its flagged findings, while a document of it waits
    loaded = 0  # packs are read in order: the next one holds the first region-year not yet read
    for ids in _packs([(d["n_items"], [d["document_id"]]) for d in ordered], chunk_rows):
        while loaded < len(packs) and any(pack_of[i] >= loaded for i in ids):
            rows, found_of[loaded] = finished(packs[loaded], None)
            held.add(rows, packs[loaded])
            loaded += 1
        again = [i for i in ids if not held.has(i)]  # dropped while they waited: read again, findings kept
        if again:
            found = [f for p in dict.fromkeys(pack_of[i] for i in again) for f in found_of[p]]
            held.add(finished(again, found)[0], again)
        yield held.take(ids)
        for i in ids:
            waiting[pack_of[i]] -= 1
            if not waiting[pack_of[i]]:
                found_of.pop(pack_of[i], None)
        held.trim(held_rows)
