"""Analyst comparison across years and districts (`reja compare`, or `compare()` from Python)."""

from .align import Comparison, compare, select_items
from .html import render_html, write_html
from .xlsx import write_xlsx

__all__ = ["Comparison", "compare", "select_items", "render_html", "write_html", "write_xlsx"]
