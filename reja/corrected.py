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


# What the consistency findings of a region-year depend on: the checks' columns; what picks the plan
# that speaks for a district-year (status, as corrections leave it); the place names; what counts a
# row's twins and what an acceptance reads (flags). The corrected columns are added to these.
FINDINGS_READ = frozenset({
    "document_id", "row_key", "source_file", "page", "region_id", "district_id", "region", "district",
    "region_latin", "region_cyrillic", "district_latin", "district_cyrillic", "year", "indicator_id", "unit_id",
    "section_no", "item_no", "parent_item_no", "text", "plan_value", "fact_value", "status", "flags",
    "corrected_fields",
})  # fmt: skip


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


def corrected_chunks(store, db: Path | str, *, include_superseded: bool = False,
                     chunk_rows: int | None = None, region_ids=None, years=None) -> Iterator[pd.DataFrame]:  # fmt: skip
    """`corrected_items` of the whole store, piece by piece in the export's order (file, document, row),
    so memory does not grow with the store. The consistency findings compare a district with the
    other districts of its region in the same year, so they are found first, region-year by
    region-year (the same findings as over the whole store), and then put on each piece's rows.
    `region_ids` / `years`: only those regions' and years' plans (whole region-years, so the findings
    are the same; a plan placed in no region is kept, as `reja.api.load_items` keeps it)."""
    from reja.compare.consistency import FINDING_COLUMNS, findings, flag_rows

    chunk_rows = chunk_rows or CHUNK_ROWS

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
    by_place: dict[tuple, list] = {}
    for d in docs:
        by_place.setdefault((d["region_id"] or "", d["year"] or 0), []).append(d)
    groups = [(sum(d["n_items"] for d in ds), [d["document_id"] for d in ds]) for _k, ds in sorted(by_place.items())]
    every = all_corrections(db)  # read once for the whole export, not once a piece
    keyed = {key for key, _field in effective(every)}

    def corrected_piece(ids: list[str], fields=ITEM_FIELDS) -> pd.DataFrame:
        items = store.items(include_superseded=include_superseded, document_ids=ids, fields=fields)
        return apply_corrections(items, db, twins=_twins(items, keyed), every=every)[0]

    # the findings pass reads the columns the checks and the corrections read, not all of them
    corrected_names = {name for _key, name in effective(every)} & {f.name for f in ITEM_FIELDS}
    narrow = tuple(f for f in ITEM_FIELDS if f.name in FINDINGS_READ or f.name in corrected_names)
    found = []
    for ids in _packs(groups, chunk_rows):
        corrected = corrected_piece(ids, narrow)
        if len(corrected) and "district_id" in corrected.columns:
            part = findings(corrected)
            found.append(part[part["flag"]])
    flagged = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=FINDING_COLUMNS)
    ordered = sorted(docs, key=lambda d: (d["source_file"], d["document_id"]))
    for ids in _packs([(d["n_items"], [d["document_id"]]) for d in ordered], chunk_rows):
        corrected = corrected_piece(ids)
        yield coerce(flag_rows(corrected, flagged) if len(flagged) else corrected, ITEM_FIELDS)
