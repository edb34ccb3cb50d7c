"""Place names for the analyst: the gazetteer's names of a row's region and district, and the
forgiving look-up of the names an analyst types (`--district Gijduvon`, `--region Бухоро`).

A plan writes its place in either script ("Жондор тумани" next to "Izboskan tumani"); the views
group and label by gazetteer id and show the gazetteer's Latin (or Cyrillic) name, so one district
is one line whatever its plans wrote.

Typed names are compared on their match key (script, case and apostrophes folded: "Gijduvon",
"G'ijduvon" and "Ғиждувон" meet) with the designator words dropped ("tumani", "shahri", "район").
A designator the analyst did write narrows the kind ("Buxoro shahri" is the city, "Buxoro tumani"
the district); a bare name that fits two places is refused with both named, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
from rapidfuzz import fuzz

from reja.normalize.keys import match_key
from reja.normalize.places import Place, load_places

# a typed name this close to a gazetteer name (0-100, on match keys) is that place
NAME_SIMILARITY = 90

_DESIGNATORS = (
    ("district", r"tuman\w*|rayon\w*|t"),
    ("city", r"shahar\w*|shahr\w*|gorod\w*|sh|g"),
    ("region", r"viloyat\w*|oblast\w*|respublika\w*|vil"),
)


class PlaceLookupError(ValueError):
    """A typed place name that names no place, or more than one."""


@dataclass(frozen=True)
class PlaceNames:
    region_latin: str | None
    region_cyrillic: str | None
    district_latin: str | None
    district_cyrillic: str | None


@lru_cache(maxsize=1)
def _by_id() -> tuple[dict[str, Place], dict[str, Place]]:
    regions = {p.region_id: p for p in load_places() if p.kind == "region"}
    locals_ = {p.district_id: p for p in load_places() if p.district_id}
    return regions, locals_


def names_of(region_id, district_id) -> PlaceNames:
    """The gazetteer's names of a region and district id (None where the id is missing/unknown)."""
    regions, locals_ = _by_id()
    region = regions.get(region_id) if isinstance(region_id, str) else None
    local = locals_.get(district_id) if isinstance(district_id, str) else None
    if region is None and local is not None:
        region = regions.get(local.region_id)
    return PlaceNames(
        region.name_latn if region else None, region.name_cyrl if region else None,
        local.name_latn if local else None, local.name_cyrl if local else None,
    )


def add_place_names(items: pd.DataFrame) -> pd.DataFrame:
    """`region_latin`, `region_cyrillic`, `district_latin`, `district_cyrillic` from the row's ids;
    where an id is missing, the name as the plan wrote it stands in the Latin column (so a plan
    whose place was not matched is still visible, under its own name)."""
    pairs = items[["region_id", "district_id"]].drop_duplicates()
    table = {(r, d): names_of(r, d) for r, d in pairs.itertuples(index=False)}
    keys = list(zip(items["region_id"], items["district_id"], strict=True))
    out = items.copy()
    for column in ("region_latin", "region_cyrillic", "district_latin", "district_cyrillic"):
        out[column] = pd.array([getattr(table[k], column) for k in keys], dtype="string")
    out["region_latin"] = out["region_latin"].fillna(items["region"].astype("string"))
    out["district_latin"] = out["district_latin"].fillna(items["district"].astype("string"))
    return out


def _split(name: str) -> tuple[str, str | None]:
    """Match key of a typed name without its designator words, and the kind those words name."""
    words = match_key(name).split()
    kind = None
    kept = []
    for word in words:
        hit = next((k for k, pattern in _DESIGNATORS if re.fullmatch(pattern, word)), None)
        if hit and kept:  # a designator after a name ("buxoro tumani"), never the name itself
            kind = hit
        else:
            kept.append(word)
    return " ".join(kept), kind


@lru_cache(maxsize=1)
def _place_keys() -> tuple[tuple[Place, tuple[str, ...]], ...]:
    out = []
    for p in load_places():
        keys = {_split(n)[0] for n in (p.name_latn, p.name_cyrl, p.name_rus)} | set(p.bases)
        out.append((p, tuple(k for k in keys if k)))
    return tuple(out)


def find_places(name: str, kinds: tuple[str, ...]) -> list[Place]:
    """Every place of the given kinds whose name fits `name`; a gazetteer id is taken as it is."""
    name = name.strip()
    for p in load_places():
        if p.kind in kinds and name in (p.district_id, p.region_id if p.kind == "region" else None):
            return [p]
    key, kind = _split(name)
    if not key:
        return []
    if kind:
        kinds = tuple(k for k in kinds if k == kind) or kinds
    scored = []
    for p, keys in _place_keys():
        if p.kind not in kinds:
            continue
        score = max(fuzz.ratio(key, k) for k in keys)
        if score >= NAME_SIMILARITY:
            scored.append((score, p))
    if not scored:
        return []
    best = max(s for s, _ in scored)
    return [p for s, p in scored if s >= best - 0.5]


def resolve(name: str, kinds: tuple[str, ...]) -> Place:
    """The one place `name` names, or PlaceLookupError saying why not (none, or which ones)."""
    found = find_places(name, kinds)
    if not found:
        raise PlaceLookupError(f"'{name}' names no {' or '.join(kinds)} in the gazetteer")
    if len(found) > 1:
        listed = "; ".join(f"{p.name_latn} ({p.district_id or p.region_id})" for p in found)
        raise PlaceLookupError(f"'{name}' fits more than one place: {listed}. Write the designator "
                               "(tumani / shahri) or the id.")
    return found[0]
