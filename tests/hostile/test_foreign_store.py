"""Another program's SQLite file given as --db (issue 24, case 10): refused with exit 2, and left
exactly as it was: no reja table added, its journal mode not switched to WAL."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
from typer.testing import CliRunner

from reja.cli import app
from reja.store import Store, StoreError


def _foreign_db(path):
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT)")
    con.execute("CREATE TABLE meta (key TEXT, value TEXT)")  # a common name: ours has schema_version
    con.execute("INSERT INTO contacts (name) VALUES ('Dilnoza'), ('Sardor')")
    con.execute("INSERT INTO meta VALUES ('app', 'addressbook')")
    con.commit()
    con.close()
    return path


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_store_refuses_a_foreign_database_before_writing_anything(tmp_path):
    db = _foreign_db(tmp_path / "addressbook.sqlite")
    before = _digest(db)
    with pytest.raises(StoreError, match="another program's database"):
        Store(db)
    assert _digest(db) == before
    assert not (tmp_path / "addressbook.sqlite-wal").exists()
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")} == {"contacts", "meta"}


def test_import_into_a_foreign_database_exits_2_and_names_it(tmp_path):
    db = _foreign_db(tmp_path / "addressbook.sqlite")
    before = _digest(db)
    (tmp_path / "plan.docx").write_bytes(b"x")
    result = CliRunner().invoke(app, ["import", str(tmp_path / "plan.docx"), "--db", str(db)])
    assert result.exit_code == 2, result.output
    assert "addressbook.sqlite" in result.output
    assert _digest(db) == before


def test_a_new_file_an_empty_file_and_reja_stores_still_open(tmp_path):
    Store(tmp_path / "new.sqlite").close()
    (tmp_path / "empty.sqlite").write_bytes(b"")
    Store(tmp_path / "empty.sqlite").close()
    Store(tmp_path / "new.sqlite").close()  # our own store, opened again
    from reja.corrections import record

    record(tmp_path / "corrections_first.sqlite", "k", "plan_value", "1", "2", who="Dilnoza")
    Store(tmp_path / "corrections_first.sqlite").close()  # a clerk's corrections may come before the import
