"""The gazetteer: Uzbekistan's regions, districts and cities with their SOATO ids and names in three
scripts (`schema/data/gazetteer.csv`, SOATO 2021, see schema/data/README.md). Matching a text
against it is normalize's job (`reja.normalize.places`)."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

GAZETTEER_CSV = Path(__file__).parent / "data" / "gazetteer.csv"


@lru_cache(maxsize=1)
def gazetteer_rows() -> tuple[dict[str, str], ...]:
    """The gazetteer's rows as written: kind, region_id, district_id, name_latn/cyrl/rus, aliases."""
    with GAZETTEER_CSV.open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


@lru_cache(maxsize=4096)
def place_names(region_id: str | None, district_id: str | None) -> dict[str, str | None]:
    """The gazetteer's Latin and Cyrillic names of a region and district id, for the dataset's
    `region_latin`, `region_cyrillic`, `district_latin`, `district_cyrillic` (None where unknown;
    a district's region is taken from the district when the region id is missing)."""
    rows = gazetteer_rows()
    local = next((r for r in rows if district_id and r["district_id"] == district_id), None)
    region_id = region_id or (local["region_id"] if local else None)
    region = next((r for r in rows if region_id and r["kind"] == "region" and r["region_id"] == region_id), None)
    return {
        "region_latin": region["name_latn"] if region else None,
        "region_cyrillic": region["name_cyrl"] if region else None,
        "district_latin": local["name_latn"] if local else None,
        "district_cyrillic": local["name_cyrl"] if local else None,
    }
