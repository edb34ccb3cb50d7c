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


def _span(line: list[dict]) -> tuple[int, int]:
    return min(p["bbox"][1] for p in line), max(p["bbox"][3] for p in line)


def _pieces_by_column(line: list[dict], edges: list[int]) -> dict[int, list[tuple[dict, int]]]:
    """{first column: [(piece, last column)]} of one text line."""
    cols: dict[int, list[tuple[dict, int]]] = {}
    for p in line:
        c0 = _col_of(p["bbox"][0] + 1, edges)
        c1 = _col_of(p["bbox"][2] - 1, edges)
        cols.setdefault(c0, []).append((p, c1))
    return cols


def _add_piece(row: dict[int, dict], c0: int, c1: int, p: dict) -> None:
    cell = row.get(c0)
    if cell is None:
        row[c0] = {"texts": [p["text"]], "boxes": [p["bbox"]], "confs": [(p["confidence"], len(p["text"]))],
                   "colspan": c1 - c0 + 1}
        return
    cell["texts"].append(p["text"])
    cell["boxes"].append(p["bbox"])
    cell["confs"].append((p["confidence"], len(p["text"])))
    cell["colspan"] = max(cell["colspan"], c1 - c0 + 1)


def _rows(table_lines: list[list[dict]], edges: list[int]) -> list[dict[int, dict]]:
    """Table lines → rows of {column: cell under construction}. A line that continues the line above
    (no piece in the first column, a gap smaller than 0.6 of its height) joins that row; a line of one
    piece from the first column is a heading across the table."""
    n_cols = len(edges) - 1
    rows: list[dict[int, dict]] = []
    prev_bottom = None
    for line in table_lines:
        top, bottom = _span(line)
        cols = _pieces_by_column(line, edges)
        continues = rows and 0 not in cols and prev_bottom is not None and top - prev_bottom < 0.6 * (bottom - top)
        if not continues:
            rows.append({})
        row = rows[-1]
        alone = len(line) == 1 and 0 in cols  # a heading row: one piece from the first column
        for c0, found in cols.items():
            for p, c1 in found:
                _add_piece(row, c0, n_cols - 1 if alone else c1, p)
        prev_bottom = bottom
    return rows


def _enclosing(boxes: list) -> list[int]:
    return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]


def _cell_data(r: int, c: int, cell: dict, n_cols: int) -> dict:
    weight = sum(n for _c, n in cell["confs"]) or 1
    return {
        "row": r, "col": c, "rowspan": 1, "colspan": min(cell["colspan"], n_cols - c),
        "text": "\n".join(cell["texts"]),
        "bbox": _enclosing(cell["boxes"]),
        "confidence": round(sum(c_ * n for c_, n in cell["confs"]) / weight, 1),
        "notes": ["lineless_table: cell placed by text position"],
    }


def lineless_table(pieces: list[dict], dpi: int) -> tuple[dict | None, list[dict]]:
    """(table data as read_page gives it, pieces left as paragraphs). None when no two-piece lines."""
    lines = _lines(pieces)
    multi = [i for i, line in enumerate(lines) if len(line) >= 2]
    if len(multi) < 2:
        return None, pieces
    table_lines = lines[multi[0] : multi[-1] + 1]
    edges = _column_edges(table_lines, dpi)
    n_cols = len(edges) - 1
    if n_cols < 2:
        return None, pieces
    rows = _rows(table_lines, edges)
    cells = [_cell_data(r, c, cell, n_cols) for r, row in enumerate(rows) for c, cell in sorted(row.items())]
    used = {id(p) for line in table_lines for p in line}
    table = {
        "bbox": _enclosing([p["bbox"] for line in table_lines for p in line]),
        "n_rows": len(rows), "n_cols": n_cols, "cells": cells,
    }
    return table, [p for p in pieces if id(p) not in used]
