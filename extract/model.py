"""What the plan parser produces from an IR `Document`: the plan's metadata and its items.

Values are kept as written (`*_raw`) next to their parse, so nothing the document said is lost;
every doubt is a flag on the item (or on the plan) with its reason.

Flags are short strings "code" or "code: detail", e.g. "stacked_values: 230 40 kept unsplit".
Codes in use are listed in schema/flags.py FLAG_CODES so reports and the review page can explain them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reja.schema.flags import FLAG_CODES  # noqa: F401 - the codes' one home is schema/flags.py

from .ir import BBox


@dataclass
class Section:
    number: str | None  # as written: "I", "II", "5", "1.1"
    title: str  # as written, without the number
    responsible: str | None = None  # department line under the heading (often italic)
    level: int = 1  # 1 = section, 2 = sub-section ("1.1. Hujjatlarni butlash …")
    page: int | None = None


@dataclass
class PlanItem:
    item_no: str | None  # as written, trailing dot removed: "9", "9.1", "26.1"
    text: str  # as written (whitespace normalised, hyphenated breaks joined)
    parent_item_no: str | None = None  # for sub-items ("Shundan"/"Бундан", 9.1 under 9)
    unit: str | None = None
    fact_year: int | None = None
    fact_raw: str | None = None
    fact_value: float | None = None
    plan_year: int | None = None
    plan_raw: str | None = None
    plan_value: float | None = None
    mechanism: str | None = None
    deadline: str | None = None
    responsible: str | None = None
    section_no: str | None = None
    section_title: str | None = None
    subsection_title: str | None = None
    page: int | None = None
    table_index: int | None = None
    row_index: int | None = None  # first IR row of the item within its table
    bbox: BBox | None = None  # box of the row (PDF points / image pixels)
    ocr_confidence: float | None = None  # lowest cell confidence of the row, OCR only
    cell_boxes: dict[str, BBox] = field(default_factory=dict)  # column role -> cell box (review page)
    flags: list[str] = field(default_factory=list)

    def flag(self, code: str, detail: str | None = None) -> None:
        entry = code if detail is None else f"{code}: {detail}"
        if entry not in self.flags:
            self.flags.append(entry)


@dataclass
class PlanMeta:
    region: str | None = None
    district: str | None = None
    organisation: str | None = None
    year: int | None = None
    approved_by: str | None = None  # TASDIQLAYMAN / ТАСДИҚЛАЙМАН
    approved_date: str | None = None
    agreed_by: str | None = None  # KELISHILDI / КЕЛИШИЛДИ
    agreed_date: str | None = None
    title: str | None = None
    flags: list[str] = field(default_factory=list)


@dataclass
class ParsedPlan:
    source: str
    format: str
    meta: PlanMeta
    sections: list[Section] = field(default_factory=list)
    items: list[PlanItem] = field(default_factory=list)
    page_count: int | None = None
    warnings: list[str] = field(default_factory=list)
