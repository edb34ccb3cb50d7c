"""Fallback for pages without ruling lines: a table rebuilt from the positions of text pieces.

The page's text pieces (runs of words with no wide gap, each OCR'd on its own crop) are grouped
into lines by their vertical overlap; the lines that hold two or more pieces are table lines.
Columns are the x-ranges that the pieces of those lines cover, separated by gaps that (nearly)
no piece crosses; a line that continues the line above (no piece in the first column and a gap
smaller than a line's height) joins its row, as a wrapped cell would.
"""

from __future__ import annotations

import numpy as np


def _lines(pieces: list[dict]) -> list[list[dict]]:
    """Pieces grouped into text lines (vertical centre inside the line's span), top to bottom."""
    lines: list[list[dict]] = []
    for p in sorted(pieces, key=lambda p: (p["bbox"][1], p["bbox"][0])):
        cy = (p["bbox"][1] + p["bbox"][3]) / 2
        for line in lines:
            top = min(q["bbox"][1] for q in line)
            bottom = max(q["bbox"][3] for q in line)
            if top <= cy <= bottom:
                line.append(p)
                break
        else:
            lines.append([p])
    for line in lines:
        line.sort(key=lambda p: p["bbox"][0])
    lines.sort(key=lambda line: min(p["bbox"][1] for p in line))
    return lines


def _column_edges(lines: list[list[dict]], dpi: int) -> list[int]:
    """x positions separating columns: gaps crossed by at most 10% of the table lines' pieces."""
    x0 = min(p["bbox"][0] for line in lines for p in line)
    x1 = max(p["bbox"][2] for line in lines for p in line)
    cover = np.zeros(x1 - x0 + 1, dtype=np.int32)
    for line in lines:
        for p in line:
            cover[p["bbox"][0] - x0 : p["bbox"][2] - x0 + 1] += 1
    empty = cover <= max(1, len(lines) // 10)
    edges = [x0]
    min_gap = max(int(dpi * 0.05), 4)
    x = 0
    while x < len(empty):
        if empty[x]:
            start = x
            while x < len(empty) and empty[x]:
                x += 1
            if x - start >= min_gap and start > 0 and x < len(empty):
                edges.append(x0 + (start + x) // 2)
        x += 1
    edges.append(x1 + 1)
    return edges


def _col_of(x: float, edges: list[int]) -> int:
    for k in range(len(edges) - 1):
        if x < edges[k + 1]:
            return k
    return len(edges) - 2


def lineless_table(pieces: list[dict], dpi: int) -> tuple[dict | None, list[dict]]:
    """(table data as read_page gives it, pieces left as paragraphs). None when no two-piece lines."""
    lines = _lines(pieces)
    multi = [i for i, line in enumerate(lines) if len(line) >= 2]
    if len(multi) < 2:
        return None, pieces
    first, last = multi[0], multi[-1]
    table_lines = lines[first : last + 1]
    edges = _column_edges(table_lines, dpi)
    n_cols = len(edges) - 1
    if n_cols < 2:
        return None, pieces
    rows: list[dict[int, dict]] = []  # col -> cell dict
    prev_bottom = None
    for line in table_lines:
        top = min(p["bbox"][1] for p in line)
        bottom = max(p["bbox"][3] for p in line)
        height = bottom - top
        cols = {}
        for p in line:
            c0 = _col_of(p["bbox"][0] + 1, edges)
            c1 = _col_of(p["bbox"][2] - 1, edges)
            cols.setdefault(c0, []).append((p, c1))
        continues = rows and 0 not in cols and prev_bottom is not None and top - prev_bottom < 0.6 * height
        if continues:
            row = rows[-1]
        else:
            row = {}
            rows.append(row)
        alone = len(line) == 1 and 0 in cols  # a heading row: one piece from the first column
        for c0, found in cols.items():
            for p, c1 in found:
                if alone:
                    c1 = n_cols - 1
                cell = row.get(c0)
                if cell is None:
                    row[c0] = {"texts": [p["text"]], "boxes": [p["bbox"]], "confs": [(p["confidence"], len(p["text"]))],
                               "colspan": c1 - c0 + 1}
                else:
                    cell["texts"].append(p["text"])
                    cell["boxes"].append(p["bbox"])
                    cell["confs"].append((p["confidence"], len(p["text"])))
                    cell["colspan"] = max(cell["colspan"], c1 - c0 + 1)
        prev_bottom = bottom
    cells = []
    for r, row in enumerate(rows):
        for c, cell in sorted(row.items()):
            boxes = cell["boxes"]
            weight = sum(n for _c, n in cell["confs"]) or 1
            cells.append({
                "row": r, "col": c, "rowspan": 1, "colspan": min(cell["colspan"], n_cols - c),
                "text": "\n".join(cell["texts"]),
                "bbox": [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                         max(b[3] for b in boxes)],
                "confidence": round(sum(c_ * n for c_, n in cell["confs"]) / weight, 1),
                "notes": ["lineless_table: cell placed by text position"],
            })
    used = {id(p) for line in table_lines for p in line}
    all_boxes = [p["bbox"] for line in table_lines for p in line]
    table = {
        "bbox": [min(b[0] for b in all_boxes), min(b[1] for b in all_boxes), max(b[2] for b in all_boxes),
                 max(b[3] for b in all_boxes)],
        "n_rows": len(rows), "n_cols": n_cols, "cells": cells,
    }
    return table, [p for p in pieces if id(p) not in used]
