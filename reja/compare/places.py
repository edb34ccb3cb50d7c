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
from functools import lru_cache

import pandas as pd
from rapidfuzz import fuzz

from reja.i18n import _
from reja.normalize.keys import match_key
from reja.normalize.places import Place, load_places
from reja.schema.gazetteer import place_names

# a typed name this close to a gazetteer name (0-100, on match keys) is that place
NAME_SIMILARITY = 90

_DESIGNATORS = (
    ("district", r"tuman\w*|rayon\w*|t"),
    ("city", r"shahar\w*|shahr\w*|gorod\w*|sh|g"),
    ("region", r"viloyat\w*|oblast\w*|respublika\w*|vil"),
)


class PlaceLookupError(ValueError):
    """A typed place name that names no place, or more than one."""


NAME_COLUMNS = ("region_latin", "region_cyrillic", "district_latin", "district_cyrillic")


def add_place_names(items: pd.DataFrame) -> pd.DataFrame:
    """`region_latin`, `region_cyrillic`, `district_latin`, `district_cyrillic`: as stored, or from
    the row's ids (a store written before these columns existed); where an id is missing, the
    name as the plan wrote it stands in the Latin column, so an unplaced plan is still visible under
    its own name."""
    out = items.copy()
    table = keys = None
    for column in NAME_COLUMNS:
        if column in out.columns and not out[column].isna().any():  # every name stored: nothing to derive
            out[column] = out[column].astype("string")
            continue
        if table is None:  # the names from the ids, only for a column that lacks some
            pairs = out[["region_id", "district_id"]].drop_duplicates()
            table = {(r, d): place_names(r if isinstance(r, str) else None, d if isinstance(d, str) else None)
                     for r, d in pairs.itertuples(index=False)}
            keys = list(zip(out["region_id"], out["district_id"], strict=True))
        derived = pd.array([table[k][column] for k in keys], dtype="string")
        out[column] = out[column].astype("string").fillna(pd.Series(derived, index=out.index)) \
            if column in out.columns else derived
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
    best = max(s for s, _p in scored)
    found = [p for s, p in scored if s >= best - 0.5]
    if kind and len(found) > 1:
        # "Toshkent viloyati" against the region and the capital (a region-level city): the place whose
        # own name carries the designator typed
        named = [p for p in found if _split(p.name_latn)[1] == kind]
        found = named or found
    return found


def resolve(name: str, kinds: tuple[str, ...]) -> Place:
    """The one place `name` names, or PlaceLookupError saying why not (none, or which ones)."""
    found = find_places(name, kinds)
    if not found:
        message = _("'{name}' names no region of the gazetteer") if kinds == ("region",) else \
            _("'{name}' names no district or city of the gazetteer")
        raise PlaceLookupError(message.format(name=name))
    if len(found) > 1:
        listed = "; ".join(f"{p.name_latn} ({p.district_id or p.region_id})" for p in found)
        raise PlaceLookupError(_("'{name}' fits more than one place: {places}. Write the designator "
                                 "(tumani / shahri / viloyati) or the id.").format(name=name, places=listed))
    return found[0]
