"""The public matching API: `reja.api.match()` and `reja match` (issue 19)."""

from __future__ import annotations

import pytest
from reja.schema.catalogue import load_catalogue
from typer.testing import CliRunner

from reja.api import match
from reja.cli import app


def test_api_match_names_the_entry_and_its_candidates():
    res = match("indicator", "Kitob berilishi", section="services", unit="nusxa")
    cat = load_catalogue()
    assert (res.id, res.band, res.section, res.unit) == ("book_issue", "auto", "user_services", "nusxa")
    assert res.name_latn == cat.indicators["book_issue"].name_latn
    assert res.candidates[0].id == "book_issue" and res.candidates[0].name_cyrl
    assert "unit nusxa fits" in res.reason


def test_api_match_reads_a_heading_given_as_text():
    res = match("indicator", "Kitob berilishi", section="Китобхонларга хизмат кўрсатиш")
    assert res.section == "user_services" and res.context and "user_services" in res.context[0]


def test_api_match_under_a_heading_that_is_no_section_is_never_auto():
    res = match("indicator", "Foydalanuvchilarga kitob berilishi", section="Fuqarolarning murojaatlari bilan ishlash")
    assert res.section is None and res.band == "review"


@pytest.mark.parametrize("kind,text,expected", [
    ("section", "Комплектование фонда", "acquisition"), ("unit", "tadbir/ishtirokchi", "tadbir_qatnashuvchi"),
])
def test_api_match_sections_and_units(kind, text, expected):
    assert match(kind, text).id == expected


def test_api_match_rejects_an_unknown_kind_or_parent():
    with pytest.raises(ValueError, match="unknown kind"):
        match("column", "Nusxa")
    with pytest.raises(ValueError, match="parent"):
        match("indicator", "kitoblar", parent="no_such_indicator")


def test_cli_match_prints_the_decision_and_exits_by_band():
    runner = CliRunner()
    ok = runner.invoke(app, ["--lang", "en", "match", "indicator", "Kitob berilishi", "--section", "services",
                             "--unit", "nusxa"])
    assert ok.exit_code == 0, ok.output
    assert "book_issue" in ok.output and "band: auto" in ok.output and "candidates:" in ok.output
    assert "Foydalanuvchilarga kitob berilishi" in ok.output
    doubt = runner.invoke(app, ["--lang", "en", "match", "indicator", "Xodimlarga ish haqi to'lash"])
    assert doubt.exit_code == 3 and "no match" in doubt.output
    bad = runner.invoke(app, ["match", "colour", "x"])
    assert bad.exit_code == 2
