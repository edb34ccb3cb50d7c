"""Review findings on corrections: the table is append-only, so a value that cannot be applied
must be refused when it is recorded; once stored it would make every load of the dataset (import
summary, export, compare, the review page) fail until someone found and undid it."""

import pandas as pd
import pytest

from reja.review import corrections as c


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
    c.record(db, "k-12", "plan_year", None, 2025.0, who="Dilnoza")
    c.record(db, "k-30", "fact_value", 7.0, None, who="Dilnoza")  # clearing a value
    out, report = c.apply_corrections(items, db)
    row = out.set_index("row_key").loc["k-12"]
    assert (row["fact_value"], row["plan_value"], row["plan_year"]) == (134.0, 1500.5, 2025)
    assert report.applied == 4
