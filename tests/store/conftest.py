
import pytest

from tests.store import fakeplans


@pytest.fixture
def fp():
    return fakeplans


@pytest.fixture
def no_enrichment(monkeypatch):
    """Matchers and normalisers off: these tests check the store, not the catalogue's matches."""
    import reja.enrich

    monkeypatch.setattr(reja.enrich, "enrich_rows",
                        lambda rows, **kw: {"region_id": None, "district_id": None, "flags": []})
    monkeypatch.setattr(reja.enrich, "warm_up", lambda: None)


@pytest.fixture
def pinned_versions(monkeypatch):
    """Fixed pipeline and catalogue versions: others edit the code while these tests run, and a
    code change rightly makes every file 'changed'."""
    import reja.keys

    monkeypatch.setattr(reja.keys, "pipeline_version", lambda: "test-pipeline")
    monkeypatch.setattr(reja.keys, "catalogue_version", lambda: "test-catalogue")


@pytest.fixture
def runner(monkeypatch, fp):
    """The CLI with a hand-made parse function (tests of the command, not of the parser)."""
    from typer.testing import CliRunner

    import reja.worker

    monkeypatch.setattr(reja.worker, "default_parse", fp.fake_parse)
    return CliRunner()
