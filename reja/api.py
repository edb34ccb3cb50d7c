"""Python API for analysts (notebooks): the same tables the exports hold, as pandas DataFrames.

    from reja.api import import_paths, load_items, load_documents
    report = import_paths(["plans/"], db="reja.sqlite", jobs=2)
    items = load_items("reja.sqlite")           # current plans, one row per activity
    items[items.status == "flagged"]            # rows that need review
    docs = load_documents("reja.sqlite")        # one row per imported file (ok / partial / failed)

Frames have the contract's column order and dtypes (`reja.schema.dataset`): strings as `string`,
integers as nullable `Int64`, numbers as `float64`. Reading opens the store read-only, so a notebook
can read while an import is writing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reja.batch import BatchLimits, ImportReport, run_import
from reja.corrected import corrected_items
from reja.extract.model import ParsedPlan
from reja.store import STORE_CANDIDATES, Store, find_store  # noqa: F401 - find_store: part of the API

DEFAULT_DB = "reja.sqlite"
def load_items(
    db: Path | str = DEFAULT_DB, *, include_superseded: bool = False, corrections: bool = True,
    region_ids: Iterable[str] | None = None, years: Iterable[int] | None = None,
) -> pd.DataFrame:
    """Items of the current plans, with clerks' corrections applied (status 'corrected',
    `corrected_fields`). include_superseded=True adds older versions; corrections=False gives the
    raw extraction. `region_ids` / `years`: only the plans of these regions (gazetteer ids) and
    years, chosen in the store (a region-year is whole, so its consistency findings are the same)."""
    with Store(db, readonly=True) as store:
        ids = None
        if region_ids is not None or years is not None:
            clauses, params = ["status != 'failed'"], []
            if region_ids is not None:  # a plan placed in no region is kept: the selection decides on it
                region_ids = sorted(set(region_ids))
                clauses.append(f"(region_id IN ({', '.join('?' * len(region_ids))}) OR region_id IS NULL)")
                params += region_ids
            if years is not None:
                years = sorted({int(y) for y in years})
                clauses.append(f"year IN ({', '.join('?' * len(years))})" if years else "0")
                params += years
            ids = [r[0] for r in store.conn.execute(f"SELECT document_id FROM documents WHERE {' AND '.join(clauses)}",
                                                    params)]  # fmt: skip
        items = store.items(include_superseded=include_superseded, document_ids=ids)
    return corrected_items(items, db) if corrections else items


def orphaned_corrections(db: Path | str = DEFAULT_DB) -> list[str]:
    """Clerks' corrections whose row is no longer in the dataset (kept, not applied), described.
    The store is asked about the corrections' row keys only (it runs after every import)."""
    from reja.corrections import ApplyReport, all_corrections, effective

    in_force = sorted(effective(all_corrections(db)).values(), key=lambda c: c.id)
    if not in_force:
        return []
    with Store(db, readonly=True) as store:
        present = store.keys_with_rows(sorted({c.row_key for c in in_force}), current=True)
    return ApplyReport(0, [c for c in in_force if c.row_key not in present]).describe_orphans()


def load_documents(db: Path | str = DEFAULT_DB) -> pd.DataFrame:
    """One row per imported file version, failed ones included (status, error_code, error)."""
    with Store(db, readonly=True) as store:
        return store.documents()


def import_paths(
    paths: Iterable[Path | str] | Path | str,
    db: Path | str = DEFAULT_DB,
    *,
    out: Path | str | None = None,
    jobs: int = 1,
    force: bool = False,
    parse: Callable[[Path], ParsedPlan] | None = None,
    limits: BatchLimits | None = None,
    verbose: bool = False,
) -> ImportReport:
    """Import files, folders and zip archives; with `out`, also write every export there.

    The returned report has per-file outcomes (`report.files`), `report.summary()`,
    `report.exit_code` (same codes as the command line) and `report.log_path`.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    report = run_import(
        paths, db=db, log_dir=out, jobs=jobs, force=force, parse=parse, limits=limits,
        on_status=print if verbose else None, progress=False,
    )  # fmt: skip
    if out is not None and not report.interrupted:
        from reja.export import export_dataset

        report.exports = export_dataset(db, out)
    return report


def export(db: Path | str = DEFAULT_DB, out: Path | str = "out") -> dict[str, Path]:
    """Write Parquet, CSV, XLSX and datapackage.json of the store into `out`."""
    from reja.export import export_dataset

    return export_dataset(db, out)


# ------------------------------------------------------------------ catalogue matching (issue 19)
@dataclass(frozen=True)
class Candidate:
    id: str
    score: float
    name_latn: str
    name_cyrl: str


@dataclass(frozen=True)
class MatchResult:
    """What the matcher decided for one text, as `reja match` prints it.

    band: "auto" (accepted), "review" (flagged with its best guess) or "none" (unmatched);
    context: the section/unit the text was matched under (ids), with how a given heading or unit
    text was read ("section 'Xizmat ko'rsatish' → user_services (auto)")."""

    kind: str
    text: str
    id: str | None
    band: str
    score: float
    reason: str
    name_latn: str | None
    name_cyrl: str | None
    candidates: tuple[Candidate, ...]
    section: str | None = None
    unit: str | None = None
    parent: str | None = None
    context: tuple[str, ...] = ()


MATCH_KINDS = ("section", "indicator", "unit")


def _catalogue_id(pool: dict, given: str) -> str | None:
    """`given` as an id of `pool`: the id itself, or the one id it abbreviates by whole parts
    ("services" → user_services); None when it is no id or several."""
    if given in pool:
        return given
    hits = [i for i in pool if given in i.split("_") or i.startswith(given + "_") or i.endswith("_" + given)]
    return hits[0] if len(hits) == 1 else None


def match(kind: str, text: str, section: str | None = None, unit: str | None = None,
          parent: str | None = None) -> MatchResult:
    """Match a heading ("section"), an activity ("indicator") or a unit cell ("unit") to the catalogue.

        match("indicator", "Kitob berilishi", section="user_services", unit="nusxa")

    `section` and `unit` (indicators only) are catalogue ids or texts as a plan writes them (a text
    is matched first; a heading that matches no section means the indicator is never auto-accepted,
    as on an imported row); `parent` is the indicator id of the parent item (sub-items).
    """
    from reja.normalize.match import match_indicator, match_section, match_unit
    from reja.schema.catalogue import load_catalogue

    if kind not in MATCH_KINDS:
        raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(MATCH_KINDS)}")
    cat = load_catalogue()
    pools = {"section": cat.sections, "indicator": cat.indicators, "unit": cat.units}
    context: list[str] = []
    section_id = unit_id = None
    section_unmatched = False
    if kind == "indicator":
        if parent is not None and parent not in cat.indicators:
            raise ValueError(f"parent {parent!r} is not an indicator id")
        if section:
            section_id = _catalogue_id(cat.sections, section)
            if section_id is None:
                sm = match_section(section)
                section_id = sm.id if sm.band in ("auto", "review") else None
                section_unmatched = section_id is None
                context.append(f"section {section!r} -> {sm.id} ({sm.band})")
        if unit:
            unit_id = _catalogue_id(cat.units, unit)
            if unit_id is None:
                um = match_unit(unit)
                unit_id = um.id if um.band in ("auto", "review") else None
                context.append(f"unit {unit!r} -> {um.id} ({um.band})")
        m = match_indicator(text, section_id=section_id, unit_id=unit_id, parent_id=parent,
                            section_unmatched=section_unmatched)
    elif kind == "section":
        m = match_section(text)
    else:
        m = match_unit(text)
    pool = pools[kind]
    entry = pool.get(m.id) if m.id else None
    cands = tuple(Candidate(cid, float(score), pool[cid].name_latn, pool[cid].name_cyrl)
                  for cid, score in m.candidates if cid in pool)
    return MatchResult(kind, text, m.id, m.band, float(m.score), m.reason,
                       entry.name_latn if entry else None, entry.name_cyrl if entry else None, cands,
                       section_id, unit_id, parent, tuple(context))
