"""Enrichment: fill the normalised and matched columns of one document's item rows, and flag
every doubt.

Raw rows (`reja.records.plan_rows`) carry what the plan says. This step adds `text_latin`,
`section_id`/`section_score`, `unit_id`, `indicator_id`/`indicator_score`, `deadline_period`,
`region_id`/`district_id` and `match_candidates`. A match in the "review" band keeps its id and
flags the row (`section_review`, `indicator_review`, `unit_review`); no match flags it
(`*_unmatched`): a doubtful match is never silent.

Wording a clerk has already matched by hand (`reja.learned`) is matched to the same entry
first, with the correction named in the reason; a wording the matcher does not accept that is a
typo or two away from a learned one, or says its words again (endings, order, a sub-item marker or a
number aside), gets that one's entry.

What does not depend on the catalogue — the normalised text, the match keys of the wordings, the
parsed deadlines — is `prepare_rows`, done in the parse stage (`reja.pipeline.read_rows`) and kept
with the stored rows, so that re-matching (`reja rematch`, a learned wording) only matches.
"""

from __future__ import annotations

import json

from reja.learned import LearnedSynonyms
from reja.normalize.cell import normalize_text
from reja.normalize.deadlines import parse_deadline
from reja.normalize.keys import match_key
from reja.normalize.match import Match, match_indicator, match_near_learned, match_section, match_unit
from reja.normalize.places import match_place
from reja.normalize.script import dominant_script
from reja.records import ItemRow
from reja.schema.gazetteer import place_names

TOP_CANDIDATES = 3


def _short(text: str | None, n: int = 40) -> str:
    text = (text or "").strip()
    return text if len(text) <= n else text[: n - 1] + "…"


# the texts whose match keys the learned wordings are looked up by: row field -> learned kind
LEARNED_FIELDS = {"text": "indicator", "section_title": "section", "unit": "unit"}


def prepare_rows(rows: list[ItemRow], plan_year: int | None = None) -> list[dict]:
    """The catalogue-independent part of enrichment, one dict per row (document order): the text
    normalised (`text_latin`, look-alike flags, with the document's main script deciding words both
    alphabets share), the match keys of the wordings that learned synonyms are looked up by, and
    the deadline read against the plan year (a row's own, else `plan_year`). Plain JSON values:
    stored with the parsed rows."""
    script = dominant_script(" ".join(r.text or "" for r in rows))
    out = []
    for row in rows:
        normalized = normalize_text(row.text or "", context_script=script)
        deadline = (row.deadline or "").strip()
        parsed = parse_deadline(deadline, row.plan_year or row.year or plan_year) if deadline else None
        out.append({
            "text_latin": normalized.latin, "flags": list(normalized.flags),
            "keys": {f: match_key(getattr(row, f)) for f in LEARNED_FIELDS if getattr(row, f)},
            "deadline": None if parsed is None else
            {"period": parsed.period, "label": parsed.label, "sure": parsed.sure, "note": parsed.note},
        })  # fmt: skip
    return out


def _learned_or(kind: str, text: str, learned: LearnedSynonyms | None, match_fn, *args, key: str | None = None,
                **kwargs) -> Match:
    """A clerk's earlier match of the same wording wins; otherwise `match_fn(text, *args, **kwargs)`,
    and when that is not accepted, the entry of a learned wording this one says again or is a typo or two away from
    (`match_near_learned`; for an indicator, one usual in the row's section)."""
    hit = learned.lookup(kind, text, key) if learned else None
    if hit is not None and hit["id"] is None:  # the clerk said: not in the catalogue (no flag, no id)
        return Match(None, 100.0, "auto", [],
                     f"not in the catalogue: correction #{hit['correction']} by {hit['who']}")
    if hit is not None:
        return Match(hit["id"], 100.0, "auto", [(hit["id"], 100.0)],
                     f"learned from correction #{hit['correction']} by {hit['who']}")
    match = match_fn(text, *args, **kwargs)
    if match.band != "auto" and learned:
        near = match_near_learned(kind, text, learned.wordings(kind),
                                  section_id=args[0] if kind == "indicator" and args else None)
        if near is not None:
            return near
    return match


def _judge(match: Match, kind: str, flags: list[str]) -> str | None:
    """The id to store (auto and review keep it; none does not) and the row flag for doubt."""
    flag = match.flag(kind)
    if flag:
        flags.append(flag)
    return match.id if match.band in ("auto", "review") else None


def _candidates(match: Match) -> list[list]:
    return [[cid, round(float(score), 2)] for cid, score in match.candidates[:TOP_CANDIDATES]]


def place_ids(region: str | None, district: str | None) -> tuple[dict, list[str]]:
    """Gazetteer ids of the plan's region and district, and a document flag when in doubt."""
    text = " ".join(filter(None, (region, district)))
    if not text:
        return {"region_id": None, "district_id": None}, []
    place = match_place(text)
    if place.band == "none":
        return {"region_id": None, "district_id": None}, [f"place_unmatched: {_short(text)} ({place.reason})"]
    ids = {"region_id": place.region_id, "district_id": place.district_id}
    if place.band == "review":
        return ids, [f"place_review: {place.district_name or place.region_name}? {place.score:.0f} ({place.reason})"]
    return ids, []


def enrich_rows(rows: list[ItemRow], *, plan_year: int | None = None,
                learned: LearnedSynonyms | None = None, place: dict | None = None,
                prepared: list[dict] | None = None) -> dict:
    """Fill the enriched columns of one document's rows (`ItemRow`s, in document order) in place.

    `place`: the plan's {"region_id", "district_id"} already identified (`reja.identity`, which
    also flags doubt); without it the rows' region and district are matched here.
    `prepared`: `prepare_rows(rows, plan_year)` as the parse stage kept it (made here when not given).
    Returns the document-level result: {"region_id", "district_id", "flags": [...]}.
    """
    if not rows:
        return {"region_id": None, "district_id": None, "flags": []}
    if place is not None:
        ids, doc_flags = {"region_id": place.get("region_id"), "district_id": place.get("district_id")}, []
    else:
        ids, doc_flags = place_ids(rows[0].region, rows[0].district)
    ids.update(place_names(ids.get("region_id"), ids.get("district_id")))
    if prepared is None or len(prepared) != len(rows):
        prepared = prepare_rows(rows, plan_year)
    sections: dict[str, Match] = {}  # section title → its match, matched once a document
    indicator_of: dict[tuple, str | None] = {}  # (section_no, item_no) → indicator, for sub-items
    for row, prep in zip(rows, prepared, strict=True):
        set_fields(row, ids)
        row.text_latin = prep["text_latin"]
        row.flags.extend(prep["flags"])  # mixed_script: look-alikes repaired
        candidates: dict[str, list] = {}
        _match_section(row, prep["keys"], learned, sections, candidates)
        _match_unit(row, prep["keys"], learned, candidates)
        _match_indicator(row, prep["keys"], learned, indicator_of, candidates)
        if row.item_no:
            indicator_of[(row.section_no, row.item_no)] = row.indicator_id
        _set_deadline(row, prep["deadline"])
        if candidates:
            row.match_candidates = json.dumps(candidates, ensure_ascii=False, sort_keys=True)
    return {**ids, "flags": doc_flags}


def set_fields(row: ItemRow, values: dict) -> None:
    """Set several columns of a row at once (a column the contract does not have fails)."""
    for name, value in values.items():
        setattr(row, name, value)


def _match_section(row: ItemRow, keys: dict, learned, sections: dict, candidates: dict) -> None:
    title = row.section_title
    if not title:
        return
    if title not in sections:
        sections[title] = _learned_or("section", title, learned, match_section, key=keys.get("section_title"))
    match = sections[title]
    row.section_id = _judge(match, "section", row.flags)
    row.section_score = match.score if row.section_id else None
    candidates["section"] = _candidates(match)


def _match_unit(row: ItemRow, keys: dict, learned, candidates: dict) -> None:
    unit = (row.unit or "").strip()
    if not unit:
        return
    match = _learned_or("unit", unit, learned, match_unit, key=keys.get("unit"))
    row.unit_id = _judge(match, "unit", row.flags)
    candidates["unit"] = _candidates(match)


def _match_indicator(row: ItemRow, keys: dict, learned, indicator_of: dict, candidates: dict) -> None:
    text = row.text or ""
    if not text:
        return
    parent = indicator_of.get((row.section_no, row.parent_item_no))
    row.parent_indicator_id = parent
    # a row under a heading that matched no section: its indicator is never auto-accepted
    section_unmatched = bool(row.section_title) and not row.section_id
    match = _learned_or("indicator", text, learned, match_indicator, row.section_id,
                        row.unit_id, parent_id=parent, section_unmatched=section_unmatched,
                        key=keys.get("text"))
    row.indicator_id = _judge(match, "indicator", row.flags)
    row.indicator_score = match.score if row.indicator_id else None
    candidates["indicator"] = _candidates(match)


def _set_deadline(row: ItemRow, parsed: dict | None) -> None:
    if parsed is None:
        return
    if parsed["period"] == "unknown" or not parsed["label"]:
        row.flags.append(f"unknown_deadline: {_short(row.deadline)}")
        return
    row.deadline_period = parsed["label"]
    if not parsed["sure"]:  # a guess is a doubt: say so
        row.flags.append(f"unknown_deadline: read as {parsed['label']}, unsure"
                            + (f" ({parsed['note']})" if parsed["note"] else ""))


def warm_up() -> None:
    """Load the catalogue, gazetteer and matchers once (the parent does it before forking workers,
    so each child inherits them instead of loading them per document)."""
    normalize_text("Kitob")
    parse_deadline("yil davomida", 2025)
    match_section("Tadbirlar")
    match_unit("dona")
    match_indicator("Kitob ko'rgazmasi")
    match_place("Andijon viloyati")
