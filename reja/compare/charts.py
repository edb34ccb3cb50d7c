"""Charts for the comparison report, drawn with matplotlib and inlined as SVG so the report opens
offline with no script and no CDN."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display: charts are files, never windows
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402
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


def _thousands(value, _pos=None) -> str:
    """Axis labels as plans write numbers: 12 500, not 12500 or 1.25e4."""
    return f"{value:,.0f}".replace(",", "\u202f")


def small_multiples(values: pd.DataFrame, plan_order: list[str], measure: str = "plan_value",
                    max_panels: int = 24, columns: int = 4) -> str | None:
    """One small bar chart per indicator (the indicators most plans share first), plans on the
    x axis, each panel on its own LINEAR scale with its unit in the title: a district's figure is
    read against the others of the same activity, never against a log axis spanning all activities."""
    data = values.dropna(subset=[measure])
    if data.empty:
        return None
    order = data.groupby("indicator_id")["plan"].nunique().sort_values(ascending=False, kind="stable")
    chosen = list(order.index[:max_panels])
    rows = -(-len(chosen) // columns)
    width_per_plan = max(0.18, min(0.5, 6 / max(len(plan_order), 1)))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * max(2.6, len(plan_order) * width_per_plan),
                                                     rows * 2.3), squeeze=False)
    labels = {i: n for i, n in zip(data["indicator_id"], data["indicator"], strict=True)}
    for ax, indicator in zip(axes.flat, chosen, strict=False):
        panel = data[data["indicator_id"] == indicator].set_index("plan")
        heights = [float(panel[measure].get(p, 0) or 0) if p in panel.index else 0 for p in plan_order]
        colors = [PALETTE[k % len(PALETTE)] for k in range(len(plan_order))]
        ax.bar(range(len(plan_order)), heights, color=colors)
        units = ", ".join(sorted({u for u in panel["units"] if u})) if "units" in panel else ""
        ax.set_title(_short(str(labels.get(indicator, indicator)), 34) + (f" [{units}]" if units else ""),
                     fontsize=7)
        ax.set_xticks(range(len(plan_order)))
        ax.set_xticklabels([_short(p, 18) for p in plan_order], rotation=90, fontsize=6)
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_thousands))
        ax.tick_params(axis="y", labelsize=6)
        ax.grid(axis="y", alpha=0.3)
    for ax in list(axes.flat)[len(chosen):]:
        ax.axis("off")
    fig.tight_layout()
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
