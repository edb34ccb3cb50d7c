"""The store on a PostgreSQL server (issue 23), on a throwaway cluster (`pg_url`, tests/conftest.py):
the same import gives the same dataset as SQLite, corrections are append-only in the database
itself, imports running at once lose nothing, and the commands take a postgresql:// URL."""

import json
import shutil
import threading
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from reja.api import load_documents, load_items
from reja.batch import run_import
from reja.export import export_dataset
from reja.store import Store, StoreError

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
# document columns that say when and in which run a file was imported, not what it holds
RUN_COLUMNS = ["imported_at", "run_id", "duration_s"]


def _expected_items(name: str) -> int:
    return len(json.loads((SAMPLES / "expected" / f"{name}.json").read_text(encoding="utf-8"))["items"])


def test_the_same_import_gives_identical_exports_in_sqlite_and_postgres(tmp_path, pg_url):
    folder = tmp_path / "plans"
    folder.mkdir()
    for name in ("izboskan_2025.docx", "jondor_2021.docx"):
        shutil.copy(SAMPLES / name, folder / name)
    shutil.copy(SAMPLES / "izboskan_2025.docx", folder / "izboskan_2025_resent.docx")  # a second file of one plan
    (folder / "broken.docx").write_bytes(b"not a document at all")
    lite = tmp_path / "reja.sqlite"
    reports = [run_import([folder], db=db, log_dir=tmp_path / "logs") for db in (lite, pg_url)]
    assert [[(f.source_file, f.status) for f in r.files] for r in reports][0] == \
        [[(f.source_file, f.status) for f in r.files] for r in reports][1]
    assert reports[1].exit_code == reports[0].exit_code == 4  # the broken file failed in both

    items = [load_items(db) for db in (lite, pg_url)]
    pd.testing.assert_frame_equal(items[0], items[1])
    # the rows are the plans' own (samples/expected), the re-sent copy superseded: not an empty equality
    assert len(items[1]) == _expected_items("izboskan_2025") + _expected_items("jondor_2021")
    assert len(load_items(pg_url, include_superseded=True)) == len(items[1]) + _expected_items("izboskan_2025")
    docs = [load_documents(db).drop(columns=RUN_COLUMNS) for db in (lite, pg_url)]
    pd.testing.assert_frame_equal(docs[0], docs[1])
    assert sorted(docs[1]["status"]) == ["failed", "partial", "partial", "partial"]

    written = [export_dataset(db, tmp_path / f"out{i}") for i, db in enumerate((lite, pg_url))]
    for name in ("items.csv",):
        assert written[0][name].read_bytes() == written[1][name].read_bytes()
    parquet = [pd.read_parquet(w["items.parquet"]) for w in written]
    pd.testing.assert_frame_equal(parquet[0], parquet[1])


def test_corrections_are_append_only_in_postgres_itself(pg_url):
    from reja import corrections as corr

    first = corr.record(pg_url, "k-12", "plan_value", "10", "12", who="Dilnoza", why="typo")
    corr.undo(pg_url, first, who="Dilnoza")
    with psycopg.connect(pg_url, autocommit=True) as con:
        for sql in ("UPDATE corrections SET value_after = '99'", "DELETE FROM corrections",
                    "TRUNCATE corrections"):
            with pytest.raises(psycopg.Error, match="append-only"):
                con.execute(sql)
    history = corr.history(pg_url, "k-12")
    assert [(c.value_before, c.value_after, c.reverts) for c in history] == [("10", "12", None), ("12", "10", first)]


def test_imports_at_once_into_one_postgres_store_lose_nothing(tmp_path, pg_url, fp, no_enrichment, pinned_versions):
    """Two importers write into one server at once: every file stored whole, and of the files of one
    plan exactly one is current (the writes are serial: supersession sees every earlier write)."""
    districts = ["Oltinko'l", "Baliqchi", "Buloqboshi", "Jalaquduq", "Asaka", "Paxtaobod", "Shahrixon", "Xo'jaobod"]
    batches = []
    for b in range(2):
        folder = tmp_path / f"batch{b}"
        for i in range(4):  # plans of districts of their own …
            fp.write(folder / f"d{b}_{i}.docx", fp.spec(district=f"{districts[4 * b + i]} tumani", n=3 + i, sleep=0.05))
        # … and the same plan (Izboskan 2025) in both batches
        fp.write(folder / "izboskan.docx", fp.spec(n=5, sleep=0.05))
        batches.append(folder)
    reports = [None, None]

    def importer(k):
        reports[k] = run_import([batches[k]], db=pg_url, log_dir=tmp_path / f"log{k}", parse=fp.fake_parse, jobs=2)

    threads = [threading.Thread(target=importer, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert all(r is not None for r in reports)
    assert [(f.source_file, f.status, f.reason) for r in reports for f in r.files if f.status != "ok"] == []
    docs = load_documents(pg_url)
    assert len(docs) == 10 and set(docs["status"]) == {"ok"}
    with Store(pg_url, readonly=True) as store:
        stored = store.count_items()
    assert sorted(stored.values()) == sorted([3, 4, 5, 6] * 2 + [5, 5])
    izboskan = docs[docs["source_file"].str.endswith("izboskan.docx")]
    assert len(izboskan) == 2 and izboskan["superseded_by"].isna().sum() == 1


def test_commands_take_a_postgresql_url(tmp_path, pg_url, fp, runner, no_enrichment, pinned_versions):
    from reja.cli import app

    fp.write(tmp_path / "plans" / "a.docx", fp.spec(n=4, flagged=(2,)))
    result = runner.invoke(app, ["import", str(tmp_path / "plans"), "--db", pg_url, "--out", str(tmp_path / "out")])
    assert result.exit_code == 3, result.output
    assert (tmp_path / "out" / "items.parquet").is_file()
    assert f"--db {pg_url}" in result.output  # the next command names the same store
    result = runner.invoke(app, ["export", "--db", pg_url, "--out", str(tmp_path / "again")])
    assert result.exit_code == 0, result.output
    assert len(pd.read_parquet(tmp_path / "again" / "items.parquet")) == 4
    result = runner.invoke(app, ["review", "export", str(tmp_path / "review.xlsx"), "--db", pg_url])
    assert result.exit_code == 0, result.output


def test_an_unreachable_server_is_a_clear_store_error(pg_cluster):
    url = pg_cluster.url("no_such_database")
    with pytest.raises(StoreError, match="cannot open the store"):
        Store(url)
    secret = url.replace("postgres@", "postgres:hunter2@")
    with pytest.raises(StoreError) as caught:
        Store(secret)
    assert "hunter2" not in str(caught.value)


def test_a_database_of_another_program_is_left_untouched(pg_url):
    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute("CREATE TABLE invoices (id int)")
    with pytest.raises(StoreError, match="another program's database"):
        Store(pg_url)
    with psycopg.connect(pg_url, autocommit=True) as con:
        tables = {r[0] for r in con.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert tables == {"invoices"}


def test_accounts_made_before_the_first_import_are_reja_s_own(pg_url, tmp_path, fp, no_enrichment, pinned_versions):
    """docs/deploy.md: on a new server the clerks' accounts may come before the first import."""
    from reja.review.accounts import add_user, users

    add_user(pg_url, "Dilnoza", "kitob-2025")
    fp.write(tmp_path / "plans" / "a.docx", fp.spec(n=2))
    report = run_import([tmp_path / "plans"], db=pg_url, log_dir=tmp_path, parse=fp.fake_parse)
    assert [f.status for f in report.files] == ["ok"]
    assert users(pg_url) == ["Dilnoza"]
