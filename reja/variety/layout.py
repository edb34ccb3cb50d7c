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


def _header_rows(spec: dict) -> tuple[list[dict], list[tuple[int, int, int, int]]]:
    """One header row, or two with a group cell ("Miqdori") over the value columns and the other
    header cells merged down (as Izboskan's plan and many others write it)."""
    cols = spec["columns"]
    group = spec.get("value_group")
    labels = [c["label"] for c in cols]
    if not group:
        return [{"kind": "header", "cells": labels}], []
    grouped = [k for k, c in enumerate(cols) if c["role"] in group["roles"]]
    top = ["" if k in grouped[1:] else (group["label"] if k == grouped[0] else lab) for k, lab in enumerate(labels)]
    bottom = [lab if k in grouped else "" for k, lab in enumerate(labels)]
    merges = [(0, grouped[0], 0, grouped[-1])] + [(0, k, 1, k) for k in range(len(cols)) if k not in grouped]
    return [{"kind": "header", "cells": top}, {"kind": "header", "cells": bottom}], merges


def _split_text(text: str) -> tuple[str, str] | None:
    """Where a page break may cut a cell's text: before a lower-case word near the middle."""
    words = text.split(" ")
    cuts = [k for k in range(2, len(words) - 1) if words[k][:1].islower()]
    if not cuts:
        return None
    k = min(cuts, key=lambda c: abs(c - len(words) / 2))
    return " ".join(words[:k]), " ".join(words[k:])


def blocks(spec: dict) -> list[Block]:
    """[{"kind": "table", "rows": [...], "header_rows": n, "merges": [(r0, c0, r1, c1)]}
    | {"kind": "paragraph", "text", "bold"} | {"kind": "page_break"}] in document order."""
    layout = spec["layout"]
    rng = random.Random(spec["hash"])  # rendering-only choices, still deterministic per spec
    roles = [c["role"] for c in spec["columns"]]
    n = len(roles)
    header, header_merges = _header_rows(spec)
    colnum = {"kind": "colnum", "cells": [str(i + 1) for i in range(n)]}
    auto = spec.get("numbering") == "auto"
    number_in_text = bool(layout.get("number_in_text"))
    sections_as = layout.get("sections_as", "row")
    page_break = layout.get("page_break", "none")
    tables_repeat_header = rng.random() < 0.5

    out: list[Block] = []
    table: dict | None = None

    def new_table(with_header: bool) -> dict:
        rows = list(header) if with_header else []
        if with_header and layout.get("colnum_row"):
            rows.append(colnum)
        t = {"kind": "table", "rows": rows, "header_rows": len(rows),
             "merges": list(header_merges) if with_header else []}
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
            if sections_as == "cells" and "number" in roles:
                cells = [""] * n
                cells[roles.index("number")] = f"{sec['section_no']}."
                cells[roles.index("text")] = sec["title"]
                table["rows"].append({"kind": "section", "cells": cells, "bold": True})
            else:
                table["rows"].append({"kind": "section", "span": heading, "cells": [heading] + [""] * (n - 1),
                                      "shaded": sections_as == "shaded_row"})
        parent_row: dict | None = None
        for i in by_section.get(sec["section_no"], []):
            it = items[i]
            r = it.get("render") or {}
            if r.get("skip"):
                continue
            style = _parent_style(items, i) if _is_sub(items, i) else None
            cells = [_cell(role, it) for role in roles]
            if number_in_text and r.get("number"):
                cells[roles.index("text")] = f"{r['number']} {cells[roles.index('text')]}"
            cont = None
            if i == break_at:
                if page_break == "split_row":
                    cut = _split_text(cells[roles.index("text")])
                    if cut:
                        cells[roles.index("text")] = cut[0]
                        cont = [""] * n
                        cont[roles.index("text")] = cut[1]
                else:
                    out.append({"kind": "page_break"})
                    table = new_table(page_break == "repeated_header")
            if style == "label_row" and _first_sub(items, i):
                lab = _parent_label(items, i)
                table["rows"].append({"kind": "label", "cells": ["" if ro != "text" else lab for ro in roles]})
            if style == "label_in_number" and _first_sub(items, i) and "number" in roles:
                cells[roles.index("number")] = _parent_label(items, i)
            row = {"kind": "item", "cells": cells, "auto_number": auto and it.get("item_no") is not None
                   and it["parent_item_no"] is None, "item_no": it.get("item_no")}
            if auto and "number" in roles and row["auto_number"]:
                row["cells"][roles.index("number")] = ""
            same_table = parent_row is not None and parent_row["_at"][0] is table
            if style is not None and same_table and parent_row.get("vmerge"):
                for role in ("deadline", "responsible"):
                    if role in roles:
                        row["cells"][roles.index(role)] = ""
            table["rows"].append(row)
            if "parts" in r and r["parts"] != "stacked":
                parent_row = row
                row["total_of"] = []
                row["vmerge"] = bool(r.get("vmerge"))
                row["_at"] = (table, len(table["rows"]) - 1)
            elif same_table and style is not None:  # a total's parts (formulas need them in its table)
                parent_row["total_of"].append(len(table["rows"]) - 1)
                t, at = parent_row["_at"]
                if parent_row["vmerge"]:
                    for role in ("deadline", "responsible"):
                        if role in roles:
                            c = roles.index(role)
                            t["merges"] = [m for m in t["merges"] if not (m[1] == c and m[0] == at)]
                            t["merges"].append((at, c, len(table["rows"]) - 1, c))
            if cont is not None:
                out.append({"kind": "page_break"})
                table = new_table(rng.random() < 0.5)
                table["rows"].append({"kind": "item", "cells": cont})
    for b in out:
        for row in b.get("rows", []):
            row.pop("_at", None)
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
