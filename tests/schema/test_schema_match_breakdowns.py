"""Breakdown indicators: sub-items matched with their parent item's indicator as evidence.

Texts are the Jondor 2021 / Izboskan 2025 sub-rows as written in ../shared/seeds/ (1.2-1.4
"Бундан" rows, the ХКА block, 5.12 channels, 2025 9.4 and 13); the expected ids are the catalogue
entries written for them (docs/catalogue_mapping.md).
"""

from __future__ import annotations

import pytest
from reja.normalize.match import match_indicator, prepare
from reja.schema.catalogue import load_catalogue

ACQ = "acquisition"


@pytest.mark.parametrize("text,unit,parent,expected", [
    ("Китоблар ва китоб маҳсулотлари", "nom_nusxa", "acq_purchase", "acq_books"),
    ("журналлар", "nom_nusxa", "acq_purchase", "acq_journals"),
    ("газеталар", "nom_nusxa", "acq_purchase", "acq_newspapers"),
    ("CD/DVD дисклар (аудио ва электрон китоблар) ва бошқ.", None, "acq_purchase", "acq_electronic"),
    ("Online маълумотлар базаси", None, "acq_purchase", "acq_online_db"),
    ("китоб", "nom_nusxa", "acq_legal_deposit", "acq_books"),
    ("журнал", "nom_nusxa", "acq_legal_deposit", "acq_journals"),
    ("CD/DVD дисклар ва бошқ.", "nom_nusxa", "acq_legal_deposit", "acq_electronic"),
    ("автореферат ва диссертациялар", "nom_nusxa", "acq_gifts", "acq_dissertations"),
    ("Шундан: китоблар сони", None, "acq_exchange", "acq_books"),
    ("электрон ресурслар сони", None, "acq_exchange", "acq_electronic"),
])
def test_document_type_under_an_acquisition_channel_is_auto(text, unit, parent, expected):
    # the parent item is purchase/legal deposit/gifts/exchange, itself a breakdown of acq_total:
    # its ancestor supports the document-type breakdowns of acq_total
    m = match_indicator(text, section_id=ACQ, unit_id=unit, parent_id=parent)
    assert (m.id, m.band) == (expected, "auto"), m
    assert f"sub-item of {parent}" in m.reason


@pytest.mark.parametrize("text,expected", [
    ("журналлар сони", "acq_journals"), ("газеталар сони", "acq_newspapers"),
    ("Шундан: китоблар сони", "acq_books"), ("Online маълумотлар базаси", "acq_online_db"),
])
def test_generic_word_without_parent_goes_to_review_with_the_right_candidate(text, expected):
    # the ХКА block rows have no item number, so no parent: flagged, never auto
    m = match_indicator(text, section_id=ACQ)
    assert (m.id, m.band) == (expected, "review"), m
    assert "needs parent evidence" in m.reason


@pytest.mark.parametrize("text,section,parent", [
    ("журнал", "collection_work", "book_issue"),  # journals issued to readers, not acquired
    ("газеталар", "collection_work", "binding_repair"),
    ("Юридик шахсларга", "user_services", "temporary_loan"),  # 2021 5.16: loans, not gifts
    ("yangi", "main_production", None),
])
def test_generic_word_under_a_foreign_parent_is_never_auto(text, section, parent):
    m = match_indicator(text, section_id=section, parent_id=parent)
    assert m.band != "auto", m


def test_generic_breakdown_word_inside_a_longer_text_does_not_outrank():
    # "yangi" (new users) is one word of "Yangi adabiyotlar ko'rgazmasi" (new books exhibition)
    m = match_indicator("Yangi adabiyotlar ko'rgazmasi", section_id="user_services")
    assert m.candidates[0][0] != "users_new", m


@pytest.mark.parametrize("text,unit,parent,expected", [
    ("Jismoniy shaxslar", "nusxa", "acq_gifts", "acq_gifts_individuals"),
    ("Yuridik shaxslar", "nusxa", "acq_gifts", "acq_gifts_organisations"),
    ("yangi", "nafar", "users_registered", "users_new"),
    ("qayta", "nafar", "users_registered", "users_reregistered"),
])
def test_izboskan_breakdowns_under_their_parent(text, unit, parent, expected):
    m = match_indicator(text, section_id="main_production", unit_id=unit, parent_id=parent)
    assert (m.id, m.band) == (expected, "auto"), m


@pytest.mark.parametrize("text,expected", [
    ("ТВда", "media_tv"), ("Радиода", "media_radio"),
    ("Электрон оммавий ахборот воситаларида", "media_online"), ("Клуб аъзолари", "readers_club_members"),
])
def test_distinctive_breakdowns_match_without_a_parent(text, expected):
    # 2021 5.12/5.13 sub-rows carry no number; their words name the channel on their own
    m = match_indicator(text, section_id="user_services", unit_id="son")
    assert (m.id, m.band) == (expected, "auto"), m


def test_exhibitions_held_in_collection_work():
    m = match_indicator("Ўтказилган кўргазмалар", section_id="collection_work")
    assert (m.id, m.band) == ("exhibitions_held", "auto"), m


def test_periodicals_channel_needs_its_parent():
    # "Даврий нашрларда" could be any periodicals row; under 5.12 (media_coverage) it is the channel
    alone = match_indicator("Даврий нашрларда", section_id="user_services", unit_id="son")
    child = match_indicator("Даврий нашрларда", section_id="user_services", unit_id="son",
                            parent_id="media_coverage")
    assert (alone.id, alone.band) == ("media_print", "review")
    assert (child.id, child.band) == ("media_print", "auto")


def test_breakdown_marker_is_not_part_of_the_key():
    assert prepare("Шундан: китоблар сони") == prepare("китоблар сони")
    assert prepare("Bundan kitob") == prepare("kitob")
    assert prepare("Shundan,") == "shundan"  # the marker alone stays (a NONE row in the labelled set)


def test_parent_required_names_breakdown_indicators():
    cat = load_catalogue()
    required = cat.thresholds["parent_required"]
    assert len(required) == len(set(required)) >= 6
    for iid in required:
        assert iid in cat.indicators and cat.indicators[iid].parent, iid
