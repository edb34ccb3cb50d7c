"""A parsed plan (`ParsedPlan`) → rows of the items table, and the stable row key.

Rows are plain dicts keyed by `reja.schema.dataset.ITEM_COLUMNS`. While a row is being built its
`flags` is a list; `finalise_rows` joins it with "; " and sets `status`.

## The row key
`row_key` names a row across re-imports of the same file AND across a corrected re-scan of the same
plan (a clerk's correction is attached to it, issue 8). It therefore cannot use the document's
bytes, ids or positions (a re-scan shifts pages and table rows). It is the first 16 hex of
SHA-1 over:

    district (first word, folded) | year | section_no | item_no | parent_item_no
    | first 24 letters/digits of the folded text | occurrence index

"Folded" = NFKC, lower case, Cyrillic transliterated to Latin by a fixed table in this module, and
everything but letters and digits dropped; so script, apostrophe variants, spacing, punctuation and
Latin/Cyrillic look-alikes do not change the key. The occurrence index (0, 1, …) counts earlier rows
of the same document with the same other parts (Jondor has two items 4.5), in document order.
The folding table is frozen here on purpose, not taken from `reja.normalize`: improving the
normaliser must not re-key every stored correction.
"""

from __future__ import annotations

import hashlib
import json
import math
import unicodedata

from reja.extract.model import ParsedPlan, PlanItem
from reja.schema.dataset import ITEM_COLUMNS, YEAR_MAX, YEAR_MIN

KEY_TEXT_CHARS = 24

_CYR_TO_LAT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "x", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh",
    "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "yu", "я": "ya", "ў": "o", "қ": "q", "ғ": "g",
    "ҳ": "h", "і": "i",
}  # fmt: skip


def fold(text: str | None) -> str:
    """Key folding: script-, case-, spacing- and punctuation-blind. Frozen (see module doc)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).casefold()
    out = []
    for ch in text:
        ch = _CYR_TO_LAT.get(ch, ch)
        out.extend(c for c in ch if c.isalnum() and c.isascii())
    return "".join(out)


def _key_district(district: str | None) -> str:
    words = (district or "").split()
    return fold(words[0]) if words else ""


def row_key_parts(row: dict) -> tuple[str, ...]:
    return (
        _key_district(row.get("district")),
        str(row.get("year") or ""),
        fold(row.get("section_no")),
        (row.get("item_no") or "").strip(),
        (row.get("parent_item_no") or "").strip(),
        fold(row.get("text"))[:KEY_TEXT_CHARS],
    )


def assign_row_keys(rows: list[dict]) -> None:
    """Set `row_key` on every row of one document (rows in document order)."""
    seen: dict[tuple[str, ...], int] = {}
    for row in rows:
        parts = row_key_parts(row)
        occurrence = seen.get(parts, 0)
        seen[parts] = occurrence + 1
        digest = hashlib.sha1("\x1f".join((*parts, str(occurrence))).encode("utf-8")).hexdigest()
        row["row_key"] = digest[:16]


def _year(value, flags: list[str], what: str) -> int | None:
    if value is None:
        return None
    try:
        year = int(value)
    except (TypeError, ValueError):
        flags.append(f"unparsable_number: {what} {value!r}")
        return None
    if not YEAR_MIN <= year <= YEAR_MAX:
        flags.append(f"unparsable_number: {what} {year} is not a plausible year")
        return None
    return year


def _number(value) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def plan_year(plan: ParsedPlan) -> int | None:
    return _year(plan.meta.year, list(plan.meta.flags), "plan year")


def item_row(plan: ParsedPlan, item: PlanItem, index: int, *, document_id: str, source_file: str) -> dict:
    flags = list(item.flags)
    meta = plan.meta
    row = dict.fromkeys(ITEM_COLUMNS)
    row.update(
        document_id=document_id,
        source_file=source_file,
        source_format=plan.format,
        page=item.page,
        region=meta.region,
        district=meta.district,
        year=_year(meta.year, [], "plan year"),  # a bad plan year is a meta flag, not 200 row flags
        section_no=item.section_no,
        section_title=item.section_title,
        subsection_title=item.subsection_title,
        item_no=item.item_no,
        parent_item_no=item.parent_item_no,
        text=item.text or "",
        unit=item.unit,
        fact_year=_year(item.fact_year, flags, "fact year"),
        fact_raw=item.fact_raw,
        fact_value=_number(item.fact_value),
        plan_year=_year(item.plan_year, flags, "plan year"),
        plan_raw=item.plan_raw,
        plan_value=_number(item.plan_value),
        deadline=item.deadline,
        mechanism=item.mechanism,
        responsible=item.responsible,
        item_index=index,
        table_index=item.table_index,
        row_index=item.row_index,
        bbox=json.dumps([round(float(v), 2) for v in item.bbox]) if item.bbox else None,
        ocr_confidence=_number(item.ocr_confidence),
    )
    row["flags"] = flags
    return row


def plan_rows(plan: ParsedPlan, *, document_id: str, source_file: str) -> list[dict]:
    """One row per plan item, in document order; `flags` still a list (see `finalise_rows`)."""
    return [
        item_row(plan, item, i, document_id=document_id, source_file=source_file) for i, item in enumerate(plan.items)
    ]


def finalise_rows(rows: list[dict]) -> None:
    """Join flags, set status, assign row keys. Call after enrichment."""
    for row in rows:
        flags = row.get("flags") or []
        if isinstance(flags, str):
            flags = [flags] if flags else []
        # "; " separates flags, so a detail may not contain it (matchers' reasons sometimes do)
        unique = list(dict.fromkeys(f.strip().replace("; ", ", ") for f in flags if f and f.strip()))
        row["flags"] = "; ".join(unique)
        row["status"] = "flagged" if unique else "ok"
    assign_row_keys(rows)


def flag_codes(flags: str | None) -> list[str]:
    """The codes of a joined flags string: "a: x; b" → ["a", "b"]."""
    return [part.split(":", 1)[0].strip() for part in (flags or "").split("; ") if part.strip()]
