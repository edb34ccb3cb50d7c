"""Streamed exports (issue 22): the store is written piece by piece, and a table longer than an Excel
sheet continues on further sheets instead of losing rows."""

import openpyxl
import pandas as pd
import pytest

from reja.api import load_documents, load_items
from reja.batch import run_import
from reja.export import DatasetContractError, _write_xlsx, export_dataset, write_tables

pytestmark = pytest.mark.usefixtures("no_enrichment")


@pytest.fixture
def db(tmp_path, fp):
    fp.write(tmp_path / "in" / "izboskan.docx", fp.spec(n=3, flagged=(2,)))
    fp.write(tmp_path / "in" / "jondor.docx", fp.spec(district="Jondor tumani", region="Buxoro viloyati", year=2021, n=4))
    fp.write(tmp_path / "in" / "paxtaobod.docx", fp.spec(district="Paxtaobod tumani", region="Andijon viloyati", n=2))
    db = tmp_path / "reja.sqlite"
    run_import([tmp_path / "in"], db=db, parse=fp.fake_parse)
    return db


def test_a_store_exported_in_pieces_gives_the_same_files_as_in_one_piece(db, tmp_path, monkeypatch):
    import reja.corrected

    items, documents = load_items(db), load_documents(db)
    assert len(items) == 9
    whole = write_tables(tmp_path / "whole", items, documents)
    monkeypatch.setattr(reja.corrected, "CHUNK_ROWS", 2)  # every document a piece of its own
    pieces = export_dataset(db, tmp_path / "pieces")
    pd.testing.assert_frame_equal(pd.read_parquet(pieces["items.parquet"]), pd.read_parquet(whole["items.parquet"]))
    for name in ("items.csv", "documents.csv", "documents.parquet"):
        assert pieces[name].read_bytes() == whole[name].read_bytes(), name
    import pyarrow.parquet as pq

    assert pq.ParquetFile(pieces["items.parquet"]).num_row_groups == 3  # one per document: streamed


def _rows(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_rows_beyond_a_sheet_go_on_to_further_sheets_each_with_the_header(db, tmp_path):
    items, documents = load_items(db), load_documents(db)
    path = tmp_path / "reja.xlsx"
    # a sheet of 4 rows: the header and 3 items; 9 items → 3 sheets of 3
    n = _write_xlsx(path, [items.iloc[:5], items.iloc[5:]], documents, max_rows=4)
    assert n == 3
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb.sheetnames == ["items", "items 2", "items 3", "documents", "flags"]
    seen = []
    for name in ("items", "items 2", "items 3"):
        rows = _rows(wb[name])
        assert rows[0] == list(items.columns)
        assert len(rows) == 4
        seen += [r[list(items.columns).index("row_key")] for r in rows[1:]]
    assert seen == items["row_key"].tolist()  # every row, in order, none twice


@pytest.mark.parametrize("split", [False, True], ids=["one process", "csv and workbook in a second process"])
def test_a_piece_that_breaks_the_contract_leaves_the_previous_export(db, tmp_path, split):
    items, documents = load_items(db), load_documents(db)
    out = tmp_path / "out"
    write_tables(out, items, documents)
    before = (out / "items.csv").read_bytes()
    bad = items.iloc[3:].copy()
    bad["status"] = "maybe"
    with pytest.raises(DatasetContractError):
        write_tables(out, iter([items.iloc[:3], bad]), documents, split=split)
    assert (out / "items.csv").read_bytes() == before
    assert not list(out.glob(".reja-export-*"))


def test_a_big_export_written_by_two_processes_gives_the_same_files(db, tmp_path, monkeypatch):
    import zipfile

    import reja.corrected
    import reja.export

    one = export_dataset(db, tmp_path / "one")
    monkeypatch.setattr(reja.corrected, "CHUNK_ROWS", 2)  # several pieces through the pipe
    monkeypatch.setattr(reja.export, "SPLIT_MIN_ROWS", 1)  # this store is "big"
    spawned = []
    real = reja.export._write_split
    monkeypatch.setattr(reja.export, "_write_split", lambda *a: spawned.append(1) or real(*a))
    two = export_dataset(db, tmp_path / "two")
    assert spawned
    pd.testing.assert_frame_equal(pd.read_parquet(two["items.parquet"]), pd.read_parquet(one["items.parquet"]))
    for name in ("items.csv", "documents.csv", "documents.parquet", "datapackage.json"):
        assert two[name].read_bytes() == one[name].read_bytes(), name
    with zipfile.ZipFile(one["reja.xlsx"]) as a, zipfile.ZipFile(two["reja.xlsx"]) as b:
        sheets = [n for n in a.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and [a.read(n) for n in sheets] == [b.read(n) for n in sheets]


def test_an_error_in_the_second_process_is_raised_here(db, tmp_path):
    from reja.export import _write_split

    items, documents = load_items(db), load_documents(db)
    staging = tmp_path / "staging"
    (staging / "items.csv").mkdir(parents=True)  # the second process cannot open its CSV file
    sent = []

    def pieces():
        for piece in (items.iloc[:3], items.iloc[3:]):
            sent.append(len(piece))
            yield piece

    with pytest.raises(IsADirectoryError):
        _write_split(staging, pieces(), documents)
    assert not (staging / "reja.xlsx").exists()
