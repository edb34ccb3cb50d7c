"""Exports: every format written, checked against the pandera contract, atomic."""

import json

import openpyxl
import pandas as pd
import pytest
from reja.schema.dataset import ITEM_COLUMNS, documents_schema, items_schema

from reja import corrections
from reja.api import load_documents, load_items
from reja.batch import run_import
from reja.export import DatasetContractError, export_dataset, validate, write_tables

pytestmark = pytest.mark.usefixtures("no_enrichment")


@pytest.fixture
def db(tmp_path, fp):
    fp.write(tmp_path / "in" / "izboskan.docx", fp.spec(n=3, flagged=(2,)))
    fp.write(tmp_path / "in" / "jondor.docx", fp.spec(district="Jondor tumani", region="Buxoro viloyati", year=2021, n=2))
    (tmp_path / "in" / "broken.docx").write_bytes(b"\x00\x01")
    db = tmp_path / "reja.sqlite"
    run_import([tmp_path / "in"], db=db, parse=fp.fake_parse)
    return db


def test_every_export_is_written_and_matches_the_contract(db, tmp_path):
    out = tmp_path / "out"
    written = export_dataset(db, out)
    assert set(written) == {"items.parquet", "documents.parquet", "items.csv", "documents.csv", "reja.xlsx",
                            "datapackage.json"}  # fmt: skip
    items = pd.read_parquet(out / "items.parquet")
    assert list(items.columns) == list(ITEM_COLUMNS)
    assert len(items) == 5
    items_schema.validate(items)
    documents_schema.validate(pd.read_parquet(out / "documents.parquet"))
    # CSV: UTF-8 with BOM (Excel), same rows
    raw = (out / "items.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    csv = pd.read_csv(out / "items.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert csv["text"].tolist() == items["text"].tolist()
    assert csv.loc[csv.item_no == "2", "flags"].tolist() == ["stacked_values: 134 4010", ""]
    # XLSX: a sheet per table, frozen header, filters, flagged rows highlighted
    wb = openpyxl.load_workbook(out / "reja.xlsx")
    assert wb.sheetnames == ["items", "documents", "flags"]
    ws = wb["items"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:")
    rules = [r for cf in ws.conditional_formatting for r in cf.rules]
    assert any('="flagged"' in f for r in rules for f in r.formula)
    header = [c.value for c in ws[1]]
    assert header == list(ITEM_COLUMNS) and ws.max_row == 6
    docs_sheet = wb["documents"]
    status_col = [c.value for c in docs_sheet[1]].index("status")
    statuses = [row[status_col] for row in docs_sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(statuses) == ["failed", "ok", "partial"]
    # datapackage.json describes exactly the CSV columns
    package = json.loads((out / "datapackage.json").read_text())
    res = {r["name"]: r for r in package["resources"]}
    assert [f["name"] for f in res["items"]["schema"]["fields"]] == list(csv.columns)
    assert res["items"]["encoding"] == "utf-8-sig" and res["items"]["path"] == "items.csv"
    status = next(f for f in res["items"]["schema"]["fields"] if f["name"] == "status")
    assert status["constraints"]["enum"] == ["ok", "flagged", "corrected"]
    assert not list(out.glob(".*.tmp"))  # no temporary left behind


def test_schema_check_refuses_a_bad_frame_and_keeps_the_previous_export(db, tmp_path):
    out = tmp_path / "out"
    export_dataset(db, out)
    before = (out / "items.parquet").read_bytes()
    items, docs = load_items(db), load_documents(db)
    bad = items.copy()
    bad.loc[0, "status"] = "maybe"
    bad.loc[1, "flags"] = ""
    bad.loc[1, "status"] = "flagged"  # flagged without a reason: doubt must be explained
    with pytest.raises(DatasetContractError) as err:
        write_tables(out, bad, docs)
    assert "status" in str(err.value) and "isin" in str(err.value)
    assert "flags is non-empty" in str(err.value)
    assert (out / "items.parquet").read_bytes() == before


def test_schema_check_refuses_missing_columns_and_wrong_types(db):
    items, docs = load_items(db), load_documents(db)
    with pytest.raises(DatasetContractError, match="plan_value"):
        validate(items.drop(columns="plan_value"), docs)
    wrong = items.copy()
    wrong["year"] = wrong["year"].astype(str)
    with pytest.raises(DatasetContractError, match="year"):
        validate(wrong, docs)


def test_a_clerks_correction_survives_a_reimport_and_reaches_the_export(db, tmp_path, fp):
    items = load_items(db)
    row = items[items.status == "flagged"].iloc[0]
    corrections.record(db, row.row_key, "plan_value", row.plan_value, 25, who="Dilnoza", why="stacked value split")
    run_import([tmp_path / "in"], db=db, parse=fp.fake_parse, force=True)  # re-import: new rows, same keys
    out = tmp_path / "out"
    export_dataset(db, out)
    exported = pd.read_parquet(out / "items.parquet").set_index("row_key")
    assert exported.loc[row.row_key, "plan_value"] == 25
    assert exported.loc[row.row_key, "status"] == "corrected"
    assert exported.loc[row.row_key, "corrected_fields"] == "plan_value"
    assert load_items(db, corrections=False).set_index("row_key").loc[row.row_key, "plan_value"] == row.plan_value
