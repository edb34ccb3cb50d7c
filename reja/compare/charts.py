"""Charts for the comparison report, drawn with matplotlib and inlined as SVG so the report opens
offline with no script and no CDN."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display: charts are files, never windows
# text stays text in the SVG (not one path per glyph): a tenth of the size, and far faster to write
matplotlib.rcParams["svg.fonttype"] = "none"
# clip paths and markers get ids hashed from their content with this salt, not a random one per run:
# the same comparison gives the same report, byte for byte (diffable; issue 22)
matplotlib.rcParams["svg.hashsalt"] = "reja"
import matplotlib.patches  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402
import pandas as pd  # noqa: E402

from reja.i18n import _  # noqa: E402

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
                    max_panels: int = 16, columns: int = 4) -> str | None:
    """One small bar chart per indicator (the indicators most plans share first): districts on the
    x axis, one bar per year (colour, one legend on top), each panel on its own LINEAR scale with its
    unit in the title — a district's figure is read against the other districts and years of the
    same activity, never against a log axis spanning all activities. The districts are named once,
    under the bottom row."""
    data = values.dropna(subset=[measure])
    if data.empty:
        return None
    order = data.groupby("indicator_id")["plan"].nunique().sort_values(ascending=False, kind="stable")
    chosen = list(order.index[:max_panels])
    districts = sorted({str(d) for d in data["district"]})
    years = sorted({int(y) for y in data["year"].dropna()})
    x_of = {d: k for k, d in enumerate(districts)}
    bar = 0.8 / max(len(years), 1)
    rows = -(-len(chosen) // columns)
    width = max(2.6, 0.22 * len(districts) * max(1, len(years)) ** 0.5 + 0.8)
    label_room = 0.1 * max(map(len, districts))
    # the x axes are not shared: a shared axis gives every panel a tick per district (16 panels x 200
    # districts of a national comparison were most of its time); the upper panels have none
    fig, axes = plt.subplots(rows, columns, figsize=(columns * width, rows * 1.9 + label_room + 0.4),
                             squeeze=False)
    labels = dict(zip(data["indicator_id"], data["indicator"], strict=True))
    for ax, indicator in zip(axes.flat, chosen, strict=False):
        panel = data[data["indicator_id"] == indicator]
        for k, year in enumerate(years):
            part = panel[panel["year"] == year]
            _bars(ax, [x_of[str(d)] + k * bar for d in part["district"]], part[measure].astype(float).tolist(), bar,
                  PALETTE[k % len(PALETTE)])
        units = ", ".join(sorted({u for u in panel["units"] if u})) if "units" in panel else ""
        ax.set_title(_short(str(labels.get(indicator, indicator)), 34) + (f" [{units}]" if units else ""),
                     fontsize=7)
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_thousands))
        ax.tick_params(axis="y", labelsize=6)
        ax.grid(axis="y", alpha=0.3)
    for ax in axes.flat:
        ax.set_xlim(-0.5, len(districts) - 0.5 + bar * (len(years) - 1))
        ax.set_xticks([])
    for ax in list(axes.flat)[len(chosen):]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xticks([x + bar * (len(years) - 1) / 2 for x in range(len(districts))])
        ax.set_xticklabels([_short(d, 22) for d in districts], rotation=90, fontsize=6)
    handles = [matplotlib.patches.Patch(color=PALETTE[k % len(PALETTE)], label=str(y)) for k, y in enumerate(years)]
    fig.legend(handles, [str(y) for y in years], loc="upper center", ncol=len(years), fontsize=8, frameon=False)
    fig.subplots_adjust(hspace=0.45, wspace=0.25, top=1 - 0.5 / fig.get_figheight())
    return _svg(fig)


def _bars(ax, xs: list[float], heights: list[float], width: float, color: str) -> None:
    """Bars centred on `xs`, drawn as one collection: what `ax.bar` shows, without an artist per bar (a
    national comparison's panels hold thousands of bars)."""
    from matplotlib.collections import PolyCollection

    half = width / 2
    shapes = [[(x - half, 0), (x - half, h), (x + half, h), (x + half, 0)] for x, h in zip(xs, heights, strict=True)]
    bars = PolyCollection(shapes, facecolors=color, edgecolors="none", linewidths=0)
    bars.sticky_edges.y.append(0)  # the value axis starts at 0, as for ax.bar
    ax.add_collection(bars, autolim=True)
    ax.autoscale_view()


def change_per_indicator(changes: pd.DataFrame, max_rows: int = 30, clip_pct: float = 300.0) -> str | None:
    """The largest changes of plan value (at most `max_rows`; the table lists them all), bars clipped at
    ±`clip_pct` % with the true figure written beside a clipped bar, so one tenfold jump does not
    flatten every other bar."""
    data = changes.dropna(subset=["change_pct"])
    if data.empty:
        return None
    data = data.reindex(data["change_pct"].abs().sort_values(ascending=False, kind="stable").index[:max_rows])
    labels = [f"{_short(str(i), 40)} ({d})" for i, d in zip(data["indicator"], data["district"], strict=True)]
    fig, ax = plt.subplots(figsize=(9, 0.3 * len(data) + 1.2))
    shown = data["change_pct"].clip(-clip_pct, clip_pct)
    colors = ["#2ca02c" if v >= 0 else "#d62728" for v in data["change_pct"]]
    ax.barh(range(len(data)), shown, color=colors)
    for y, (value, bar) in enumerate(zip(data["change_pct"], shown, strict=True)):
        if value != bar:
            ax.text(bar, y, f" {value:,.0f}%".replace(",", "\u202f"), va="center", fontsize=7)
    ax.set_yticks(range(len(data)))
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(_("change of plan value, %"))
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
    ax.set_xlabel(_("catalogue indicators present in the plan, %"))
    return _svg(fig)
