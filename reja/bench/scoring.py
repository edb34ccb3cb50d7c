"""One scorer for every tool: rows of cells against the expected items of a plan.

A raw table finder returns rows of cell strings and knows nothing of items, sections or stacked
values, so the comparison is made on that common shape: reja's items are turned into rows too
(`plan_rows`) and scored by the same code.

For each expected item:
- its best-matching output row is the row holding the cell most similar to the item's text
  (rapidfuzz ratio after reja.evaluate's fold: whitespace, case, apostrophes, script); a cell equal
  to the item number breaks near-ties. Rows are NOT used up (a tool's merged row may serve several
  items), which is lenient to the raw tools;
- cell exact match: for each field of SCORED_FIELDS with a non-empty expected value, does that row
  hold a cell equal to the expected value after whitespace normalisation (item numbers also without
  their trailing dot, since the expected data stores "9.1" for a printed "9.1.")?
- CER: Levenshtein normalised distance between the expected text and the row's most similar cell
  (1.0 when the tool returned no rows at all);
- found: the most similar cell reaches reja.evaluate.TEXT_ONLY_SIM.
Counts are kept raw so documents pool into a per-format total (micro-average).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from reja.evaluate import TEXT_ONLY_SIM, fold, norm_no, ws

SCORED_FIELDS = ("item_no", "text", "unit", "fact_raw", "plan_raw", "deadline")
# Column order of a reja item turned into a row (the plan table's own column order).
ROW_FIELDS = ("item_no", "text", "unit", "fact_raw", "plan_raw", "mechanism", "deadline", "responsible")
NO_TIE_BREAK = 0.05  # an equal item number outweighs a 5-point text-similarity difference, no more


@dataclass
class CellScore:
    """Raw counts of one document (or a pool of documents) for one tool."""

    items: int = 0
    found: int = 0
    cer_sum: float = 0.0
    ok: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SCORED_FIELDS, 0))
    total: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SCORED_FIELDS, 0))

    def add(self, other: CellScore) -> None:
        self.items += other.items
        self.found += other.found
        self.cer_sum += other.cer_sum
        for f in SCORED_FIELDS:
            self.ok[f] += other.ok[f]
            self.total[f] += other.total[f]

    @property
    def cells_ok(self) -> int:
        return sum(self.ok.values())

    @property
    def cells_total(self) -> int:
        return sum(self.total.values())

    def rates(self) -> dict[str, float | None]:
        out: dict[str, float | None] = {
            "cell_exact": self.cells_ok / self.cells_total if self.cells_total else None,
            "text_cer": self.cer_sum / self.items if self.items else None,
            "found_rate": self.found / self.items if self.items else None,
        }
        for f in SCORED_FIELDS:
            out[f"{f}_exact"] = self.ok[f] / self.total[f] if self.total[f] else None
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"items": self.items, "found": self.found, "cer_sum": self.cer_sum, "ok": dict(self.ok),
                "total": dict(self.total), "cells_ok": self.cells_ok, "cells_total": self.cells_total,
                **self.rates()}  # fmt: skip


def _cell_key(name: str, value: Any) -> str:
    s = ws(None if value is None else str(value))
    return (norm_no(s) or "") if name == "item_no" else s


def _clean_rows(rows: Iterable[Sequence[Any]]) -> list[list[str]]:
    return [["" if c is None else str(c) for c in row] for row in rows]


def score_rows(expected_items: Sequence[dict], rows: Iterable[Sequence[Any]]) -> CellScore:
    """Score a tool's rows of cells against the expected items (see the module docstring)."""
    table = _clean_rows(rows)
    folded = [[fold(c) for c in row] for row in table]
    keys = {f: [{_cell_key(f, c) for c in row} for row in table] for f in SCORED_FIELDS}
    score = CellScore(items=len(expected_items))
    for item in expected_items:
        want_text = fold(item.get("text"))
        want_no = norm_no(item.get("item_no"))
        best: tuple[float, int, int] | None = None  # (score, row, cell)
        for r, cells in enumerate(folded):
            if not cells:
                continue
            sims = [fuzz.ratio(want_text, c) / 100.0 for c in cells]
            c_best = max(range(len(sims)), key=sims.__getitem__)
            s = sims[c_best] + (NO_TIE_BREAK if want_no is not None and want_no in keys["item_no"][r] else 0.0)
            if best is None or s > best[0]:
                best = (s, r, c_best)
        if best is None:
            score.cer_sum += 1.0
        else:
            _, r, c = best
            text_cell = table[r][c]
            score.cer_sum += Levenshtein.normalized_distance(ws(item.get("text")), ws(text_cell))
            score.found += fuzz.ratio(want_text, folded[r][c]) / 100.0 >= TEXT_ONLY_SIM
        for f in SCORED_FIELDS:
            want = _cell_key(f, item.get(f))
            if not want:
                continue  # an empty expected value has nothing to find
            score.total[f] += 1
            score.ok[f] += best is not None and want in keys[f][best[1]]
    return score


def plan_rows(items: Iterable[Any]) -> list[list[str]]:
    """reja's parsed items (PlanItem objects or dicts) as rows of cells in ROW_FIELDS order."""
    rows = []
    for it in items:
        get = it.get if isinstance(it, dict) else (lambda k, _it=it: getattr(_it, k, None))
        rows.append(["" if get(f) is None else str(get(f)) for f in ROW_FIELDS])
    return rows
