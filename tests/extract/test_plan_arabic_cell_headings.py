"""Section headings typed into the item columns with an Arabic number ("2. | FOND BILAN ISHLASH | | …"),
told from items without values by the whole table's numbering (docs/conventions.md, Sections).

Each case is a spec: rows of (number as written, text, is it a heading?); items get values, headings
none. The parser must find exactly the headings the spec names, and put each item under its heading."""

from __future__ import annotations

import pytest
from reja.extract.plan import parse_plan

from tests.extract.plan_fixtures import IZB_HEADER, doc, izb_row, table

H, IT, BARE = "heading", "item", "item without values"
SPECS = {
    "numbering starts again in each section": [
        ("1.", "KADRLAR MALAKASINI OSHIRISH", H), ("1.", "Seminar", IT), ("2.", "Trening", IT),
        ("2.", "FOND BILAN ISHLASH", H), ("1", "Muqovalash", IT), ("2", "Sanitariya kuni", IT), ("2.3", "Inventar", IT),
        ("3.", "Axborot texnologiyalari", H), ("1.", "Saytga joylash", IT)],
    "numbering runs on across sections": [
        ("1.", "ELEKTRON KUTUBXONA", H), ("1.", "Ma'lumotlar bazasi", IT), ("2.", "Resurslar", IT),
        ("2.", "Ommaviy axborot vositalari", H), ("3.", "Radio va televideniye", IT),
        ("3.", "ASOSIY FAOLIYAT", H), ("4.", "Kitobxonlar qatnovi", IT), ("4.1.", "Qayta ro'yxat", IT),
        ("5.", "Kitob berish", IT)],
    "items without values in order stay items": [
        ("1.", "Seminar", IT), ("2.", "Tashkiliy ishlar", BARE), ("3.", "Rejalashtirish", BARE), ("4.", "Trening", IT)],
    "one such row alone stays an item": [
        ("1.", "Seminar", IT), ("2.", "Tashkiliy ishlar", BARE), ("3.", "Trening", IT)],
}


def _rows(spec):
    out = []
    for no, text, kind in spec:
        if kind == IT:
            out.append(izb_row(no, text))
        else:
            out.append([no, text, "", "", "", "", "", ""])
    return out


@pytest.mark.parametrize("name", sorted(SPECS))
def test_arabic_headings_in_the_item_columns(name):
    spec = SPECS[name]
    plan = parse_plan(doc(table([*IZB_HEADER, *_rows(spec)])))
    want_sections = [(no.rstrip("."), text) for no, text, kind in spec if kind == H]
    assert [(s.number, s.title) for s in plan.sections] == want_sections
    want_items, section = [], None
    for no, text, kind in spec:
        if kind == H:
            section = no.rstrip(".")
        else:
            want_items.append((section, no.rstrip("."), text))
    assert [(i.section_no, i.item_no, i.text) for i in plan.items] == want_items
