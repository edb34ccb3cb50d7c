"""A generated region batch: every district and city of a region, three plan years, as the rows
reja's importer produces — with districts missing, totals that do not add up and plans below last
year's fact planted by the spec.

The spec is the ground truth: tests compute the expected answers from `RegionSpec` directly (plain
loops over the spec), never from reja's views.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field

import pandas as pd
from reja.normalize.places import load_places
from reja.schema.dataset import ITEM_FIELDS, coerce

# (indicator, unit, typical plan, wording in the plan) — the activities every district plans
ACTIVITIES = [
    ("book_issue", "nusxa", 60000, "Foydalanuvchilarga kitob berilishi"),
    ("events", "tadbir", 120, "Ommaviy tadbirlar o'tkazish"),
    ("users_registered", "nafar", 4000, "Kitobxonlarni ro'yxatga olish"),
    ("attendance", "marta", 30000, "Kutubxonaga tashriflar soni"),
]
# acquisition total and its four parts (the parts add up to the total unless a plant says otherwise)
TOTAL = ("acq_total", "nusxa", "Fondni to'ldirish jami")
PARTS = [
    ("acq_purchase", "nusxa", 0.4, "xarid qilish orqali"),
    ("acq_gifts", "nusxa", 0.3, "sovg'a sifatida"),
    ("acq_legal_deposit", "nusxa", 0.2, "majburiy nusxa"),
    ("acq_exchange", "nusxa", 0.1, "almashuv orqali"),
]


@dataclass
class DistrictYear:
    district_id: str
    region_id: str
    name_written: str  # as the title block writes it (either script)
    year: int
    plan: dict[str, float]  # indicator -> plan value for `year`
    fact: dict[str, float]  # indicator -> fact for `year - 1` (as the plan reports it)
    parts_plan: dict[str, float]  # acquisition part -> plan value


@dataclass
class RegionSpec:
    region_id: str
    years: list[int]
    districts: list[str]  # every district/city id of the region (gazetteer)
    plans: list[DistrictYear] = field(default_factory=list)
    missing: dict[int, set[str]] = field(default_factory=dict)  # year -> districts that sent nothing
    bad_totals: set[tuple[str, int]] = field(default_factory=set)  # (district, year) total != parts
    below_fact: set[tuple[str, int, str]] = field(default_factory=set)  # (district, year, indicator)
    outliers: set[tuple[str, int, str]] = field(default_factory=set)  # (district, year, indicator), 20x


def make_spec(region_id: str = "1703", years=(2023, 2024, 2025), seed: int = 7) -> RegionSpec:
    rng = random.Random(seed)
    places = [p for p in load_places() if p.region_id == region_id and p.district_id]
    spec = RegionSpec(region_id, list(years), [p.district_id for p in places])
    last = years[-1]
    spec.missing = {y: set() for y in years}
    spec.missing[last] = set(rng.sample(spec.districts, 3))
    spec.missing[years[0]] = {rng.choice(spec.districts)}
    scale = {d: rng.uniform(0.6, 1.6) for d in spec.districts}
    for year in years:
        sending = [d for d in spec.districts if d not in spec.missing[year]]
        bad = set(rng.sample(sending, 2))
        below = rng.sample(sending, 2)
        for p in places:
            d = p.district_id
            if d not in sending:
                continue
            growth = 1 + 0.03 * (year - years[0])
            plan = {a: round(base * scale[d] * growth) for a, _, base, _ in ACTIVITIES}
            fact = {a: round(base * scale[d] * (growth - 0.03) * rng.uniform(0.95, 1.05))
                    for a, _, base, _ in ACTIVITIES}
            total = round(8000 * scale[d] * growth)
            parts = {pid: round(total * share) for pid, _, share, _ in PARTS}
            parts["acq_exchange"] = total - sum(v for k, v in parts.items() if k != "acq_exchange")
            plan["acq_total"] = total
            if d in bad:
                plan["acq_total"] = total + 500  # planted: the total no longer adds up
                spec.bad_totals.add((d, year))
            if d in below:
                plan["events"] = round(fact["events"] * 0.4)  # planted: far below last year's fact
            for a in plan:
                if a in fact and plan[a] < fact[a]:
                    spec.below_fact.add((d, year, a))
            written = p.name_cyrl if rng.random() < 0.5 else p.name_latn
            spec.plans.append(DistrictYear(d, region_id, written, year, plan, fact, parts))
    # one planted outlier: a plan with three zeros too many
    victim = next(pl for pl in spec.plans if pl.year == years[1])
    victim.plan["attendance"] *= 20
    spec.outliers.add((victim.district_id, victim.year, "attendance"))
    return spec


def _key(*parts) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:16]


def items_of(spec: RegionSpec) -> pd.DataFrame:
    """The items table reja's import writes for the spec's plans (one document per plan)."""
    rows = []
    for pl in spec.plans:
        doc = _key("doc", pl.district_id, pl.year)
        base = {"document_id": doc, "source_file": f"{pl.district_id}_{pl.year}.docx", "region_id": pl.region_id,
                "district_id": pl.district_id, "district": pl.name_written, "region": "Andijon viloyati",
                "year": pl.year, "fact_year": pl.year - 1, "status": "ok", "section_no": "I"}
        for n, (ind, unit, _, text) in enumerate(ACTIVITIES, start=1):
            rows.append({**base, "row_key": _key(doc, n), "item_no": str(n), "text": text, "indicator_id": ind,
                         "unit": unit, "unit_id": unit, "plan_value": float(pl.plan[ind]),
                         "fact_value": float(pl.fact[ind])})
        n = len(ACTIVITIES) + 1
        rows.append({**base, "row_key": _key(doc, n), "item_no": str(n), "text": TOTAL[2], "indicator_id": TOTAL[0],
                     "unit": TOTAL[1], "unit_id": TOTAL[1], "plan_value": float(pl.plan["acq_total"])})
        for k, (pid, unit, _, text) in enumerate(PARTS):
            rows.append({**base, "row_key": _key(doc, n, k), "item_no": None, "parent_item_no": str(n),
                         "text": text, "indicator_id": pid, "parent_indicator_id": TOTAL[0], "unit": unit,
                         "unit_id": unit, "plan_value": float(pl.parts_plan[pid])})
    frame = pd.DataFrame(rows)
    for f in ITEM_FIELDS:
        if f.name not in frame.columns:
            frame[f.name] = None
    return coerce(frame[[f.name for f in ITEM_FIELDS]], ITEM_FIELDS)
