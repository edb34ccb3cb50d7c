"""Issue 16: the typed row model from the parser to the store — one field per column of the contract,
checked when built."""

from __future__ import annotations

import json
from dataclasses import fields

import pytest
from reja.extract.model import ParsedPlan, PlanItem, PlanMeta
from reja.schema.dataset import ITEM_COLUMNS, ITEM_FIELDS

from reja.records import ItemRow, item_row, plan_rows


def test_the_model_has_the_contracts_columns_in_order():
    assert tuple(f.name for f in fields(ItemRow)) == ITEM_COLUMNS


@pytest.mark.parametrize(("column", "value"), [
    ("text", 5), ("fact_value", "1 750"), ("item_index", 1.5), ("page", True), ("flags", "no_section"),
    ("flags", ["ok", 3]),
])
def test_a_value_of_the_wrong_kind_is_refused_naming_its_column(column, value):
    row = ItemRow(document_id="d", text="t", item_index=0)
    row.check()
    setattr(row, column, value)
    with pytest.raises(TypeError, match=f"items.{column}"):
        row.check()


def test_a_parsed_item_becomes_a_checked_row_and_a_record():
    item = PlanItem(item_no="9.1", text="Kitob ko'rgazmasi", parent_item_no="9", fact_value=1750, plan_value=12.5,
                    fact_year=2024, plan_year=2025, page=3, table_index=1, row_index=4)
    item.flags.append("stitched_row")
    plan = ParsedPlan(source="a.pdf", format="pdf", meta=PlanMeta(year=2025, district="Izboskan tumani"), items=[item])
    row = item_row(plan, item, 0, document_id="d1", source_file="a.pdf")
    assert isinstance(row, ItemRow)
    assert (row.item_no, row.parent_item_no, row.fact_value, row.plan_value, row.page) == ("9.1", "9", 1750.0, 12.5, 3)
    assert row.flags == ["stitched_row"]
    [same] = plan_rows(plan, document_id="d1", source_file="a.pdf")
    assert same == row and isinstance(same, ItemRow)
    record = row.as_record()
    assert tuple(record) == ITEM_COLUMNS and record["flags"] == ["stitched_row"]
    assert record["flags"] is not row.flags  # the record's list is its own


def test_a_stored_parse_reads_back_as_the_same_checked_row():
    plan = ParsedPlan(source="a.pdf", format="pdf", meta=PlanMeta(year=2025), items=[
        PlanItem(item_no="1", text="Kitobxonlar klubi", fact_value=1750, plan_value=12.5, page=2,
                 bbox=(1.0, 2.0, 3.5, 4.25), flags=["stitched_row"])])
    [row] = plan_rows(plan, document_id="d1", source_file="a.pdf")
    back = ItemRow.from_record(json.loads(json.dumps(row.as_record())))  # as the store keeps it
    assert back == row and back.fact_value == 1750.0 and back.flags == ["stitched_row"]


@pytest.mark.parametrize(("change", "message"), [
    ({"page": "2"}, "items.page"),  # a value of the wrong kind, as a hand-edited store might hold
    ({"flags": "stitched_row"}, "items.flags"),  # flags joined: not the parse's list
    ({"colour": "red"}, "not a column of the contract: colour"),
])
def test_a_stored_row_that_breaks_the_contract_is_refused_when_loaded(change, message):
    record = ItemRow(document_id="d", text="t", item_index=0, page=2).as_record()
    with pytest.raises(TypeError, match=message):
        ItemRow.from_record({**record, **change})


def test_every_kind_of_the_contract_has_a_python_type():
    assert {f.kind for f in ITEM_FIELDS} <= {"string", "integer", "number"}
