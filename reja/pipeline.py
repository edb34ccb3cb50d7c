"""The pipeline, top to bottom: read (any format → IR) → parse (IR → plan) → rows → match → check
→ rows to store. `batch` schedules these per file, isolates each in a worker and reports.

Stage one (`parse_file`, `read_rows`) reads the file; its result — the rows before matching — is
what the store keeps under the parse key. Stage two (`match_rows`) needs only that result, so new
learned wordings re-match stored rows without reading the file again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from reja import enrich, identity, records
from reja.extract.model import ParsedPlan, PlanMeta
from reja.extract.plan import NO_ITEMS_PREFIX
from reja.extract.settings import ParseSettings, load_parse_settings


def parse_file(path: Path | str, *, settings: ParseSettings | None = None, **reader_options) -> ParsedPlan:
    """Read a plan document of any supported format and parse it into items. `settings`: the
    parser's thresholds (`reja.extract.settings`), by default this installation's data files.

    Raises `reja.extract.errors.ReadError` (with file and cause) when the file cannot be read.
    """
    from reja.extract.plan import parse_plan
    from reja.extract.readers import read_document

    settings = settings or load_parse_settings()
    document = read_document(Path(path), settings=settings, **reader_options)
    plan = parse_plan(document, settings)
    if any(cell.confidence is not None for table in document.tables for cell in table.cells):
        # OCR'd cells: name the doubtful cell of each row and keep its box for the clerk's crop
        from reja.extract.scan import apply_ocr_flags

        apply_ocr_flags(plan, document, settings)
    return plan


def read_rows(parse: Callable[[Path], ParsedPlan], task: dict) -> dict:
    """Read → parse → rows: the file's rows before any matching (`records.ItemRow`), with the plan's
    facts and the rows' catalogue-independent normal forms (`enrich.prepare_rows`)."""
    plan = parse(Path(task["path"]))
    rows = records.plan_rows(plan, document_id=task["document_id"], source_file=task["display"])
    # what matching needs that no catalogue edit changes (normalised text, match keys, deadlines)
    prepared = enrich.prepare_rows(rows, rows[0].year if rows else None)
    return {"rows": rows, "prepared": prepared, "meta": asdict(plan.meta), "format": plan.format,
            "page_count": plan.page_count, "warnings": list(plan.warnings)}  # fmt: skip


def as_stored(parsed: dict) -> tuple[dict, str | None]:
    """The parsed rows as the store keeps them (JSON, a row as `ItemRow.as_record`) and as matching
    gets them (`from_stored`): a fresh import and a re-match start from the very same data. None when
    a value has no JSON form (then not kept)."""
    try:
        text = json.dumps({**parsed, "rows": [row.as_record() for row in parsed["rows"]]}, ensure_ascii=False)
    except (TypeError, ValueError):
        return parsed, None
    return from_stored(text), text


def from_stored(text: str) -> dict:
    """A stored parse (`as_stored`'s JSON) with its rows as checked `ItemRow`s."""
    parsed = json.loads(text)
    parsed["rows"] = [records.ItemRow.from_record(row) for row in parsed["rows"]]
    return parsed


def match_rows(parsed: dict, task: dict) -> dict:
    """Match → check → rows to store: identify the plan, match every row against the catalogue (and
    the wordings clerks taught), finish the rows, and describe the document."""
    rows, meta = parsed["rows"], PlanMeta(**parsed["meta"])
    year = rows[0].year if rows else None
    plan_id = identity.identify_plan(meta, year, task["source_key"])
    ids = {"region_id": plan_id.region_id, "district_id": plan_id.district_id}
    enriched = enrich.enrich_rows(rows, plan_year=year, learned=task.get("learned"), place=ids,
                                  prepared=parsed.get("prepared"))
    for row in rows:
        enrich.set_fields(row, ids)
    records.finalise_rows(rows, plan_id.place_key)
    doc = _document_row(parsed, meta, year, _plan_flags(meta, year, plan_id.flags + enriched["flags"]))
    doc.update(plan_key=plan_id.plan_key, **ids)
    if not rows:
        warnings = parsed["warnings"]
        found = next((w.split(NO_ITEMS_PREFIX, 1)[1] for w in warnings if NO_ITEMS_PREFIX in w), None)
        reason = f"no plan items found: {found}" if found else "no plan items found (is this an ish rejasi?)"
        return {"ok": False, "code": "no_items", "reason": reason, "doc": doc}
    doc["status"] = "partial" if doc["n_flagged"] or doc["meta_flags"] else "ok"
    return {"ok": True, "doc": doc, "rows": rows}


def _plan_flags(meta: PlanMeta, year: int | None, found: list[str]) -> list[str]:
    flags = list(meta.flags) + found
    missing = [n for n, v in (("district", meta.district), ("year", year)) if not v]
    if missing and not any(f.startswith("meta_missing") for f in flags):
        flags.append(f"meta_missing: {', '.join(missing)}")
    return flags


def _document_row(parsed: dict, meta: PlanMeta, year: int | None, meta_flags: list[str]) -> dict:
    rows = parsed["rows"]
    return {
        "source_format": parsed["format"], "region": meta.region, "district": meta.district, "year": year,
        "organisation": meta.organisation, "title": meta.title, "approved_by": meta.approved_by,
        "approved_date": meta.approved_date, "agreed_by": meta.agreed_by, "agreed_date": meta.agreed_date,
        "page_count": parsed["page_count"], "n_items": len(rows),
        "n_flagged": sum(1 for r in rows if r.status == "flagged"),
        "meta_flags": "; ".join(meta_flags), "warnings": "; ".join(parsed["warnings"]),
    }  # fmt: skip
