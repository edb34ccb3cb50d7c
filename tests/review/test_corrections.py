import sqlite3
import threading

import pytest

from reja import corrections as c


def test_correction_applies_and_marks_row_corrected(items, tmp_path):
    db = tmp_path / "store.sqlite"
    c.record(db, "k-12", "fact_value", None, 134, who="Dilnoza", why="records, not copies")
    out, report = c.apply_corrections(items, db)
    row = out.set_index("row_key").loc["k-12"]
    assert row["fact_value"] == 134.0
    assert row["status"] == "corrected"
    assert row["corrected_fields"] == "fact_value"
    assert out.set_index("row_key").loc["k-ok", "status"] == "ok"
    assert report.applied == 1 and report.orphans == []


def test_undo_restores_previous_value_and_keeps_history(items, tmp_path):
    db = tmp_path / "store.sqlite"
    first = c.record(db, "k-30", "plan_value", 10, 12, who="A")
    second = c.record(db, "k-30", "plan_value", 12, 15, who="B")
    c.undo(db, second, who="B")
    out, _ = c.apply_corrections(items, db)
    assert out.set_index("row_key").loc["k-30", "plan_value"] == 12.0
    c.undo(db, first, who="A")
    out, _ = c.apply_corrections(items, db)
    assert out.set_index("row_key").loc["k-30", "plan_value"] == 10.0  # the extracted value again
    assert out.set_index("row_key").loc["k-30", "status"] == "flagged"
    assert len(c.history(db, "k-30")) == 4  # two edits, two undos: nothing erased
    with pytest.raises(ValueError, match="already undone"):
        c.undo(db, first, who="A")


def test_table_is_append_only(tmp_path):
    db = tmp_path / "store.sqlite"
    c.record(db, "k-12", "unit", "x", "y", who="A")
    con = sqlite3.connect(db)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("DELETE FROM corrections")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("UPDATE corrections SET value_after = 'z'")


def test_correction_for_a_vanished_row_is_reported_not_dropped(items, tmp_path):
    db = tmp_path / "store.sqlite"
    c.record(db, "k-gone", "plan_value", 1, 2, who="A", context={"district": "Jondor", "year": 2021, "item_no": "4.5"})
    out, report = c.apply_corrections(items, db)
    assert [o.row_key for o in report.orphans] == ["k-gone"]
    assert "Jondor 2021 4.5" in report.describe_orphans()[0]
    assert len(c.all_corrections(db)) == 1


def test_two_clerks_at_once_lose_nothing(tmp_path):
    db = tmp_path / "store.sqlite"
    c.connect(db).close()

    def clerk(name):
        for i in range(25):
            c.record(db, f"k-{name}-{i}", "plan_value", None, i, who=name)

    threads = [threading.Thread(target=clerk, args=(n,)) for n in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    saved = c.all_corrections(db)
    assert len(saved) == 50
    assert {s.who for s in saved} == {"A", "B"}


def test_unknown_field_and_anonymous_edits_are_refused(tmp_path):
    with pytest.raises(ValueError, match="cannot be corrected"):
        c.record(tmp_path / "s.sqlite", "k", "document_id", "a", "b", who="A")
    with pytest.raises(ValueError, match="clerk's name"):
        c.record(tmp_path / "s.sqlite", "k", "plan_value", 1, 2, who=" ")
