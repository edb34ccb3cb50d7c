"""Enrichment with the real catalogue and matchers: expected ids come from docs/catalogue_mapping.md
(written by hand from both seed plans), not from the matcher's output."""

from reja.enrich import enrich_rows
from reja.learned import LearnedSynonyms
from reja.records import ItemRow


def _row(**kw):
    base = {"text": "", "section_title": None, "section_no": "IV", "item_no": None, "parent_item_no": None,
            "unit": None, "deadline": None, "year": 2025, "plan_year": 2025, "region": "Andijon viloyati",
            "district": "Izboskan tumani", "flags": []}  # fmt: skip
    return ItemRow(**{**base, **kw})


def test_seed_rows_match_their_catalogue_entries_without_flags():
    rows = [_row(text="Axborot-kutubxona resurslarini tasniflash", section_title="ASOSIY ISHLAB CHIQRARISH FAOLIYATI",
                 item_no="11", unit="Dona", deadline="2025-yil davomida")]
    doc = enrich_rows(rows)
    r = rows[0]
    assert (r.section_id, r.indicator_id, r.unit_id, r.deadline_period) == (
        "main_production", "classification", "dona", "year")
    assert r.flags == []
    assert doc["region_id"] and doc["district_id"] and doc["flags"] == []
    assert '"indicator": [["classification"' in r.match_candidates
    assert r.text_latin == "Axborot-kutubxona resurslarini tasniflash"


def test_cyrillic_row_gets_the_same_indicator_and_a_latin_text():
    rows = [_row(text="Ахборот-кутубхона ресурсларини таснифлаш", region="Бухоро вилояти", district="Жондор тумани",
                 section_title="Хужжатларга техник ишлов бериш ва каталоглаштириш", section_no="II", item_no="2.4")]
    enrich_rows(rows)
    assert rows[0].indicator_id == "classification"
    assert rows[0].text_latin == "Axborot-kutubxona resurslarini tasniflash"


def test_unknown_wording_and_deadline_are_flagged_never_silent():
    rows = [_row(text="Qo'shni mahalla bilan futbol o'yini", section_title="ASOSIY ISHLAB CHIQRARISH FAOLIYATI",
                 unit="to'p", deadline="qachondir")]
    enrich_rows(rows)
    codes = [f.split(":")[0] for f in rows[0].flags]
    assert "indicator_unmatched" in codes and "unit_unmatched" in codes and "unknown_deadline" in codes
    assert rows[0].indicator_id is None and rows[0].unit_id is None


def test_a_clerks_learned_wording_matches_first_and_says_so():
    wording = "Qo'shni mahalla bilan futbol o'yini"
    from reja.normalize.keys import match_key

    learned = LearnedSynonyms({"indicator": {match_key(wording): {
        "id": "events", "text": wording, "correction": 7, "who": "Dilnoza"}}})
    rows = [_row(text=wording.replace("'", "’"), section_title="ASOSIY ISHLAB CHIQRARISH FAOLIYATI")]
    enrich_rows(rows, learned=learned)
    assert rows[0].indicator_id == "events" and rows[0].indicator_score == 100
    assert not any(f.startswith("indicator_") for f in rows[0].flags)


def test_a_place_not_in_the_gazetteer_flags_the_document():
    doc = enrich_rows([_row(region="Atlantida", district="Xayoliy tumani", text="Kitob")])
    assert doc["region_id"] is None and doc["flags"][0].startswith("place_unmatched")


def test_a_sub_item_names_the_indicator_of_its_parent():
    # Izboskan 2025 item 9 and its sub-item 9.2 (seed: "Axborot-kutubxona fondlarini to'ldirish" /
    # "Xarid qilish orqali"); docs/catalogue_mapping.md maps them to acq_total / acq_purchase
    section = "ASOSIY ISHLAB CHIQRARISH FAOLIYATI"
    rows = [_row(text="Axborot-kutubxona fondlarini to‘ldirish", section_title=section, item_no="9", unit="Nusxa jami"),
            _row(text="Xarid qilish orqali", section_title=section, item_no="9.2", parent_item_no="9", unit="Nusxa")]
    enrich_rows(rows)
    assert rows[0].indicator_id == "acq_total" and rows[0].parent_indicator_id is None
    assert rows[1].indicator_id == "acq_purchase" and rows[1].parent_indicator_id == "acq_total"


def test_a_typo_of_a_learned_wording_gets_the_clerks_entry_and_a_far_one_does_not():
    """A clerk taught 'Fond hujjatlarini qayta sanash' (counting the stock again) as inventory once, a
    wording the catalogue and the vocabulary do not know. The same wording with a doubled letter (and in
    Cyrillic with a dropped one) gets it too; another activity does not."""
    from reja.normalize.keys import match_key

    wording = "Fond hujjatlarini qayta sanash"
    learned = LearnedSynonyms({"indicator": {match_key(wording): {
        "id": "inventory", "text": wording, "correction": 3, "who": "Dilnoza"}}})
    section = "FOND BILAN ISHLASH"
    rows = [_row(text="Fond hujjatlarini qayta sannash", section_title=section, unit="nusxa"),
            _row(text="Фонд ҳужжатларини қайта санш", section_title=section, unit="nusxa"),
            _row(text="Fondni qayta joylashtirish", section_title=section, unit="nusxa")]
    enrich_rows(rows)  # the catalogue alone does not know this wording
    assert all(any(f.startswith("indicator_") for f in r.flags) for r in rows)
    for r in rows:
        r.flags = []
    enrich_rows(rows, learned=learned)
    assert [r.indicator_id for r in rows[:2]] == ["inventory", "inventory"]
    assert not any(f.startswith("indicator_") for r in rows[:2] for f in r.flags)
    assert any(f.startswith("indicator_") for f in rows[2].flags)
