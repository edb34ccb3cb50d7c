import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # fakeplans: hand-made plans for these tests

import fakeplans  # noqa: E402


@pytest.fixture
def fp():
    return fakeplans


@pytest.fixture
def no_enrichment(monkeypatch):
    """Matchers and normalisers off: these tests check the store, not the catalogue's matches."""
    from types import SimpleNamespace

    import reja.enrich

    names = ("to_latin", "normalize_text", "parse_deadline", "match_section", "match_indicator", "match_unit",
             "match_place")  # fmt: skip
    monkeypatch.setattr(reja.enrich, "_tools", lambda: SimpleNamespace(**dict.fromkeys(names)))


@pytest.fixture
def pinned_versions(monkeypatch):
    """Fixed pipeline and catalogue versions: others edit the code while these tests run, and a
    code change rightly makes every file 'changed'."""
    import reja.batch

    monkeypatch.setattr(reja.batch, "pipeline_version", lambda: "test-pipeline")
    monkeypatch.setattr(reja.batch, "catalogue_version", lambda: "test-catalogue")
