"""The comparison as one self-contained HTML file: inline CSS and SVG charts, no scripts from
anywhere, so it opens offline and can be mailed as an attachment. Every figure links to the
source rows (file, page, item number) behind it."""

from __future__ import annotations

import functools
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from reja.files import atomic_path
from reja.i18n import _, get_language
from reja.schema.gazetteer import place_names

from . import charts
from .align import Comparison, indicator_labels, matrix_column_label


@functools.lru_cache(maxsize=65536)  # the same (plan, indicator) is linked from several tables, ~90k calls
def anchor(*parts) -> str:
    return "src-" + re.sub(r"[^0-9A-Za-z]+", "-", "-".join(str(p) for p in parts)).strip("-").lower()


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}".replace(",", " ")
    if isinstance(value, (int, float)):
        return f"{value:,}".replace(",", " ")
    return str(value)


def _records(frame: pd.DataFrame | None) -> list[dict]:
    return [] if frame is None or frame.empty else frame.to_dict("records")


def _generated() -> datetime:
    """When the report was made: now, or SOURCE_DATE_EPOCH (seconds, the reproducible-builds
    convention) when set, so a report made again from the same store is the same file."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def render_html(comparison: Comparison, *, title: str | None = None) -> str:
    # the template is compare.html.j2: "html" alone would not match it, and nothing would be escaped
    env = Environment(loader=PackageLoader("reja", "templates"), autoescape=select_autoescape(["html", "html.j2"]))
    env.filters["fmt"] = _fmt
    env.globals["anchor"] = anchor
    env.globals["_"] = _
    plan_order = list(comparison.plans["plan"])
    figures = {
        "multiples_plan": charts.small_multiples(comparison.values, plan_order, "plan_value"),
        "changes": charts.change_per_indicator(comparison.changes),
        "coverage": charts.coverage(comparison.coverage),
    }
    values = comparison.values.sort_values(["indicator", "plan"]).to_dict("records")
    # one look-up table, not a filter of every value inside the indicator × plan loop (quadratic)
    cell = {(v["indicator_id"], v["plan"]): v for v in values}
    shared = comparison.presence[comparison.presence[plan_order].all(axis=1)] if plan_order else comparison.presence
    return env.get_template("compare.html.j2").render(
        title=title or _("reja — plan comparison"),
        lang=get_language(),
        generated=_generated().strftime("%Y-%m-%d %H:%M UTC"),
        comparison=comparison,
        plans=comparison.plans.to_dict("records"),
        plan_order=plan_order,
        values=values,
        cell=cell,
        shared=shared.to_dict("records"),
        changes=comparison.changes.to_dict("records"),
        coverage=comparison.coverage.to_dict("records"),
        unaligned=comparison.unaligned.to_dict("records"),
        sources=comparison.sources.sort_values(["plan", "indicator_id"], na_position="last").to_dict("records"),
        totals=_records(comparison.region_totals),
        completeness=_completeness_summary(comparison.completeness),
        fulfilment=_records(comparison.fulfilment),
        findings=_records(comparison.findings),
        names=indicator_labels(comparison),
        matrices=_matrix_blocks(comparison.matrix, indicator_labels(comparison)),
        figures=figures,
    )


def _matrix_blocks(matrix: pd.DataFrame, names: dict[str, str]) -> list[dict]:
    """Per region and year: the districts as columns, one row per indicator [unit] (an indicator
    list is long, a region's districts fit across a page)."""
    if matrix is None or matrix.empty:
        return []
    blocks = []
    for (region, year), group in matrix.groupby(["region_id", "year"], sort=True):
        columns = [c for c in group.columns[3:] if group[c].notna().any()]
        rows = [{"label": matrix_column_label(c, names), "cells": group[c].tolist()}
                for c in sorted(columns, key=lambda c: matrix_column_label(c, names))]
        blocks.append({"region": place_names(region, None)["region_latin"] or region, "year": int(year),
                       "districts": group["district_latin"].tolist(), "rows": rows})
    return blocks


def _completeness_summary(frame: pd.DataFrame) -> list[dict]:
    """Per region and year: how many districts have a current plan, and which have none / are in review."""
    if frame is None or frame.empty:
        return []
    out = []
    for (region, year), group in frame.groupby(["region_id", "year"], sort=True):
        out.append({
            "region": place_names(region, None)["region_latin"] or region, "year": int(year),
            "districts": len(group),
            "with_plan": int(group["has_plan"].sum()),
            "missing": list(group.loc[group["state"].isin(["missing", "failed"]), "district_latin"]),
            "in_review": list(group.loc[group["state"] == "in_review", "district_latin"]),
        })
    return out


def write_html(comparison: Comparison, path: Path, **kwargs) -> Path:
    path = Path(path)
    html = render_html(comparison, **kwargs)
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path
