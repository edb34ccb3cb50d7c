"""The catalogue loads, validates its cross-references, and versions itself by content."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from reja.normalize.keys import match_key
from reja.schema.catalogue import DATA_DIR, CatalogueError, load_catalogue, load_catalogue_from


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(DATA_DIR, d)
    return d


def test_catalogue_sizes_meet_the_issue():
    cat = load_catalogue()
    assert len(cat.indicators) >= 40
    assert len(cat.sections) >= 13
    for unit in ("nusxa", "dona", "nafar", "tadbir", "sahifa", "hujjat", "bib_yozuv", "marta", "nom_nusxa", "son"):
        assert unit in cat.units
    for role in ("number", "text", "unit", "fact", "plan", "mechanism", "deadline", "responsible"):
        assert role in cat.column_roles


def test_every_entry_has_both_scripts():
    cat = load_catalogue()
    for kind in (cat.sections, cat.indicators, cat.units, cat.column_roles):
        for e in kind.values():
            assert any("\u0400" <= ch <= "\u04ff" for ch in e.name_cyrl), e.id
            assert not any("\u0400" <= ch <= "\u04ff" for ch in e.name_latn), e.id


# Headers written in the two reference plans (../shared/seeds), by hand, with the role each one has.
SEED_HEADERS = {
    "№": "number",
    "Nomi": "text",
    "Бажариладиган ишларнинг мазмуни": "text",
    "Қилинадиган ишларнинг мазмуни": "text",
    "O'lchov birligi": "unit",
    "Ўлчов бирлиги": "unit",
    "Miqdori": "quantity",
    "2024- yil (fakt)": "fact",
    "2025- yil (reja)": "plan",
    "2021 йил режаси": "plan",
    "2021 йил режа": "plan",
    "Amalga oshirish mexanizmi": "mechanism",
    "Амалга ошириш механизми": "mechanism",
    "Ишлаб чиқариш механизми": "mechanism",
    "Bajarilish muddati": "deadline",
    "Бажарилиш муддати": "deadline",
    "Mas'ullar": "responsible",
}


@pytest.mark.parametrize("header,role", sorted(SEED_HEADERS.items()))
def test_seed_headers_are_synonyms_of_exactly_their_role(header, role):
    cat = load_catalogue()
    key = match_key(header) or header
    owners = {r.id for r in cat.column_roles.values() for s in r.labels() if (match_key(s) or s) == key}
    assert owners == {role}


def test_no_label_key_is_shared_by_two_entries_of_a_kind():
    # a shared key would make an exact match ambiguous
    cat = load_catalogue()
    for kind in ("sections", "indicators", "units", "column_roles"):
        seen: dict[str, str] = {}
        for e in getattr(cat, kind).values():
            for label in e.labels():
                k = match_key(label) or label
                assert seen.setdefault(k, e.id) == e.id, f"{kind}: '{label}' in {seen[k]} and {e.id}"


def test_catalogue_version_is_content_hash_plus_version(data_copy):
    v1 = load_catalogue_from(data_copy).catalogue_version
    assert v1.startswith("1+") and len(v1) == 14
    assert load_catalogue_from(data_copy).catalogue_version == v1  # deterministic
    p = data_copy / "units.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace('"Nusxa jami"', '"Nusxa jami", "jami nusxa"'), encoding="utf-8")
    v2 = load_catalogue_from(data_copy).catalogue_version
    assert v2 != v1 and v2.startswith("1+")


def test_unknown_unit_is_a_clear_error(data_copy):
    p = data_copy / "indicators.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("unit: makroobyekt", "unit: parsec", 1), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"indicators\.yaml indicator 'macroobjects': unit 'parsec'"):
        load_catalogue_from(data_copy)


def test_unknown_section_is_a_clear_error(data_copy):
    p = data_copy / "indicators.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("sections: [decrees]", "sections: [nowhere]", 1),
                 encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"decree_execution.*section 'nowhere'"):
        load_catalogue_from(data_copy)


def test_duplicate_id_is_a_clear_error(data_copy):
    p = data_copy / "sections.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("id: international", "id: events", 1), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"sections\.yaml: id 'events' appears twice"):
        load_catalogue_from(data_copy)


def test_missing_file_and_bad_yaml(data_copy):
    (data_copy / "units.yaml").write_text("units: [unclosed", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"units\.yaml: not valid YAML"):
        load_catalogue_from(data_copy)
    (data_copy / "units.yaml").unlink()
    with pytest.raises(CatalogueError, match=r"units\.yaml: catalogue file is missing"):
        load_catalogue_from(data_copy)


def test_version_fields_must_agree(data_copy):
    p = data_copy / "units.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("version: 1", "version: 2", 1), encoding="utf-8")
    with pytest.raises(CatalogueError, match="disagree on 'version'"):
        load_catalogue_from(data_copy)
