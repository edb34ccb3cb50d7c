"""One plan per district and year: the single rule every comparison, regional total and
completeness count uses to pick the document that speaks for a plan.

The store already keeps one current document per gazetteer place and year (`reja.identity`); two
current documents for one place and year remain only when files sent together were not told apart
(a DOCX and its scan). Then the one with the fewest flagged rows speaks for the plan; ties go to the
smallest document id, so the choice is the same on every run.

A document whose district the gazetteer could not identify is never merged with another on its
written name: it stands alone as a plan of its own (identity is never guessed).
"""

from __future__ import annotations

import pandas as pd


def plan_place(items: pd.DataFrame) -> pd.Series:
    """Per row: the gazetteer district id, or `doc:<document_id>` for a plan that stands alone."""
    ids = items["district_id"] if "district_id" in items.columns else pd.Series(pd.NA, index=items.index)
    return ids.astype("string").fillna("doc:" + items["document_id"].astype(str))


def choose_plans(items: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the rows of the chosen documents, one line per plan that had several documents:
    place, year, kept document and the dropped ones) — the second frame tells the analyst why."""
    choices = pd.DataFrame(columns=["place", "year", "kept", "dropped"])
    if items.empty:
        return items, choices
    flagged_share = (items["status"] == "flagged").groupby(items["document_id"]).mean()
    docs = pd.DataFrame({"place": plan_place(items), "year": items["year"],
                         "document_id": items["document_id"]}).drop_duplicates()
    docs["flagged"] = docs["document_id"].map(flagged_share)
    docs["order"] = docs["document_id"].astype(str)
    docs = docs.sort_values(["flagged", "order"], kind="stable")
    groups = docs.groupby(["place", "year"], dropna=False, sort=False)["document_id"].agg(list)
    keep = {ids[0] for ids in groups}
    several = [(place, year, ids[0], ids[1:]) for (place, year), ids in groups.items() if len(ids) > 1]
    if several:
        choices = pd.DataFrame(several, columns=["place", "year", "kept", "dropped"])
    return items[items["document_id"].isin(keep)], choices


def one_plan_per_district_year(items: pd.DataFrame) -> pd.DataFrame:
    """The rows of the documents that speak for their plans (`choose_plans` without the reasons)."""
    return choose_plans(items)[0]
