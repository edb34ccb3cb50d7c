"""Review findings on corrections: the table is append-only, so a value that cannot be applied
must be refused when it is recorded; once stored it would make every load of the dataset (import
summary, export, compare, the review page) fail until someone found and undid it."""

import pandas as pd
import pytest

from reja import corrections as c


@pytest.mark.parametrize(("field", "value"), [("fact_value", "ten"), ("plan_year", "twenty"),
                                              ("fact_year", "2025.5")])
def test_a_value_the_dataset_cannot_hold_is_refused_when_recorded(items, tmp_path, field, value):
    db = tmp_path / "store.sqlite"
    with pytest.raises(ValueError, match=field):
        c.record(db, "k-12", field, None, value, who="Dilnoza")
    with pytest.raises(ValueError, match=field):
        c.record_many(db, [dict(row_key="k-12", field=field, before=None, after=value)], who="Dilnoza", via="api")
    assert c.all_corrections(db) == []
    out, _ = c.apply_corrections(items, db)  # the dataset still loads
    assert len(out) == len(items)


def test_numbers_and_years_in_any_usual_form_are_still_accepted(items, tmp_path):
    items = items.assign(plan_year=pd.Series([2025, 2025, 2025], dtype="Int64"))
    db = tmp_path / "store.sqlite"
    c.record(db, "k-12", "fact_value", None, 134, who="Dilnoza")
    c.record(db, "k-12", "plan_value", None, "1500.5", who="Dilnoza")
    c.record(db, "k-12", "plan_year", 2025, 2025.0, who="Dilnoza")  # before: the row's own value
    c.record(db, "k-30", "fact_value", 7.0, None, who="Dilnoza")  # clearing a value
    out, report = c.apply_corrections(items, db)
    row = out.set_index("row_key").loc["k-12"]
    assert (row["fact_value"], row["plan_value"], row["plan_year"]) == (134.0, 1500.5, 2025)
    assert report.applied == 4


def test_undo_of_a_value_that_was_missing_brings_back_missing_not_the_text_NA(items, tmp_path):
    """The review page passes the row's own value as `before`; a missing string or Int64 cell is
    pd.NA there, which was stored as the text '<NA>' and came back on undo as that text (or, for
    a number, broke every later load)."""
    db = tmp_path / "store.sqlite"
    items = items.astype({"deadline": "string", "fact_value": "float64"})
    items.loc[items["row_key"] == "k-12", "deadline"] = pd.NA
    row = items.set_index("row_key").loc["k-12"]
    assert row["deadline"] is pd.NA
    first = c.record(db, "k-12", "deadline", row["deadline"], "2025-yil iyun", who="Dilnoza")
    second = c.record(db, "k-12", "fact_value", pd.NA, 134, who="Dilnoza")
    saved = {s.id: s for s in c.all_corrections(db)}
    assert saved[first].value_before is None and saved[second].value_before is None
    c.undo(db, first, who="Dilnoza")
    c.undo(db, second, who="Dilnoza")
    out, _ = c.apply_corrections(items, db)
    row = out.set_index("row_key").loc["k-12"]
    assert pd.isna(row["deadline"]) and pd.isna(row["fact_value"])
