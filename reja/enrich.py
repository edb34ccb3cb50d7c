"""Enrichment: fill the normalised and matched columns of item rows, and flag every doubt.

Raw rows (`reja.records.plan_rows`) carry what the plan says. This step adds `text_latin`,
`section_id`/`section_score`, `unit_id`, `indicator_id`/`indicator_score`, `deadline_period`,
`region_id`/`district_id` and `match_candidates`, using `reja.normalize`, `reja.normalize.match` and
`reja.schema.gazetteer`. A match in the "review" band or with no match adds a flag
(`section_review`, `section_unmatched`, `indicator_review`, `indicator_unmatched`, `unit_unmatched`,
`unknown_deadline`): a doubtful match is never silent.

Those modules are optional at import time (they are developed alongside); `_tools()` is the ONE
place that imports them, and a missing one leaves its columns null.
"""

from __future__ import annotations

import importlib
import json
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

# Bands a matcher may report; anything else with an id is an accepted match.
REVIEW_BANDS = {"review", "doubt", "doubtful", "maybe"}
NONE_BANDS = {"none", "no_match", "unmatched", "reject", "rejected"}


@lru_cache(maxsize=1)
def _tools() -> SimpleNamespace:
    """Import the normalisers and matchers that exist; None for each that does not (yet)."""
    tools = SimpleNamespace(
        to_latin=None, normalize_text=None, parse_deadline=None, dominant_script=None, match_section=None,
        match_indicator=None, match_unit=None, match_place=None,
    )  # fmt: skip
    for module, names in (
        ("reja.normalize.cell", ("normalize_text",)),
        ("reja.normalize.translit", ("to_latin",)),
        ("reja.normalize.deadlines", ("parse_deadline",)),
        ("reja.normalize.script", ("dominant_script",)),
    ):
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        for name in names:
            setattr(tools, name, getattr(mod, name, None))
    try:
        from reja.normalize import match

        for name in ("match_section", "match_indicator", "match_unit"):
            setattr(tools, name, getattr(match, name, None))
    except ImportError:
        pass
    try:
        from reja.schema.gazetteer import match_place

        tools.match_place = match_place
    except ImportError:
        pass
    return tools


def available() -> dict[str, bool]:
    """Which enrichment steps are active (for the run log)."""
    return {name: fn is not None for name, fn in vars(_tools()).items()}


def _band(match: Any) -> str:
    return str(getattr(match, "band", "") or "").lower()


def _id(match: Any) -> str | None:
    value = getattr(match, "id", None)
    return None if value in (None, "") else str(value)


def _score(match: Any) -> float | None:
    value = getattr(match, "score", None)
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def _candidates(match: Any) -> list:
    out = []
    for cand in list(getattr(match, "candidates", None) or [])[:5]:
        if isinstance(cand, tuple | list) and len(cand) >= 2:
            out.append([str(cand[0]), _round(cand[1])])
        elif hasattr(cand, "id"):
            out.append([str(cand.id), _round(getattr(cand, "score", None))])
        else:
            out.append([str(cand), None])
    return out


def _round(value) -> float | None:
    try:
        return round(float(value), 2)
    except (TypeError, ValueError):
        return None


def _judge(match: Any, what: str, flags: list[str], *, subject: str, review_code: str | None = None) -> str | None:
    """Accepted id, or None; adds `<what>_review` / `<what>_unmatched` with the matcher's reason."""
    if match is None:
        flags.append(f"{what}_unmatched: {subject}")
        return None
    band, mid = _band(match), _id(match)
    reason = getattr(match, "reason", None)
    detail = f"{subject}" + (f" ({reason})" if reason else "")
    if mid is None or band in NONE_BANDS:
        flags.append(f"{what}_unmatched: {detail}")
        return None
    if band in REVIEW_BANDS:
        flags.append(f"{review_code or what + '_review'}: {mid}? {detail}")
    return mid


def _short(text: str | None, n: int = 40) -> str:
    text = (text or "").strip()
    return text if len(text) <= n else text[: n - 1] + "…"


def enrich_rows(rows: list[dict], *, plan_year: int | None = None) -> dict:
    """Fill the enriched columns of one document's rows in place. Returns document-level ids
    ({region_id, district_id}) for the documents table."""
    t = _tools()
    doc: dict[str, str | None] = {"region_id": None, "district_id": None}
    place_text = " ".join(filter(None, (rows[0].get("region"), rows[0].get("district")))) if rows else ""
    if place_text and t.match_place is not None:
        place = t.match_place(place_text)
        if _band(place) not in NONE_BANDS:
            doc = {"region_id": getattr(place, "region_id", None), "district_id": getattr(place, "district_id", None)}
    section_cache: dict[str, Any] = {}
    unit_cache: dict[str, Any] = {}
    deadline_cache: dict[tuple, Any] = {}
    # the plan's main script decides words that neither they nor their line decide (look-alikes)
    script = None
    if rows and getattr(t, "dominant_script", None) is not None:
        script = t.dominant_script(" ".join(r.get("text") or "" for r in rows))
    for row in rows:
        flags: list[str] = row["flags"]
        row.update(doc)
        candidates: dict[str, list] = {}
        text = row.get("text") or ""
        if t.normalize_text is not None:
            normalized = t.normalize_text(text, script)
            row["text_latin"] = normalized.latin
            flags.extend(normalized.flags)  # e.g. mixed_script: look-alikes repaired
        elif t.to_latin is not None:
            row["text_latin"] = t.to_latin(text)
        title = row.get("section_title")
        if t.match_section is not None and title:
            if title not in section_cache:
                section_cache[title] = t.match_section(title)
            match = section_cache[title]
            row["section_id"] = _judge(match, "section", flags, subject=_short(title))
            row["section_score"] = _score(match) if row["section_id"] else None
            candidates["section"] = _candidates(match)
        unit = (row.get("unit") or "").strip()
        if t.match_unit is not None and unit:
            if unit not in unit_cache:  # units and deadlines repeat on most rows of a plan
                unit_cache[unit] = t.match_unit(unit)
            match = unit_cache[unit]
            # units have no review code of their own: a doubtful unit is reported as unmatched, id kept
            row["unit_id"] = _judge(match, "unit", flags, subject=_short(unit), review_code="unit_unmatched")
            candidates["unit"] = _candidates(match)
        if t.match_indicator is not None and text:
            match = t.match_indicator(text, row.get("section_id"), row.get("unit_id"))
            row["indicator_id"] = _judge(match, "indicator", flags, subject=_short(text))
            row["indicator_score"] = _score(match) if row["indicator_id"] else None
            candidates["indicator"] = _candidates(match)
        deadline = (row.get("deadline") or "").strip()
        if t.parse_deadline is not None and deadline:
            key = (deadline, row.get("plan_year") or row.get("year") or plan_year)
            if key not in deadline_cache:
                deadline_cache[key] = t.parse_deadline(*key)
            parsed = deadline_cache[key]
            label = getattr(parsed, "label", None)
            if label in (None, "", "unknown"):
                flags.append(f"unknown_deadline: {_short(deadline)}")
            else:
                row["deadline_period"] = str(label)
                if getattr(parsed, "sure", True) is False:  # a guess is a doubt: say so
                    note = getattr(parsed, "note", None)
                    flags.append(f"unknown_deadline: read as {label}, unsure" + (f" ({note})" if note else ""))
        if candidates:
            row["match_candidates"] = json.dumps(candidates, ensure_ascii=False, sort_keys=True)
    return doc
