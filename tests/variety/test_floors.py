"""CI guards generality: the variety corpus's CI subset (every family, a few documents each) is
generated, parsed by reja and scored against its specs; no family may fall below the floors recorded
in reja/variety/data/floors.yaml (ratcheted by `python -m reja.variety eval --range ci --ratchet`).

Generated files are cached by spec hash in .cache/variety (ignored by git), so a second run only
parses and scores. Image families OCR a page or two: they are marked slow.
"""

import pytest

from reja.variety import corpus
from reja.variety import evaluate as ev
from reja.variety.__main__ import load_floors
from reja.variety.spec import families

FAMILIES = list(families())


@pytest.mark.parametrize(
    "family",
    [pytest.param(f, marks=[pytest.mark.slow] if families()[f]["renderer"] in corpus.IMAGE_RENDERERS else [])
     for f in FAMILIES],
)
def test_family_meets_its_floors(family, tmp_path, monkeypatch):
    monkeypatch.setenv("REJA_OCR_CACHE", str(tmp_path / "ocr"))  # a fresh OCR, not a cached one
    floors = load_floors()
    assert family in floors, f"family {family} has no floors: run python -m reja.variety eval --range ci --ratchet"
    generated = corpus.generate(corpus.ci_documents([family]), corpus.DEFAULT_CACHE, log=None)
    scores = ev.aggregate(ev.score_all(generated, log=None))
    problems = ev.violations(family, scores, floors[family])
    assert problems == [], "\n".join(problems)


def test_every_floor_names_a_known_family_and_metric():
    for family, limits in load_floors().items():
        assert family in FAMILIES, f"floors for unknown family {family}"
        assert set(limits) <= set(ev.METRICS), f"{family}: unknown metrics {set(limits) - set(ev.METRICS)}"
