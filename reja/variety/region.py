"""A region batch from the variety corpus: every district and city of one region, several plan years,
drawn from the typed families — with districts that sent nothing, totals that are not the sum of their
sub-items and plans below last year's fact planted by the spec — and the answers to the analyst's
questions worked out from the specs alone (`expected_answers`), never from reja's views.

    python -m reja.variety region --region 1712 --years 2023 2024 2025 [--out DIR]

renders the batch as DOCX, imports it into a fresh store and checks each answer of `reja.compare`
against the spec (`make eval-region`).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from .spec import _places, _raw, draw_spec

FAMILY = "docx_classic"  # Latin, fact and plan columns, bordered: the answers test the views, not the reader


@dataclass
class RegionBatch:
    region_id: str
    years: list[int]
    districts: list[str]  # every district and city of the region
    specs: list[dict] = field(default_factory=list)
    missing: dict[int, set[str]] = field(default_factory=dict)  # year -> districts that sent no plan
    bad_totals: set[tuple[str, int, str]] = field(default_factory=set)  # (district, year, indicator)


def draw_region(region_id: str, years: list[int], *, seed: int = 0, missing_last_year: int = 3,
                bad_totals_per_year: int = 2, below_fact_per_year: int = 2) -> RegionBatch:
    rng = random.Random(f"region:{region_id}:{seed}")
    districts = sorted(p["district_id"] for p in _places()[0] if p["region_id"] == region_id)
    batch = RegionBatch(region_id, list(years), districts)
    batch.missing = {y: set() for y in years}
    batch.missing[years[-1]] = set(rng.sample(districts, min(missing_last_year, len(districts) - 1)))
    for year in years:
        year_specs = []
        for k, district in enumerate(districts):
            if district in batch.missing[year]:
                continue
            spec = draw_spec(seed * 100_000 + year * 100 + k, FAMILY, district_id=district, year=year)
            spec["region_batch"] = {"region_id": region_id}
            _whole_units(spec)
            year_specs.append(spec)
        _plant_bad_totals(rng, year_specs, bad_totals_per_year, batch)
        _plant_below_fact(rng, year_specs, below_fact_per_year)
        batch.specs.extend(year_specs)
    return batch


def _whole_units(spec: dict) -> None:
    """A figure counted in thousands ("45,3 ming nusxa") back in its unit, so one indicator has one
    unit across the batch and a regional total is a plain sum (reja keeps units apart anyway)."""
    for row in spec["items"]:
        unit = row.get("unit") or ""
        for word in ("ming ", "тыс. "):
            if unit.startswith(word):
                row["unit"] = unit[len(word):]
                for k in ("fact", "plan"):
                    if row[f"{k}_value"] is not None:
                        row[f"{k}_value"] = int(round(row[f"{k}_value"] * 1000))
                _raw(row, "", "-")


def _totals(spec: dict) -> list[tuple[dict, list[dict]]]:
    """(total row, its sub-item rows) of a spec, for totals whose parts are rows of their own."""
    out = []
    for row in spec["items"]:
        if row.get("item_no") and (row.get("render") or {}).get("parts") not in (None, "stacked"):
            subs = [s for s in spec["items"] if s.get("parent_item_no") == row["item_no"]
                    and s["section_no"] == row["section_no"]]
            if len(subs) >= 2 and row["plan_value"] is not None and all(s["plan_value"] is not None for s in subs):
                out.append((row, subs))
    return out


def _plant_bad_totals(rng: random.Random, specs: list[dict], n: int, batch: RegionBatch) -> None:
    candidates = [(spec, row) for spec in specs for row, _subs in _totals(spec) if row.get("indicator")]
    for spec, row in rng.sample(candidates, min(n, len(candidates))):
        row["plan_value"] = row["plan_value"] + 7  # a clerk's slip: the total no longer adds up
        _raw(row, "", "-")
        batch.bad_totals.add((spec["meta"]["district_id"], spec["meta"]["year"], row["indicator"]))


def _plant_below_fact(rng: random.Random, specs: list[dict], n: int) -> None:
    rows = [(spec, row) for spec in specs for row in spec["items"]
            if row.get("indicator") and row.get("item_no") and not row.get("parent_item_no")
            and row["fact_value"] is not None and row["plan_value"] and isinstance(row["plan_value"], int)
            and not (row.get("render") or {}).get("parts")]
    for _spec, row in rng.sample(rows, min(n, len(rows))):
        row["fact_value"] = row["plan_value"] * 3  # far below last year's fact: a lost digit?
        _raw(row, "", "-")


# ---- the answers, from the specs alone -------------------------------------------------------


def _top(spec: dict):
    """Rows an indicator's figure is made of: top-level rows, and sub-items (their own indicators)."""
    return [r for r in spec["items"] if r.get("indicator")]


def expected_answers(batch: RegionBatch) -> dict:
    by_year = defaultdict(list)
    for spec in batch.specs:
        by_year[spec["meta"]["year"]].append(spec)
    # regional total of each indicator's plan per year (units as the bank gives them: one per indicator)
    totals: dict[tuple[str, int], float] = defaultdict(float)
    for year, specs in by_year.items():
        for spec in specs:
            for r in _top(spec):
                if r["plan_value"] is not None:
                    totals[(r["indicator"], year)] += r["plan_value"]
    # fulfilment: plan N (plan of N) against fact N (plan of N+1), per district and indicator
    plan_of, fact_of = defaultdict(float), defaultdict(float)
    plan_rows, fact_rows = defaultdict(int), defaultdict(int)
    for spec in batch.specs:
        district, year = spec["meta"]["district_id"], spec["meta"]["year"]
        for r in _top(spec):
            if r["plan_value"] is not None:
                plan_of[(district, r["indicator"], year)] += r["plan_value"]
                plan_rows[(district, r["indicator"], year)] += 1
            if r["fact_value"] is not None:
                fact_of[(district, r["indicator"], year - 1)] += r["fact_value"]
                fact_rows[(district, r["indicator"], year - 1)] += 1
    fulfilment = {k: round(fact_of[k] / plan_of[k] * 100, 1) for k in plan_of
                  if k in fact_of and plan_of[k] != 0}
    below = set()
    for spec in batch.specs:
        for r in _top(spec):
            if r["plan_value"] is not None and r["fact_value"] and r["plan_value"] < r["fact_value"]:
                below.add((spec["meta"]["district_id"], spec["meta"]["year"], r["indicator"]))
    return {"totals": dict(totals), "missing": batch.missing, "fulfilment": fulfilment,
            "bad_totals": batch.bad_totals, "below_fact": below}


# ---- the run: render, import, ask, check -----------------------------------------------------


def _check(name: str, expected: dict | set, got: dict | set) -> dict:
    if isinstance(expected, set):
        return {"question": name, "expected": len(expected), "right": len(expected & got),
                "missed": sorted(expected - got)[:5], "extra": sorted(got - expected)[:5],
                "exact": expected == got}
    right = sum(1 for k, v in expected.items() if k in got and abs(got[k] - v) < 1e-6)
    wrong = [(k, v, got.get(k)) for k, v in expected.items() if k not in got or abs(got[k] - v) >= 1e-6]
    extra = sorted(set(got) - set(expected))
    return {"question": name, "expected": len(expected), "right": right, "missed": wrong[:5], "extra": extra[:5],
            "exact": not wrong and not extra}


# ---- the clerk: every doubt about a match decided as the spec says ---------------------------

CLERK = "region-clerk"


def _match_fields() -> dict[str, str]:
    """Flag kind → the field a clerk's choice sets (section → section_id …), from reja.learned's one table."""
    from reja.learned import TAUGHT_BY

    return {kind: field for field, (kind, _text_column) in TAUGHT_BY.items()}


def _spec_item(batch: RegionBatch, row) -> tuple[dict, dict]:
    """The spec and item a stored row was rendered from (plan-NNN.docx, the row's place in its plan)."""
    import re

    spec = batch.specs[int(re.search(r"plan-(\d+)", str(row["source_file"])).group(1))]
    return spec, spec["items"][int(row["item_index"])]


def _right_id(batch: RegionBatch, row, field: str) -> str | None:
    """What a clerk who knows the plan picks for `field`: the spec's section and indicator; for a unit
    (the spec knows the activity's usual unit, not which unit the cell's word is) the matcher's first
    candidate when it has one, else the activity's unit."""
    from reja.review.data import candidates

    from .spec import _activity

    spec, item = _spec_item(batch, row)
    if field == "section_id":
        return {s["title"]: s.get("section_id") for s in spec["sections"]}.get(item["section_title"])
    if field == "indicator_id":
        return item["indicator"]
    offered = candidates(row).get("unit") or []
    return offered[0][0] if offered else (_activity(item["indicator"])["unit"] if item["indicator"] else None)


def _text(value) -> str:
    return value if isinstance(value, str) else ""  # a missing cell is NA or None in the frames


def _next_doubt(items, asked: set) -> tuple | None:
    """The first flagged row (plan by plan, row by row, as the review queue goes) with a match doubt
    no decision has answered: (row, field, wording key, alone) — `alone` when its wording was decided
    already (then the row is decided by itself)."""
    from reja.review.bulk import wording_column, wording_key
    from reja.review.data import flag_codes

    fields = _match_fields()
    flagged = items[items["status"] == "flagged"].sort_values(["source_file", "item_index"])
    for _i, row in flagged.iterrows():
        done = set(_text(row.get("corrected_fields")).split(","))
        for code in flag_codes(_text(row.get("flags"))):
            field = fields.get(code.split("_", 1)[0])
            if field and field not in done and "accepted" not in done:
                key = (field, wording_key(_text(row.get(wording_column(field)))))
                if (key, row["row_key"]) in asked:
                    continue
                return row, field, key, key in asked
    return None


def review_as_clerk(db, batch: RegionBatch) -> int:
    """Decide every match doubt of the store as a clerk who knows the plans would, through the review
    page's own actions: the right entry "for all rows with this wording" (taught, the plans holding
    it re-matched), or for the row alone when its wording was decided once already. Returns the
    number of decisions; number and deadline doubts are left (they change no regional figure here)."""
    from reja import corrections as corr
    from reja.review import bulk
    from reja.review.data import load_items

    asked: set = set()
    decisions = 0
    while True:
        items = load_items(db)[0]
        if (doubt := _next_doubt(items, asked)) is None:
            return decisions
        row, field, key, alone = doubt
        right = _right_id(batch, row, field)
        asked.update({key, (key, row["row_key"])})
        if alone:
            corr.record(db, row["row_key"], field, row.get(field), right, who=CLERK, why="the plan says so",
                        via="web", context=corr.row_context(row))
        else:
            action = bulk.apply_to_wording(db, items, row, field, right, who=CLERK, why="the plan says so")
            bulk.rematch(db, action.documents)
        decisions += 1


def ask(batch: RegionBatch, items, years: list[int]) -> list[dict]:
    """The analyst's questions of `reja.compare`, each checked against the spec's answer."""
    from reja.compare.consistency import findings
    from reja.compare.fulfilment import fulfilment
    from reja.compare.region import completeness, region_totals

    region_id = batch.region_id
    want = expected_answers(batch)
    totals = region_totals(items, region=region_id)
    got_totals = defaultdict(float)
    for r in totals.itertuples():
        if r.plan_total == r.plan_total:  # not NaN
            got_totals[(r.indicator_id, int(r.year))] += r.plan_total
    done = fulfilment(items, region=region_id)
    got_done = defaultdict(lambda: [0.0, 0.0])
    for r in done.itertuples():
        key = (r.district_id, r.indicator_id, int(r.year))
        got_done[key][0] += r.plan_value
        got_done[key][1] += r.fact_value
    got_pct = {k: round(f / p * 100, 1) for k, (p, f) in got_done.items() if p}
    last = years[-1]
    table = completeness(items, region=region_id, year=last)
    found = findings(items, region=region_id)
    sub = found[found["check"] == "subitems_vs_total"]
    below = found[found["check"] == "plan_below_fact"]
    return [
        _check("regional total per indicator and year", want["totals"], dict(got_totals)),
        _check(f"districts without a {last} plan", want["missing"][last],
               set(table.loc[table["state"] == "missing", "district_id"])),
        _check("fulfilment per district, indicator, year", want["fulfilment"], got_pct),
        _check("totals that are not the sum of their sub-items", want["bad_totals"],
               {(r.district_id, int(r.year), r.indicator_id) for r in sub.itertuples()}),
        _check("plans below last year's fact", want["below_fact"],
               {(r.district_id, int(r.year), r.indicator_id) for r in below.itertuples()}),
    ]


def _print(title: str, results: list[dict]) -> None:
    print(f"\n{title}\n| question | expected | right | exact |\n| --- | --- | --- | --- |")
    for r in results:
        print(f"| {r['question']} | {r['expected']} | {r['right']} | {'yes' if r['exact'] else 'no'} |")
        for label in ("missed", "extra"):
            if r[label]:
                print(f"    {label}: {r[label]}")


def run(region_id: str, years: list[int], out, jobs: int = 2, clerk: bool = True) -> list[dict]:
    import time
    from pathlib import Path

    from reja.api import import_paths, load_items

    from .renderers.docx import render_docx

    out = Path(out)
    docs = out / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    batch = draw_region(region_id, years)
    for n, spec in enumerate(batch.specs):
        render_docx(spec, docs / f"plan-{n:03d}.docx")
    db = out / "reja.sqlite"
    db.unlink(missing_ok=True)
    started = time.perf_counter()
    import_paths([docs], db=db, jobs=jobs)
    imported = time.perf_counter() - started
    items = load_items(db)
    results = ask(batch, items, years)
    print(f"region {region_id}: {len(batch.specs)} plans of {len(batch.districts)} districts × {len(years)} years, "
          f"{len(items)} rows ({int((items['status'] == 'flagged').sum())} flagged), imported in {imported:.1f} s")
    _print("as imported (no clerk yet)", results)
    if not clerk:
        return results
    started = time.perf_counter()
    decisions = review_as_clerk(db, batch)
    reviewed = ask(batch, load_items(db), years)
    _print(f"after the clerk's {decisions} decisions ({decisions / len(items):.1%} of the rows; "
           f"{time.perf_counter() - started:.1f} s)", reviewed)
    return reviewed


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m reja.variety.region", description=__doc__)
    parser.add_argument("--region", default="1712", help="gazetteer region id (default 1712, Navoiy)")
    parser.add_argument("--years", nargs="+", type=int, default=[2023, 2024, 2025])
    parser.add_argument("--out", default=".cache/region")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-clerk", action="store_true",
                        help="only the answers as imported, before a clerk decides the flagged matches")
    args = parser.parse_args(argv)
    results = run(args.region, args.years, args.out, args.jobs, clerk=not args.no_clerk)
    return 0 if all(r["exact"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
