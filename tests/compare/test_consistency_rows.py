"""Consistency findings on a hand-written plan: each finding names exactly the rows behind it."""

import pandas as pd
from reja.schema.dataset import ITEM_FIELDS, coerce

from reja.compare.consistency import findings


def _row(item_no, parent, plan, fact=None, page=2):
    return dict(document_id="d1", source_file="jondor.docx", page=page, region_id="1706", district_id="1706246",
                year=2025, section_no="II", item_no=item_no, parent_item_no=parent, text=f"t {item_no}",
                indicator_id="acq_total" if parent is None else None, unit_id="copy", plan_value=plan,
                fact_value=fact, status="ok", flags="", row_key=f"k{item_no}")


def test_a_total_that_is_not_its_parts_names_the_total_and_each_part():
    rows = [_row("9", None, 1000.0), _row("9.1", "9", 400.0), _row("9.2", "9", 500.0, page=3),
            _row("10", None, 50.0, fact=200.0), _row("10.1", "10", 20.0), _row("10.2", "10", 30.0)]
    found = findings(coerce(pd.DataFrame(rows), ITEM_FIELDS))
    sub = found[found["check"] == "subitems_vs_total"]
    assert len(sub) == 1  # item 10's parts add up; item 9's do not (900 ≠ 1000)
    hit = sub.iloc[0]
    assert hit["row_keys"] == ["k9", "k9.1", "k9.2"]
    assert hit["sources"] == "jondor.docx p.2 item 9; jondor.docx p.2 item 9.1; jondor.docx p.3 item 9.2"
    assert (hit["value"], hit["expected"]) == (900.0, 1000.0)
    below = found[found["check"] == "plan_below_fact"]
    assert below["row_keys"].tolist() == [["k10"]] and bool(below.iloc[0]["flag"])  # 50 is 25% of 200


def test_flags_follow_the_values_through_the_kept_findings():
    # the findings of the last items are kept between loads: a changed value or language must not get stale ones
    from reja.compare.consistency import with_consistency_flags
    from reja.i18n import use_language

    rows = [_row("9", None, 1000.0), _row("9.1", "9", 400.0), _row("9.2", "9", 500.0)]
    items = coerce(pd.DataFrame(rows), ITEM_FIELDS)
    first = with_consistency_flags(items)
    assert first.loc[first["row_key"] == "k9", "status"].item() == "flagged"
    accepted = items.assign(status=["corrected", "ok", "ok"])  # review state only: same finding, kept status
    again = with_consistency_flags(accepted)
    assert again.loc[again["row_key"] == "k9", "status"].item() == "corrected"
    assert "consistency_subtotal" in again.loc[again["row_key"] == "k9", "flags"].item()
    fixed = items.assign(plan_value=[900.0, 400.0, 500.0])  # the total corrected to its parts' sum
    assert (with_consistency_flags(fixed)["status"] == "ok").all()
    with use_language("ru"):
        russian = with_consistency_flags(items)
    assert russian.loc[russian["row_key"] == "k9", "flags"].item() != first.loc[first["row_key"] == "k9", "flags"].item()


def test_whole_counts_must_add_up_exactly_and_only_fractions_may_be_rounded():
    # 1 929 copies against parts adding up to 1 922: 7 off is under 0.5% but a count has nothing to round
    counts = [_row("4", None, 1929.0), _row("4.1", "4", 288.0), _row("4.2", "4", 1256.0), _row("4.3", "4", 378.0)]
    # thousands written with one decimal (12,5 ming = 4,2 + 8,3 + rounding): within the tolerance
    rounded = [_row("5", None, 12.5), _row("5.1", "5", 4.2), _row("5.2", "5", 8.33)]
    found = findings(coerce(pd.DataFrame(counts + rounded), ITEM_FIELDS))
    sub = found[found["check"] == "subitems_vs_total"]
    assert sub["row_keys"].tolist() == [["k4", "k4.1", "k4.2", "k4.3"]]
    assert (sub.iloc[0]["value"], sub.iloc[0]["expected"]) == (1922.0, 1929.0)
