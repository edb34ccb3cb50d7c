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
