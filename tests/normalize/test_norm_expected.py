"""Cross-check with the hand-made expected data of the two sample plans (samples/expected):
their texts are already clean, and their numbers read the way the spec says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reja.normalize.numbers import parse_number
from reja.normalize.text import clean_text

EXPECTED = Path(__file__).resolve().parents[2] / "samples" / "expected"
PLANS = ["izboskan_2025", "jondor_2021"]


def _items(name: str) -> list[dict]:
    path = EXPECTED / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))["items"]


@pytest.mark.parametrize("name", PLANS)
def test_expected_texts_are_fixed_points_of_clean_text(name):
    changed = [(k, v) for it in _items(name) for k, v in it.items()
               if isinstance(v, str) and clean_text(v) != v]
    assert changed == []


@pytest.mark.parametrize("name", PLANS)
def test_expected_numbers_parse_to_expected_values(name):
    seen = 0
    for it in _items(name):
        for col in ("fact", "plan"):
            raw = it.get(f"{col}_raw")
            if raw is None:
                continue
            seen += 1
            p = parse_number(raw)
            assert p.value == it[f"{col}_value"], raw
            if any(f.startswith("stacked_values") for f in it["expected_flags"]) and p.value is None:
                assert p.kind == "stacked" and len(p.values) > 1, raw
    assert seen > 0
