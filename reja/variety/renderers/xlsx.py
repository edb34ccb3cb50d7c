"""Spec → XLSX with xlsxwriter: the title block in merged cells, one sheet, numbers stored as numbers,
totals as SUM formulas with their cached values (what Excel saves; openpyxl cannot write the cache).

Paragraph sections and page breaks of the DOCX layout become merged section rows and a blank row:
a spreadsheet has no paragraphs between tables.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from reja.variety.layout import blocks

WIDTH = {"number": 6, "text": 55, "unit": 12, "fact": 11, "plan": 11, "q1": 9, "q2": 9, "q3": 9, "q4": 9,
         "mechanism": 20, "deadline": 16, "responsible": 22, "note": 14}
NUMERIC = ("fact", "plan", "q1", "q2", "q3", "q4")


def _number(text: str) -> float | None:
    s = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
    try:
        return float(s)
    except ValueError:
        return None


def render_xlsx(spec: dict, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(dest), {"strings_to_numbers": False})
    ws = wb.add_worksheet("Reja")
    roles = [c["role"] for c in spec["columns"]]
    n = len(roles)
    full = spec["layout"].get("borders", "full") == "full"
    cell_fmt = wb.add_format({"text_wrap": True, "valign": "top", "border": 1 if full else 0})
    num_fmt = wb.add_format({"valign": "top", "border": 1 if full else 0, "num_format": "0"})
    head_fmt = wb.add_format({"bold": True, "text_wrap": True, "align": "center", "valign": "vcenter", "border": 1})
    sec_fmt = wb.add_format({"bold": True, "border": 1 if full else 0, "bg_color": "#D9D9D9"
                             if spec["layout"].get("sections_as") == "shaded_row" else "#FFFFFF"})
    bold = wb.add_format({"bold": True, "align": "center"})
    for c, role in enumerate(roles):
        ws.set_column(c, c, WIDTH[role])

    meta = spec["meta"]
    agreed = [meta["agreed_word"], meta["agreed_role"], meta["agreed_by"] or "_________", meta["agreed_date"]]
    approved = [meta["approved_word"], meta["approved_role"], meta["approved_by"] or "_________",
                meta["approved_date"]]
    half = max(1, n // 2)
    r = 0
    for a, b in zip(agreed, approved, strict=True):
        ws.merge_range(r, 0, r, half - 1, a) if half > 1 else ws.write(r, 0, a)
        ws.merge_range(r, half, r, n - 1, b) if n - half > 1 else ws.write(r, half, b)
        r += 1
    r += 1
    for line in (meta["organisation"], meta["title"]):
        ws.merge_range(r, 0, r, n - 1, line, bold)
        r += 1
    r += 1
    for block in blocks(spec):
        if block["kind"] == "paragraph":
            ws.merge_range(r, 0, r, n - 1, block["text"], sec_fmt)
            r += 1
            continue
        if block["kind"] == "page_break":
            r += 1
            continue
        start = r
        covered = {(r0 + dr, c0 + dc) for r0, c0, r1, c1 in block.get("merges", [])
                   for dr in range(r1 - r0 + 1) for dc in range(c1 - c0 + 1)}
        for k, row in enumerate(block["rows"]):
            if row.get("span"):
                ws.merge_range(r, 0, r, n - 1, row["span"], sec_fmt)
                r += 1
                continue
            fmt = head_fmt if row["kind"] in ("header", "colnum") or row.get("bold") else cell_fmt
            for c, (role, text) in enumerate(zip(roles, row["cells"], strict=True)):
                if (k, c) in covered:
                    continue  # written by merge_range below
                value = _number(text) if role in NUMERIC and row["kind"] == "item" and "\n" not in text else None
                if value is not None:
                    ws.write_number(r, c, value, num_fmt)
                elif row["kind"] == "colnum":
                    ws.write_number(r, c, int(text), head_fmt)
                else:
                    ws.write_string(r, c, text, fmt)
            r += 1
        for r0, c0, r1, c1 in block.get("merges", []):
            text = block["rows"][r0]["cells"][c0]
            fmt = head_fmt if block["rows"][r0]["kind"] == "header" else cell_fmt
            ws.merge_range(start + r0, c0, start + r1, c1, text, fmt)
        # totals: a parent's value cells as SUM of its parts' cells, with the cached value
        for k, row in enumerate(block["rows"]):
            parts = row.get("total_of")
            if not parts:
                continue
            for c, role in enumerate(roles):
                value = _number(row["cells"][c]) if role in NUMERIC else None
                if value is None:
                    continue
                refs = ",".join(xl_rowcol_to_cell(start + p, c) for p in parts)
                ws.write_formula(start + k, c, f"=SUM({refs})", num_fmt, value)
        r += 1
    wb.close()
    return dest
