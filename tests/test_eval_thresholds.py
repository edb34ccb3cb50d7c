"""`make eval` in CI: every sample is parsed and scored against its hand-made expected data, and no
score may fall below the floor recorded in samples/expected/thresholds.json (the yardstick of
issue 2, so a regression fails the build, not only the manual run)."""

import json

import pytest

from reja.evaluate import MANIFEST, evaluate_entry, load_thresholds, violations

ENTRIES = json.loads(MANIFEST.read_text(encoding="utf-8"))["samples"]


@pytest.mark.parametrize(
    "entry",
    [pytest.param(e, id=e["name"], marks=[pytest.mark.slow] if e["format"] == "scan" else []) for e in ENTRIES],
)
def test_sample_meets_its_thresholds(entry, tmp_path, monkeypatch):
    monkeypatch.setenv("REJA_OCR_CACHE", str(tmp_path / "ocr"))  # a fresh OCR, not a cached one
    result = evaluate_entry(entry)
    assert result.error is None, result.error
    thresholds = load_thresholds()
    assert entry["name"] in thresholds, "every sample needs recorded floors"
    problems = violations(entry["name"], result.scores, thresholds)
    assert problems == [], "\n".join(problems)
