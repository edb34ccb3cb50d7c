"""Numbers a clerk can type that are not plain digits (issue 24, cases 5 and 11).

"18¹" (a footnote mark) passed `str.isdigit()` and made `float()` raise: one such cell made a whole
48-item plan internal_error. A 400-digit number was stored and exported as `inf`. The grammar now
knows footnote marks (the number is read, the mark is kept in the raw cell, the row is flagged) and
refuses what is not a finite number (the cell is text, flagged).
"""

from __future__ import annotations

import math

import pytest
from reja.extract.plan import parse_plan
from reja.normalize.numbers import parse_number

from tests.extract.plan_fixtures import IZB_HEADER, doc, izb_row, izb_section, table


@pytest.mark.parametrize("raw, value, mark", [
    ("18¹", 18.0, "¹"), ("1 750²", 1750.0, "²"), ("12*", 12.0, "*"), ("3†", 3.0, "†"),
    ("1,5³", 1.5, "³"), ("250¹²", 250.0, "¹²"),
])  # fmt: skip
def test_a_footnote_mark_after_a_number_is_read_as_the_number_and_named(raw, value, mark):
    p = parse_number(raw)
    assert (p.kind, p.value, p.sure) == ("number", value, False)
    assert repr(mark) in p.note and "footnote" in p.note


@pytest.mark.parametrize("raw", ["²", "¹²", "*", "Ⅻ", "①", "½"])
def test_marks_and_numeral_signs_alone_are_text_never_an_exception(raw):
    p = parse_number(raw)
    assert p.kind == "text" and p.value is None and not p.sure


@pytest.mark.parametrize("raw", ["9" * 400, "1" + "0" * 309, "1 " + " ".join(["000"] * 110), "9" * 400 + ",5",
                                 "1.000" * 80])
def test_a_number_too_large_for_a_float_is_text_not_inf(raw):
    p = parse_number(raw)
    assert p.value is None and p.kind == "text" and not p.sure
    assert all(math.isfinite(v) for v in p.values)


def test_the_largest_plain_numbers_still_read():
    assert parse_number("9" * 300).value == float("9" * 300)
    assert parse_number("1 234 567").value == 1234567.0


def test_a_plan_with_a_footnote_mark_and_a_huge_number_imports_with_both_rows_flagged():
    rows = [izb_row("1.", "Kitobxonlar bilan uchrashuv", fact="18¹", plan="20"),
            izb_row("2.", "Kitob ko‘rgazmasi", fact="4", plan="9" * 400),
            izb_row("3.", "Davra suhbati", fact="2", plan="3")]
    plan = parse_plan(doc(table([*IZB_HEADER, izb_section("IV. ASOSIY FAOLIYAT"), *rows])))
    one, two, three = plan.items
    assert (one.fact_raw, one.fact_value) == ("18¹", 18.0)  # the mark stays in the raw cell
    assert any(f.startswith("unsure_number") and "¹" in f for f in one.flags)
    assert two.plan_raw == "9" * 400 and two.plan_value is None
    assert any(f.startswith("unparsable_number") for f in two.flags)
    assert (three.fact_value, three.plan_value) == (2.0, 3.0) and not any("number" in f for f in three.flags)


@pytest.mark.parametrize("after", ["inf", "-inf", "nan", "1e400", "9" * 400])
def test_a_correction_to_a_number_that_is_not_finite_is_refused(tmp_path, after):
    from reja.corrections import all_corrections, record

    with pytest.raises(ValueError, match="not a finite number"):
        record(tmp_path / "reja.sqlite", "somekey", "plan_value", "10", after, who="Dilnoza")
    assert all_corrections(tmp_path / "reja.sqlite") == []
