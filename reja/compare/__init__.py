"""Analyst comparison across years, districts and regions (`reja compare`, or from Python).

The names below are loaded on first use (PEP 562): importing one module of the package — the
consistency checks every load of the dataset runs — must not pull in matplotlib and the report writers.
"""

from importlib import import_module

_WHERE = {
    "Comparison": "align", "compare": "align", "select_items": "align",
    "render_html": "html", "write_html": "html", "write_xlsx": "xlsx",
    "region_totals": "region", "district_matrix": "region", "completeness": "region",
    "fulfilment": "fulfilment", "findings": "consistency",
}  # fmt: skip

__all__ = [*_WHERE, "places"]


def __getattr__(name: str):
    if name == "places":
        return import_module(".places", __name__)
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
