"""Charts for the comparison report, drawn with matplotlib and inlined as SVG so the report opens
offline with no script and no CDN."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display: charts are files, never windows
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog so it can sit inside HTML


def _short(label: str, width: int = 48) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def plans_side_by_side(values: pd.DataFrame, plan_order: list[str], measure: str = "plan_value") -> str | None:
    """Grouped horizontal bars: one group per indicator, one bar per plan (log scale: the plans'
    figures run from single events to hundreds of thousands of book issues)."""
    data = values.pivot_table(index="indicator", columns="plan", values=measure, aggfunc="first")
    data = data.reindex(columns=[p for p in plan_order if p in data.columns]).dropna(how="all")
    if data.empty:
        return None
    data = data.loc[data.notna().sum(axis=1).sort_values(ascending=False).index]
    height = 0.45 * len(data) * max(1, len(data.columns)) ** 0.5 + 1.2
    fig, ax = plt.subplots(figsize=(9, min(height, 28)))
    bar = 0.8 / len(data.columns)
    positions = range(len(data))
    for k, plan in enumerate(data.columns):
        ax.barh([p + k * bar for p in positions], data[plan].fillna(0), height=bar,
                label=plan, color=PALETTE[k % len(PALETTE)])
    ax.set_yticks([p + bar * (len(data.columns) - 1) / 2 for p in positions])
    ax.set_yticklabels([_short(str(i)) for i in data.index], fontsize=8)
    ax.invert_yaxis()
    if (data.fillna(0) > 0).any().any():
        ax.set_xscale("symlog", linthresh=1)
    ax.set_xlabel("plan value (log scale)" if measure == "plan_value" else "fact value (log scale)")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return _svg(fig)


def change_per_indicator(changes: pd.DataFrame) -> str | None:
    data = changes.dropna(subset=["change_pct"])
    if data.empty:
        return None
    labels = [f"{_short(str(i), 40)} ({d})" for i, d in zip(data["indicator"], data["district"], strict=True)]
    fig, ax = plt.subplots(figsize=(9, 0.35 * len(data) + 1.2))
    colors = ["#2ca02c" if v >= 0 else "#d62728" for v in data["change_pct"]]
    ax.barh(range(len(data)), data["change_pct"], color=colors)
    ax.set_yticks(range(len(data)))
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("change of plan value, %")
    ax.grid(axis="x", alpha=0.3)
    return _svg(fig)


def coverage(coverage_frame: pd.DataFrame) -> str | None:
    if coverage_frame.empty:
        return None
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(coverage_frame) + 1.2))
    ax.barh(coverage_frame["plan"], coverage_frame["coverage_pct"], color="#1f77b4")
    for y, v in enumerate(coverage_frame["coverage_pct"]):
        ax.text(v + 1, y, f"{v:.0f}%", va="center", fontsize=8)
    ax.set_xlim(0, 100)
    ax.invert_yaxis()
    ax.set_xlabel("catalogue indicators present in the plan, %")
    return _svg(fig)
