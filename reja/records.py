"""A parsed plan (`ParsedPlan`) → rows of the items table, and the stable row key.

A plan item becomes an `ItemRow`: a dataclass with one typed field per column of the items table
(`reja.schema.dataset.ITEM_FIELDS`, the contract: the model is made from it, so a column is defined
once), checked when built (`ItemRow.check`: a value of the wrong kind fails here, at the parser's
edge, not in the export's schema check). The same object goes through matching (`reja.enrich`), the
row key (`finalise_rows`) and the store (`Store.write_document`). The parse the store keeps is the
rows as JSON (`ItemRow.as_record`, keyed by `ITEM_COLUMNS`); a re-match reads them back with
`ItemRow.from_record`, checked again. `flags` is a list from the parser to the store:
`finalise_rows` tidies it and sets `status`, the store joins it with "; " when it writes the row
(`flags_text`).

## The row key (version 2, issue 14)
`row_key` names a row across re-imports of the same file AND across a corrected re-scan of the same
plan (a clerk's correction is attached to it, issue 8). It therefore cannot use the document's
bytes, ids or positions (a re-scan shifts pages and table rows). It is the first 16 hex of
SHA-1 over:

    "v2" | plan place | year | section_no | item_no | parent_item_no | folded text | occurrence index

- plan place: the full gazetteer id of the plan's district or city (`reja.identity`), never a name's
  first word (Urganch tumani and Urganch city are two plans). A plan whose place or year could not
  be identified stands alone (`place_unmatched`): its rows are keyed by the input itself
  (`src:` + source key), so a correction made on it can never land on another plan's row.
- the whole folded text (not a prefix), so two activities that start alike are two rows without
  falling back to their order.
- the occurrence index (0, 1, …) is the last resort: it counts earlier rows of the same document
  with all the other parts equal (Jondor has two identical items 4.5), in document order. A
  correction made on such a row remembers how many twins it had (`twin_counts`) and is held for a
  look when a re-send changes their number (`reja.corrections`).

"Folded" = NFKC, lower case, Cyrillic and the newer Latin letters (ş ç ö ğ ñ, ș) spelled in 1995
Latin by fixed tables in this module, and everything but letters and digits dropped; so script,
alphabet, apostrophe variants, spacing, punctuation and Latin/Cyrillic look-alikes do not change
the key. The tables are frozen here on purpose, not taken from `reja.normalize`: improving the
normaliser must not re-key every stored correction.

Version 1 keys (district's first word, 24 text letters, no newer Latin letters) are still computed
by `legacy_row_key_v1`, only to move corrections made before version 2 onto their rows
(`reja.rekey`).
"""

from __future__ import annotations

import hashlib
import json
import math
import unicodedata
from dataclasses import field, fields, make_dataclass
from numbers import Integral, Real

from reja.extract.model import ParsedPlan, PlanItem
from reja.schema.dataset import INT, ITEM_FIELDS, NUM, STR, YEAR_MAX, YEAR_MIN

_KINDS = {STR: (str,), INT: (Integral,), NUM: (Real,)}


def _check(row) -> None:
    """Raise TypeError naming the column whose value is not of the contract's kind (or None)."""
    for f in ITEM_FIELDS:
        value = getattr(row, f.name)
        if f.name == "flags":
            if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
                raise TypeError(f"items.flags: expected a list of strings, got {value!r}")
        elif value is not None and (isinstance(value, bool) or not isinstance(value, _KINDS[f.kind])):
            raise TypeError(f"items.{f.name}: expected {f.kind} or null, got {type(value).__name__} {value!r}")


def _as_record(row) -> dict:
    """The row as a plain dict (keys = ITEM_COLUMNS, `flags` a new list): its JSON form in the stored parse."""
    out = {f.name: getattr(row, f.name) for f in fields(row)}
    out["flags"] = list(row.flags)
    return out


def _from_record(cls, record: dict):
    """The checked row of a dict `as_record` made (a stored parse read back); a key that is not a
    column of the contract is refused, naming it."""
    unknown = sorted(set(record) - _COLUMNS)
    if unknown:
        raise TypeError(f"items: not a column of the contract: {', '.join(unknown)}")
    row = cls(**record)
    row.check()
    return row


_COLUMNS = frozenset(f.name for f in ITEM_FIELDS)


# One field per column of the contract, in its order: str / int / float or None; `flags` a list of
# "code" / "code: detail" strings until `finalise_rows` joins them.
ItemRow = make_dataclass(
    "ItemRow",
    [(f.name, list[str], field(default_factory=list)) if f.name == "flags" else
     (f.name, {STR: str, INT: int, NUM: float}[f.kind] | None, field(default=None)) for f in ITEM_FIELDS],
    namespace={"check": _check, "as_record": _as_record, "from_record": classmethod(_from_record),
               "__doc__": "One row of the items table as the parser's side builds it (typed, checked)."},
    slots=True,
)
ItemRow.__module__ = __name__

_CYR_TO_LAT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "x", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh",
    "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "yu", "я": "ya", "ў": "o", "қ": "q", "ғ": "g",
    "ҳ": "h", "і": "i",
}  # fmt: skip


# The newer Latin alphabets (2021 / 2026 proposals; ș is the comma-below look-alike of ş) in 1995
# Latin, after lower-casing; ı (dotless i) comes with Turkish keyboards.
_NEW_LATIN_TO_1995 = {
    "ş": "sh", "ș": "sh", "ç": "ch", "ö": "o", "õ": "o", "ō": "o", "ŏ": "o", "ğ": "g", "ḡ": "g",
    "ñ": "ng", "ı": "i",
}  # fmt: skip


def fold(text: str | None) -> str:
    """Key folding: script-, alphabet-, case-, spacing- and punctuation-blind. Frozen (see module doc)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).casefold()
    out = []
    for ch in text:
        ch = _CYR_TO_LAT.get(ch) or _NEW_LATIN_TO_1995.get(ch, ch)
        out.extend(c for c in ch if c.isalnum() and c.isascii())
    return "".join(out)


def _fold_v1(text: str | None) -> str:
    """The version 1 fold (newer Latin letters dropped), for legacy keys only."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).casefold()
    out = []
    for ch in text:
        ch = _CYR_TO_LAT.get(ch, ch)
        out.extend(c for c in ch if c.isalnum() and c.isascii())
    return "".join(out)


def _key_district(district: str | None) -> str:
    """Version 1's place part: the district's first word (kept for `legacy_row_key_v1` only)."""
    words = (district or "").split()
    return _fold_v1(words[0]) if words else ""


def _row_place(get, place_key: str | None) -> str:
    if place_key:
        return place_key
    if get("district_id"):
        return f"id:{get('district_id')}"
    # no identity given (a caller outside the batch): the whole names, never a first word
    return "name:" + fold(get("region")) + "|" + fold(get("district"))


def row_key_parts(row, place_key: str | None = None) -> tuple[str, ...]:
    """Everything but the occurrence index that names a row (see the module doc). `row`: an
    `ItemRow`, or a stored row as a dict."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return (
        "v2",
        _row_place(get, place_key),
        str(get("year") or ""),
        fold(get("section_no")),
        (get("item_no") or "").strip(),
        (get("parent_item_no") or "").strip(),
        fold(get("text")),
    )


def _digest(parts: tuple[str, ...], occurrence: int) -> str:
    return hashlib.sha1("\x1f".join((*parts, str(occurrence))).encode("utf-8")).hexdigest()[:16]


def assign_row_keys(rows: list, place_key: str | None = None) -> None:
    """Set `row_key` on every row of one document (rows in document order: `ItemRow`s, or dicts
    a generated store is built from). `place_key` is the plan's identity from
    `reja.identity.identify_plan` (`id:<gazetteer id>` or `src:<source key>`)."""
    seen: dict[tuple[str, ...], int] = {}
    for row in rows:
        parts = row_key_parts(row, place_key)
        occurrence = seen.get(parts, 0)
        seen[parts] = occurrence + 1
        if isinstance(row, dict):
            row["row_key"] = _digest(parts, occurrence)
        else:
            row.row_key = _digest(parts, occurrence)


def twin_counts(rows: list[dict]) -> list[int]:
    """For each row (stored rows of any documents), how many rows of its document share every key
    part but the occurrence index: 1 for a row its wording alone names."""
    def group(row: dict) -> tuple:
        return (row.get("document_id"), *row_key_parts(row, "same document")[2:])

    totals: dict[tuple, int] = {}
    groups = [group(r) for r in rows]
    for g in groups:
        totals[g] = totals.get(g, 0) + 1
    return [totals[g] for g in groups]


def legacy_row_key_v1(rows: list[dict]) -> list[str]:
    """Version 1 keys of one document's rows (document order): district's first word, 24 folded
    text letters. Only to find the rows of corrections stored before version 2."""
    seen: dict[tuple[str, ...], int] = {}
    keys = []
    for row in rows:
        parts = (
            _key_district(row.get("district")),
            str(row.get("year") or ""),
            _fold_v1(row.get("section_no")),
            (row.get("item_no") or "").strip(),
            (row.get("parent_item_no") or "").strip(),
            _fold_v1(row.get("text"))[:24],
        )
        occurrence = seen.get(parts, 0)
        seen[parts] = occurrence + 1
        keys.append(hashlib.sha1("\x1f".join((*parts, str(occurrence))).encode("utf-8")).hexdigest()[:16])
    return keys


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


def item_row(plan: ParsedPlan, item: PlanItem, index: int, *, document_id: str, source_file: str) -> ItemRow:
    """The typed, checked row of one plan item (before matching)."""
    flags = list(item.flags)
    meta = plan.meta
    row = ItemRow(
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
        flags=flags,
    )
    row.check()
    return row


def plan_rows(plan: ParsedPlan, *, document_id: str, source_file: str) -> list[ItemRow]:
    """One typed row per plan item, in document order; `flags` a list (see `finalise_rows`)."""
    return [item_row(plan, item, i, document_id=document_id, source_file=source_file)
            for i, item in enumerate(plan.items)]


def finalise_rows(rows: list[ItemRow], place_key: str | None = None) -> None:
    """Tidy flags (each once, in order; still a list: the store joins them, `flags_text`), set status,
    assign row keys (`place_key`: see `assign_row_keys`). Call after enrichment."""
    for row in rows:
        # "; " separates flags in the store, so a detail may not contain it (matchers' reasons sometimes do)
        unique = list(dict.fromkeys(f.strip().replace("; ", ", ") for f in row.flags if f and f.strip()))
        row.flags = unique
        row.status = "flagged" if unique else "ok"
    assign_row_keys(rows, place_key)


def flags_text(flags: list[str] | str | None) -> str:
    """A row's flags as the items table stores them: joined by "; " (empty when clean)."""
    if isinstance(flags, str):
        return flags
    return "; ".join(flags or [])


def flag_codes(flags: str | None) -> list[str]:
    """The codes of a joined flags string: "a: x; b" → ["a", "b"]."""
    return [part.split(":", 1)[0].strip() for part in (flags or "").split("; ") if part.strip()]
