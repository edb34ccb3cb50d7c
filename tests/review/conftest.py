import pandas as pd
import pytest


@pytest.fixture
def items():
    """Three rows as the store would hold them (values written by hand for these tests)."""
    return pd.DataFrame([
        dict(row_key="k-ok", document_id="d1", source_file="izboskan_2025.docx", district="Izboskan tumani",
             year=2025, page=None, section_no="IV", item_no="11", text="Axborot-kutubxona resurslarini tasniflash",
             section_id=None, indicator_id=None, unit_id=None, unit="Dona", fact_value=373.0, plan_value=750.0,
             deadline="2025-yil davomida", responsible="Direktor", flags="", status="ok", match_candidates=None),
        dict(row_key="k-12", document_id="d1", source_file="izboskan_2025.docx", district="Izboskan tumani",
             year=2025, page=None, section_no="IV", item_no="12", text="Bibliografik yozuvlar bilan ishlash",
             section_id=None, indicator_id=None, unit_id=None, unit="Bibliografik yozuv", fact_value=None,
             plan_value=None, deadline="2025-yil davomida", responsible="Direktor",
             flags="stacked_values: 134 4010", status="flagged", match_candidates=None),
        dict(row_key="k-30", document_id="d1", source_file="izboskan_2025.docx", district="Izboskan tumani",
             year=2025, page=None, section_no="VII", item_no="30", text="Faoliyatini yoritib borish",
             section_id=None, indicator_id=None, unit_id=None, unit="Maro-taba", fact_value=7.0, plan_value=10.0,
             deadline="2025-yil davomida", responsible="Direktor", flags="unit_unmatched: Maro-taba",
             status="flagged", match_candidates=None),
    ])


def store_of_one_plan(tmp_path, monkeypatch, parse):
    """A store holding the one plan `parse` makes, its rows as parsed: matching is switched off so a
    test states every flag and value itself."""
    import reja.enrich
    from reja.batch import run_import

    monkeypatch.setattr(reja.enrich, "enrich_rows",
                        lambda rows, **kw: {"region_id": None, "district_id": None, "flags": []})
    monkeypatch.setattr(reja.enrich, "warm_up", lambda: None)
    (tmp_path / "plan.docx").write_bytes(b"fake")
    db = tmp_path / "reja.sqlite"
    run_import([tmp_path / "plan.docx"], db=db, parse=parse)
    return db


def store_of_sample(tmp_path_factory, sample, name: str):
    """A store of one committed sample file, imported once per test module."""
    import shutil

    from reja.api import import_paths

    work = tmp_path_factory.mktemp(name)
    shutil.copy(sample, work / sample.name)
    db = work / "reja.sqlite"
    import_paths([work / sample.name], db=db)
    return db


def copy_of(store, tmp_path):
    """Each test its own copy of a module's store, so its corrections stay its own."""
    import shutil

    copy = tmp_path / "reja.sqlite"
    shutil.copy(store, copy)
    return copy
