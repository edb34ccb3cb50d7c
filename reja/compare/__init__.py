"""Analyst comparison across years, districts and regions (`reja compare`, or from Python)."""

from . import places
from .align import Comparison, compare, select_items
from .consistency import findings
from .fulfilment import fulfilment
from .html import render_html, write_html
from .region import completeness, district_matrix, region_totals
from .xlsx import write_xlsx

__all__ = ["Comparison", "compare", "select_items", "render_html", "write_html", "write_xlsx", "places",
           "region_totals", "district_matrix", "completeness", "fulfilment", "findings"]
