"""Issue 14 on the clerk's side: a sorted workbook, a stale workbook, 'ha'/'да' to accept, edits
outside the yellow cells, and undo of one's own change only. Rows come from the `items` fixture
(written by hand); every expectation follows from the edit the test makes."""

import pytest
from openpyxl import load_workbook

from reja import corrections as c
from reja.review.excel import apply_workbook, export_workbook


def _current(items, db):
    """What `reja review apply` compares with: the store's rows with corrections applied."""
    return c.apply_corrections(items, db)[0]


def _edit(path, changes):
    """changes: [(excel row, column, value)]"""
    wb = load_workbook(path)
    ws = wb["Review"]
    headers = [cell.value for cell in ws[1]]
    for row, column, value in changes:
        ws.cell(row=row, column=headers.index(column) + 1).value = value
    wb.save(path)


def _sort_visible_columns(path, *, with_key: bool):
    """Swap rows 2 and 3 in every column but the hidden key (what selecting B:… and sorting does),
    or in every column (a whole-sheet sort)."""
    wb = load_workbook(path)
    ws = wb["Review"]
    for col in range(1 if with_key else 2, ws.max_column + 1):
        a, b = ws.cell(row=2, column=col), ws.cell(row=3, column=col)
        a.value, b.value = b.value, a.value
    wb.save(path)


def test_a_sheet_sorted_without_its_hidden_key_is_refused_whole(items, tmp_path):
    path, db = tmp_path / "review.xlsx", tmp_path / "store.sqlite"
    assert export_workbook(items, path) == 2  # k-12 (item 12) and k-30 (item 30)
    _edit(path, [(2, "plan_value", 134)])  # meant for item 12
    _sort_visible_columns(path, with_key=False)  # item 30's text now stands beside k-12's key
    with pytest.raises(ValueError, match="no longer match their hidden row keys"):
        apply_workbook(path, _current(items, db), db, who="Dilnoza")
    assert c.all_corrections(db) == []  # nothing saved


def test_a_sheet_sorted_as_a_whole_is_read_by_its_keys(items, tmp_path):
    path, db = tmp_path / "review.xlsx", tmp_path / "store.sqlite"
    export_workbook(items, path)
    _edit(path, [(2, "plan_value", 134)])  # item 12
    _sort_visible_columns(path, with_key=True)
    result = apply_workbook(path, _current(items, db), db, who="Dilnoza")
    assert result.rejected == [] and result.applied == 1
    assert [(s.row_key, s.field, s.value_after) for s in c.all_corrections(db)] == [("k-12", "plan_value", "134")]


def test_a_workbook_older_than_a_correction_of_the_same_field_does_not_override_it(items, tmp_path):
    path, db = tmp_path / "review.xlsx", tmp_path / "store.sqlite"
    export_workbook(items, path)
    row = _current(items, db).set_index("row_key").loc["k-12"]
    c.record(db, "k-12", "plan_value", row["plan_value"], 20, who="Bobur", via="web", context=c.row_context(row))
    _edit(path, [(2, "plan_value", 30), (2, "fact_value", 134)])  # the old workbook, edited later
    result = apply_workbook(path, _current(items, db), db, who="Dilnoza")
    assert [r.field for r in result.rejected] == ["plan_value"]
    assert "changed after this workbook was exported" in result.rejected[0].reason
    assert "Bobur" in result.rejected[0].reason
    out = _current(items, db).set_index("row_key").loc["k-12"]
    assert out["plan_value"] == 20 and out["fact_value"] == 134  # the newer fix stands; the other cell saved


@pytest.mark.parametrize("word", ["yes", "Ha", "да", "+", "ok"])
def test_accept_in_the_clerks_languages(items, tmp_path, word):
    path, db = tmp_path / "review.xlsx", tmp_path / "store.sqlite"
    export_workbook(items, path)
    _edit(path, [(2, "accept", word)])
    result = apply_workbook(path, _current(items, db), db, who="Dilnoza")
    assert result.rejected == [] and result.applied == 1
    assert _current(items, db).set_index("row_key").loc["k-12", "status"] == "corrected"


def test_a_word_that_is_neither_yes_nor_no_is_refused_and_no_is_nothing(items, tmp_path):
    path, db = tmp_path / "review.xlsx", tmp_path / "store.sqlite"
    export_workbook(items, path)
    _edit(path, [(2, "accept", "balki"), (3, "accept", "yo'q")])
    result = apply_workbook(path, _current(items, db), db, who="Dilnoza")
    assert [(r.field, r.value) for r in result.rejected] == [("accept", "balki")]
    assert result.applied == 0 and c.all_corrections(db) == []


def test_edits_outside_the_yellow_cells_are_listed_as_ignored(items, tmp_path):
    path, db = tmp_path / "review.xlsx", tmp_path / "store.sqlite"
    export_workbook(items, path)
    _edit(path, [(2, "text", "Bibliografik yozuvlar (tuzatildi)"), (2, "plan_value", 50)])
    result = apply_workbook(path, _current(items, db), db, who="Dilnoza")
    assert len(result.ignored) == 1 and "text" in result.ignored[0] and "row 2" in result.ignored[0]
    assert [(s.field, s.value_after) for s in c.all_corrections(db)] == [("plan_value", "50")]


def test_a_held_back_correction_is_settled_by_accepting_the_row(items, tmp_path):
    db = tmp_path / "store.sqlite"
    row = items.set_index("row_key").loc["k-30"]
    c.record(db, "k-30", "plan_value", row["plan_value"], 12, who="Dilnoza", context=c.row_context(row))
    resent = items.copy()
    resent.loc[resent["row_key"] == "k-30", "plan_value"] = 11.0  # the district re-sent 11 for 10
    current = _current(resent, db)
    assert "correction_conflict" in current.set_index("row_key").loc["k-30", "flags"]
    path = tmp_path / "review.xlsx"
    export_workbook(current, path)
    keys = [r[0].value for r in load_workbook(path)["Review"].iter_rows(min_row=2)]
    _edit(path, [(keys.index("k-30") + 2, "accept", "ha")])
    apply_workbook(path, current, db, who="Dilnoza")
    after = _current(resent, db).set_index("row_key").loc["k-30"]
    assert after["plan_value"] == 11 and "correction_conflict" not in after["flags"]
    assert after["status"] == "corrected"  # accepted by a person


def test_on_the_review_page_undo_leaves_another_clerks_change_alone(tmp_path, monkeypatch):
    import re

    from fastapi.testclient import TestClient
    from reja.extract.model import ParsedPlan, PlanItem, PlanMeta

    from reja.api import load_items
    from reja.review.web import ReviewSettings, create_app

    from .conftest import store_of_one_plan

    def parse(path):
        item = PlanItem(item_no="1", text="Kitobxonlar bilan uchrashuv", unit="marta", plan_value=10.0,
                        section_no="I", section_title="TASHKILIY ISHLAR", flags=["stacked_values: 134 4010"])
        meta = PlanMeta(region="Andijon viloyati", district="Izboskan tumani", year=2025)
        return ParsedPlan(source=str(path), format="docx", meta=meta, items=[item])

    db = store_of_one_plan(tmp_path, monkeypatch, parse)
    key = load_items(db).iloc[0]["row_key"]
    dilnoza = TestClient(create_app(ReviewSettings(db=db, clerk="Dilnoza")), base_url="http://127.0.0.1")

    def csrf(client):
        return re.search(r'name="csrf" content="([0-9a-f]+)"', client.get(f"/row/{key}").text).group(1)

    assert dilnoza.post(f"/row/{key}/accept", data={"csrf": csrf(dilnoza)}, follow_redirects=False).status_code == 303
    row = load_items(db).iloc[0]
    # Bobur, on his own page at the same time, corrects the plan value after her acceptance
    c.record(db, key, "plan_value", row["plan_value"], 12, who="Bobur", via="web", context=c.row_context(row))
    dilnoza.post(f"/row/{key}/undo", data={"csrf": csrf(dilnoza)}, follow_redirects=False)
    in_force = c.effective(c.all_corrections(db))
    assert set(in_force) == {(key, "plan_value")} and in_force[(key, "plan_value")].who == "Bobur"
    assert load_items(db).iloc[0]["plan_value"] == 12


def test_accepting_a_held_back_row_on_the_page_keeps_the_plans_value_and_undo_restores_the_conflict(items, tmp_path):
    from reja.review import bulk

    db = tmp_path / "store.sqlite"
    row = items.set_index("row_key").loc["k-30"]
    c.record(db, "k-30", "plan_value", row["plan_value"], 12, who="Dilnoza", context=c.row_context(row))
    resent = items.copy()
    resent.loc[resent["row_key"] == "k-30", "plan_value"] = 11.0
    shown = _current(resent, db).set_index("row_key").loc["k-30"]
    assert "correction_conflict" in shown["flags"] and shown["plan_value"] == 11
    # what the review page's accept button records
    c.record(db, "k-30", c.ACCEPT_FIELD, None, "yes", who="Bobur", via="web", context=c.row_context(shown))
    after = _current(resent, db).set_index("row_key").loc["k-30"]
    assert after["plan_value"] == 11 and "correction_conflict" not in after["flags"] and after["status"] == "corrected"
    assert len(bulk.undo_last_action(db, "Bobur")) == 2  # the acceptance and what it settled, as one action
    again = _current(resent, db).set_index("row_key").loc["k-30"]
    assert "correction_conflict" in again["flags"]
