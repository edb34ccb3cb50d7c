"""Which plan a document is: its place in the gazetteer and its year (issue 14).

Two documents are versions of one plan (and the newer supersedes the older, `reja.store`) only when
both name the same gazetteer district or city beyond doubt (band auto: "Buxoro tumani" and "Buxoro
shahri" are two places; Tashkent's city districts are places of their own) and the same year. A plan
whose place is not found, is in doubt, or whose year is missing stands alone: `plan_key` None, so it
never supersedes, and is never superseded by, another document; its rows are keyed by the input
itself (`src:` + source key), so no correction can cross to another plan (`reja.records`).

The evidence is the title block (region + district, else the organisation and the title, which
name a city centre: "Buxoro shahar axborot-kutubxona markazi"); a file name only when the title
block named no district, and only when it names a gazetteer place (`extract.title_block`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reja.extract.model import PlanMeta
from reja.normalize.places import match_place


@dataclass
class PlanIdentity:
    region_id: str | None
    district_id: str | None
    plan_key: str | None  # "<gazetteer id>|<year>", None = stands alone
    place_key: str  # the plan part of every row key: "id:<gazetteer id>" or "src:<source key>"
    flags: list[str] = field(default_factory=list)  # document flags: place_unmatched / place_review

    @property
    def stands_alone(self) -> bool:
        return self.plan_key is None


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def place_text(meta: PlanMeta) -> str:
    """The words that name the plan's place: region + district, else region + organisation + title."""
    if meta.district:
        return " ".join(filter(None, (meta.region, meta.district)))
    title = (meta.title or "").splitlines()[:2]
    return " ".join(filter(None, (meta.region, meta.organisation, *title)))


def identify_plan(meta: PlanMeta, year: int | None, source_key: str) -> PlanIdentity:
    """The plan this document is a version of (see the module doc)."""
    text = place_text(meta)
    alone = f"src:{source_key}"
    if not text.strip():
        return PlanIdentity(None, None, None, alone,
                            ["place_unmatched: no region or district named; this plan stands alone"])
    found = match_place(text)
    ids = (found.region_id, found.district_id)
    if found.band == "none" or not found.district_id:
        where = f" (region {found.region_name} only)" if found.region_id and found.band != "none" else ""
        return PlanIdentity(*ids if found.band != "none" else (None, None), None, alone,
                            [f"place_unmatched: {_short(text)}{where}; {found.reason}; this plan stands alone"])
    if found.band == "review":
        return PlanIdentity(*ids, None, alone,
                            [f"place_review: {found.district_name}? {found.score:.0f} ({found.reason}); "
                             "this plan stands alone until the place is certain"])
    if year is None:
        return PlanIdentity(*ids, None, alone, [])  # meta_missing: year already says why
    return PlanIdentity(*ids, f"{found.district_id}|{year}", f"id:{found.district_id}", [])
