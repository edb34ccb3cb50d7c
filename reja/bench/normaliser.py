"""Characters per second of the text normaliser (issue 4), on every text cell of the expected data."""

from __future__ import annotations

from collections.abc import Iterable

from reja.normalize.speed import normalizer_speed

from .corpus import Sample

TEXT_FIELDS = ("text", "unit", "fact_raw", "plan_raw", "mechanism", "deadline", "responsible", "section_title")


def plan_cells(samples: Iterable[Sample]) -> list[str]:
    """The cell texts of each distinct plan once (several samples share one expected file)."""
    seen, cells = set(), []
    for s in samples:
        if s.expected_path in seen:
            continue
        seen.add(s.expected_path)
        for item in s.expected["items"]:
            cells.extend(str(item[f]) for f in TEXT_FIELDS if item.get(f))
    return cells


def bench_normaliser(samples: Iterable[Sample], repeat: int = 3) -> dict:
    cells = plan_cells(samples)
    plain = normalizer_speed(cells, repeat=repeat)
    keyed = normalizer_speed(cells, repeat=repeat, with_key=True)
    return {"cells": int(plain["cells"]), "chars": int(plain["chars"]), "chars_per_s": plain["chars_per_s"],
            "chars_per_s_with_key": keyed["chars_per_s"], "repeat": repeat}  # fmt: skip
