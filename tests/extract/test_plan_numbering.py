"""Two numbering conventions for "N.M" (docs/conventions.md, Items → Sub-items; issue 21).

Each case is a spec: the sections of a plan, each row with its number as written and what the plan's
author meant — `None` for an item of the section, or the number of the item it is a part of. The IR
table is built from the spec and the parser must give back exactly the meaning the spec states.
- hierarchical: "2, 2.1, 2.2, 3" — 2.1 and 2.2 are parts of item 2;
- section-prefixed: section II numbers its items "2.1, 2.2, 2.3" — items of the section, even where an
  item "2" exists in it ("1, 2, 2.3, 4": the section's third item written with its prefix).
"""

from __future__ import annotations

import pytest
from reja.extract.plan import parse_plan

from tests.extract.plan_fixtures import IZB_HEADER, doc, izb_row, izb_section, table

SPECS = {
    "hierarchical, arabic section": [("2. ILMIY-METODIK FAOLIYAT", [
        ("1", None), ("2", None), ("2.1", "2"), ("2.2", "2"), ("3", None)])],
    "hierarchical, roman section": [("II. ILMIY-METODIK FAOLIYAT", [
        ("1", None), ("2", None), ("2.1", "2"), ("2.2", "2"), ("2.3", "2"), ("3", None)])],
    "hierarchical in section 1": [("I. FOND BILAN ISHLASH", [
        ("1", None), ("1.1", "1"), ("1.2", "1"), ("2", None)])],
    "hierarchical, parts of another item": [("III. OMMAVIY TADBIRLAR", [
        ("1", None), ("2", None), ("2.1", "2"), ("3", None), ("3.1", "3")])],
    "prefixed, arabic section": [("2. ILMIY-METODIK FAOLIYAT", [
        ("2.1", None), ("2.2", None), ("2.3", None)])],
    "prefixed, roman section": [("II. ILMIY-METODIK FAOLIYAT", [
        ("2.1", None), ("2.2", None), ("2.3", None), ("2.4", None)])],
    "prefixed where an item 2 exists": [("II. ILMIY-METODIK FAOLIYAT", [
        ("1", None), ("2", None), ("2.3", None), ("2.4", None), ("5", None)])],
    "prefix on some rows only": [("2. ILMIY-METODIK FAOLIYAT", [
        ("1", None), ("2", None), ("2.3", None), ("4", None)])],
    "prefixed items with numbered parts": [("2. ILMIY-METODIK FAOLIYAT", [
        ("2.1", None), ("2.2", None), ("2.2.1", "2.2"), ("2.2.2", "2.2"), ("2.3", None)])],
    # item 2 has parts 2.1, 2.2 and "2.3" could be a third part or the third item: the next number says
    "parts, then the third item": [("II. ILMIY-METODIK FAOLIYAT", [
        ("1", None), ("2", None), ("2.1", "2"), ("2.2", "2"), ("2.3", None), ("4", None)])],
    "parts, then items 3 and 4": [("2. ILMIY-METODIK FAOLIYAT", [
        ("1", None), ("2", None), ("2.1", "2"), ("2.2", "2"), ("2.3", None), ("2.4", None), ("5", None)])],
    "three parts, then item 3": [("II. ILMIY-METODIK FAOLIYAT", [
        ("1", None), ("2", None), ("2.1", "2"), ("2.2", "2"), ("2.3", "2"), ("3", None)])],
    "three parts at the section's end": [("II. ILMIY-METODIK FAOLIYAT", [
        ("1", None), ("2", None), ("2.1", "2"), ("2.2", "2"), ("2.3", "2")])],
    "one plan, both conventions": [
        ("I. FOND BILAN ISHLASH", [("1", None), ("2", None), ("2.1", "2"), ("2.2", "2"), ("3", None)]),
        ("II. ILMIY-METODIK FAOLIYAT", [("1", None), ("2", None), ("2.3", None), ("2.4", None)]),
    ],
}


def _plan(spec):
    rows = [*IZB_HEADER]
    for heading, items in spec:
        rows.append(izb_section(heading))
        rows += [izb_row(f"{no}.", f"Tadbir {no}") for no, _ in items]
    return parse_plan(doc(table(rows)))


@pytest.mark.parametrize("name", sorted(SPECS))
def test_number_prefix_means_what_the_section_numbering_says(name):
    spec = SPECS[name]
    plan = _plan(spec)
    want = [(heading.split(".")[0], no, parent) for heading, items in spec for no, parent in items]
    got = [(i.section_no, i.item_no, i.parent_item_no) for i in plan.items]
    assert got == want
