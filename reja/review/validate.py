"""Checks a clerk's edit before it becomes a correction: the same rules for the Excel round-trip
and the review page, so both reject the same things with the same words."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from reja.corrections import EDITABLE_FIELDS
from reja.normalize.numbers import parse_number


@dataclass(frozen=True)
class Rejected:
    where: str  # "review.xlsx row 7" / "row 3f2a…"
    field: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}, {self.field} = {self.value!r}: {self.reason}"


@lru_cache(maxsize=1)
def catalogue_ids() -> dict[str, frozenset[str]]:
    from reja.schema.catalogue import load_catalogue

    cat = load_catalogue()
    return {
        "section": frozenset(cat.sections),
        "indicator": frozenset(cat.indicators),
        "unit": frozenset(cat.units),
    }


def check_value(field: str, value) -> tuple[object | None, str | None]:
    """Return (clean value, None) or (None, reason the value is refused)."""
    kind = EDITABLE_FIELDS.get(field)
    if kind is None:
        return None, f"'{field}' is not a field a clerk can edit"
    if value is None or (isinstance(value, str) and not value.strip()):
        if field == "text":
            return None, "the activity text cannot be empty"
        return None, None  # clearing a value is allowed (e.g. a number that is not there)
    text = str(value).strip()
    if kind in ("section", "indicator", "unit"):
        ids = catalogue_ids()[kind]
        candidate = text.split(" ", 1)[0]  # dropdown entries read "id — name"
        if candidate not in ids:
            return None, f"unknown {kind} id '{candidate}' (not in the catalogue)"
        return candidate, None
    if kind in ("number", "year"):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = float(value)
        else:
            parsed = parse_number(text)
            if parsed.kind != "number" or not parsed.sure or parsed.value is None:
                return None, f"'{text}' is not a number"
            number = parsed.value
        if kind == "year":
            if not number.is_integer() or not 1900 <= number <= 2100:
                return None, f"'{text}' is not a plausible year"
            return int(number), None
        return number, None
    return text, None
