"""Spec → the document's blocks: tables of rows and the paragraphs between them, in reading order.

Every renderer (DOCX, XLSX, and through them all others) lays out the same blocks, so a layout
choice is made once here. A row is a dict: `kind` (header | colnum | section | label | item),
`cells` (one string per column; "\n" separates stacked lines), `span` (one text across the row),
`auto_number` (the number cell is a Word list paragraph), `total_of` (the item's parts, by row
index, for spreadsheet formulas).
"""

from __future__ import annotations

import random

Block = dict


def _cell(role: str, item: dict) -> str:
    r = item.get("render") or {}
    if role == "number":
        return r.get("number", item.get("item_no") or "")
    if role == "text":
        return r.get("text", item["text"])
    if role in ("fact", "plan"):
        lines = r.get(f"{role}_lines")
        return "\n".join(lines) if lines else (item.get(f"{role}_raw") or "")
    if role in ("q1", "q2", "q3", "q4"):
        return item["quarters"][int(role[1]) - 1]
    return item.get(role) or ""


def blocks(spec: dict) -> list[Block]:
    """[{"kind": "table", "rows": [...], "header_rows": n} | {"kind": "paragraph", "text", "bold"}
    | {"kind": "page_break"}] in document order."""
    layout = spec["layout"]
    rng = random.Random(spec["hash"])  # rendering-only choices, still deterministic per spec
    roles = [c["role"] for c in spec["columns"]]
    n = len(roles)
    header = {"kind": "header", "cells": [c["label"] for c in spec["columns"]]}
    colnum = {"kind": "colnum", "cells": [str(i + 1) for i in range(n)]}
    auto = spec.get("numbering") == "auto"
    sections_as = layout.get("sections_as", "row")
    page_break = layout.get("page_break", "none")
    tables_repeat_header = rng.random() < 0.5

    out: list[Block] = []
    table: dict | None = None

    def new_table(with_header: bool) -> dict:
        rows = [header] if with_header else []
        if with_header and layout.get("colnum_row"):
            rows.append(colnum)
        t = {"kind": "table", "rows": rows, "header_rows": len(rows)}
        out.append(t)
        return t

    items = spec["items"]
    break_at = len(items) // 2 if page_break != "none" else -1
    by_section: dict[str, list[int]] = {}
    for i, it in enumerate(items):
        by_section.setdefault(it["section_no"], []).append(i)
    for s_pos, sec in enumerate(spec["sections"]):
        heading = f"{sec['section_no']}. {sec['title']}"
        if sections_as == "paragraph":
            out.append({"kind": "paragraph", "text": heading, "bold": True})
            table = new_table(s_pos == 0 or tables_repeat_header)
        else:
            if table is None:
                table = new_table(True)
            table["rows"].append({"kind": "section", "span": heading, "cells": [heading] + [""] * (n - 1),
                                  "shaded": sections_as == "shaded_row"})
        parent_row: dict | None = None
        for i in by_section.get(sec["section_no"], []):
            it = items[i]
            r = it.get("render") or {}
            if r.get("skip"):
                continue
            if i == break_at:
                out.append({"kind": "page_break"})
                table = new_table(page_break == "repeated_header")
            if it["parent_item_no"] is None and "parts" in r:
                parent_row = None
            style = _parent_style(items, i) if _is_sub(items, i) else None
            cells = [_cell(role, it) for role in roles]
            if style == "label_row" and _first_sub(items, i):
                lab = _parent_label(items, i)
                table["rows"].append({"kind": "label", "cells": ["" if ro != "text" else lab for ro in roles]})
            if style == "label_in_number" and _first_sub(items, i) and "number" in roles:
                cells[roles.index("number")] = _parent_label(items, i)
            row = {"kind": "item", "cells": cells, "auto_number": auto and it.get("item_no") is not None
                   and it["parent_item_no"] is None}
            if auto and "number" in roles and row["auto_number"]:
                row["cells"][roles.index("number")] = ""
            table["rows"].append(row)
            if "parts" in r and r["parts"] != "stacked":
                parent_row = row
                row["total_of"] = []
            elif parent_row is not None and style is not None:
                parent_row["total_of"].append(len(table["rows"]) - 1)
    return out


def _parent_index(items: list[dict], i: int) -> int | None:
    for j in range(i - 1, -1, -1):
        if "parts" in (items[j].get("render") or {}):
            return j
        if not _is_sub(items, j):
            return None
    return None


def _is_sub(items: list[dict], i: int) -> bool:
    """A sub-item row (the spec marks every part of a total, numbered or not)."""
    return bool((items[i].get("render") or {}).get("sub"))


def _parent_style(items: list[dict], i: int) -> str | None:
    j = _parent_index(items, i)
    return (items[j]["render"] or {}).get("parts") if j is not None else None


def _parent_label(items: list[dict], i: int) -> str:
    j = _parent_index(items, i)
    return (items[j]["render"] or {}).get("label", "") if j is not None else ""


def _first_sub(items: list[dict], i: int) -> bool:
    j = _parent_index(items, i)
    return j == i - 1
