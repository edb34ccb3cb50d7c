"""Enrichment flags every doubtful match, with stand-in matchers (the catalogue is not under test)."""

from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

import reja.enrich
from reja.enrich import enrich_rows


@dataclass
class M:
    id: str | None
    score: float
    band: str
    candidates: list = field(default_factory=list)
    reason: str = ""


@dataclass
class D:
    label: str
    sure: bool = True
    note: str | None = None


@pytest.fixture
def tools(monkeypatch):
    t = SimpleNamespace(
        to_latin=lambda s: s.upper(),
        normalize_text=None,
        parse_deadline=lambda raw, year: D("unknown") if raw == "qachondir" else D("Q1", sure=raw != "1-chorak?"),
        match_section=lambda text: M("events", 95, "auto") if "TADBIR" in text else M("methodical", 70, "review"),
        match_unit=lambda text: M(None, 20, "none") if text == "Maro-taba" else M("tadbir", 99, "auto"),
        match_indicator=lambda text, section_id, unit_id: (
            M("readers_club", 91, "auto", [("readers_club", 91), ("attendance", 60)]) if "klub" in text
            else M(None, 40, "none", reason="nothing close")
        ),
        match_place=lambda text: SimpleNamespace(region_id="1703", district_id="1703214", band="auto"),
    )  # fmt: skip
    monkeypatch.setattr(reja.enrich, "_tools", lambda: t)
    return t


def _row(**kw):
    base = {"text": "", "section_title": None, "unit": None, "deadline": None, "year": 2025, "plan_year": 2025,
            "region": "Andijon viloyati", "district": "Izboskan tumani", "flags": []}  # fmt: skip
    return {**base, **kw}


def test_confident_matches_fill_ids_without_flags(tools):
    rows = [_row(text="Kitobxonlar klubi", section_title="TADBIRLAR", unit="tadbir", deadline="I chorak")]
    doc = enrich_rows(rows)
    r = rows[0]
    assert doc == {"region_id": "1703", "district_id": "1703214"}
    assert (r["section_id"], r["unit_id"], r["indicator_id"], r["deadline_period"]) == ("events", "tadbir", "readers_club", "Q1")
    assert r["indicator_score"] == 91 and r["text_latin"] == "KITOBXONLAR KLUBI"
    assert r["flags"] == []
    assert '"indicator": [["readers_club", 91.0], ["attendance", 60.0]]' in r["match_candidates"]


def test_doubtful_and_missing_matches_are_flagged_never_silent(tools):
    rows = [_row(text="Boshqa ish", section_title="ILMIY-METODIK", unit="Maro-taba", deadline="qachondir"),
            _row(text="Kitobxonlar klubi", section_title="TADBIRLAR", unit="tadbir", deadline="1-chorak?")]  # fmt: skip
    enrich_rows(rows)
    codes = [f.split(":")[0] for f in rows[0]["flags"]]
    assert codes == ["section_review", "unit_unmatched", "indicator_unmatched", "unknown_deadline"]
    assert rows[0]["section_id"] == "methodical"  # kept, but flagged for a person to confirm
    assert rows[0]["indicator_id"] is None and rows[0]["unit_id"] is None
    assert "nothing close" in rows[0]["flags"][2]
    assert [f.split(":")[0] for f in rows[1]["flags"]] == ["unknown_deadline"]  # read as Q1 but unsure
    assert rows[1]["deadline_period"] == "Q1"


def test_without_the_matchers_the_columns_stay_null(monkeypatch):
    monkeypatch.setattr(reja.enrich, "_tools", lambda: SimpleNamespace(**dict.fromkeys(
        ("to_latin", "normalize_text", "parse_deadline", "match_section", "match_indicator", "match_unit", "match_place"))))
    rows = [_row(text="Kitobxonlar klubi", section_title="TADBIRLAR", unit="tadbir")]
    enrich_rows(rows)
    assert rows[0].get("section_id") is None and rows[0].get("text_latin") is None and rows[0]["flags"] == []
