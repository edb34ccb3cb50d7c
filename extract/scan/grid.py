"""Ruling lines → table grids with row/col spans, found on a prepared (deskewed) page.

Steps, each a plain function: line masks (morphological opening with long thin kernels) → table
regions (connected line structures) → line positions (clustered segment centres) → fine grid of
every row line × column line → merged cells (adjacent fine cells with no ruling between them are
one cell) → cells with spans. Covered positions get no cell, as the IR requires.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from .components import components


@dataclass
class GridCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    bbox: tuple[int, int, int, int]  # x0, top, x1, bottom in page pixels (line centres)


@dataclass
class Grid:
    bbox: tuple[int, int, int, int]
    ys: list[int]  # row line positions, top to bottom
    xs: list[int]  # column line positions, left to right
    cells: list[GridCell] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.ys) - 1

    @property
    def n_cols(self) -> int:
        return len(self.xs) - 1


def line_masks(binary: np.ndarray, dpi: int) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical ruling masks. Kernels are longer than any letter stroke (a 12 pt
    glyph is ~0.17 in tall) but shorter than one text line's cell height."""
    h_len = max(int(dpi * 0.35), 30)
    v_len = max(int(dpi * 0.17), 20)
    # No closing before the opening: closing glues the baseline serifs of a bold line of text into
    # a long run that looks like a ruling. Breaks in a real ruling are bridged after the opening.
    horiz = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (h_len, 1)))
    vert = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, v_len)))
    horiz = cv2.morphologyEx(horiz, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 1)))
    vert = cv2.morphologyEx(vert, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 15)))
    return horiz, vert


def _cluster(values: list[float], tol: float) -> list[int]:
    """1-D clusters closer than `tol` → their mean positions."""
    if not values:
        return []
    values = sorted(values)
    groups = [[values[0]]]
    for v in values[1:]:
        if v - groups[-1][-1] <= tol:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [int(round(sum(g) / len(g))) for g in groups]


def _segments(mask: np.ndarray, horizontal: bool, min_len: int) -> list[tuple[float, int, int]]:
    """(centre across, start along, end along) of each ruling segment."""
    n, _labels, stats, _ = components(mask)
    out = []
    for k in range(1, n):
        x, y, w, h, _a = stats[k]
        if horizontal and w >= min_len:
            out.append((y + h / 2, x, x + w))
        elif not horizontal and h >= min_len:
            out.append((x + w / 2, y, y + h))
    return out


def table_regions(horiz: np.ndarray, vert: np.ndarray, dpi: int) -> list[tuple[int, int, int, int]]:
    """Boxes of connected ruling structures large enough to be a table (≥2 rows' worth of lines)."""
    both = cv2.dilate(horiz | vert, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9)))
    n, _l, stats, _ = components(both)
    boxes = []
    for k in range(1, n):
        x, y, w, h, _a = stats[k]
        if w >= dpi * 1.0 and h >= dpi * 0.25:
            boxes.append((int(x), int(y), int(x + w), int(y + h)))
    boxes.sort(key=lambda b: (b[1], b[0]))
    return boxes


def _coverage(mask: np.ndarray, horizontal: bool, pos: int, start: int, end: int, tol: int) -> float:
    """Share of [start, end) along a would-be ruling at `pos` that carries line ink; 0 unless the ink
    reaches both ends: a ruling joins the two crossing rulings, while a letter stroke that happens
    to sit where a ruling would be (the "d" of a merged header "Miqdori") stops short of them."""
    if end <= start:
        return 0.0
    if horizontal:
        band = mask[max(pos - tol, 0) : pos + tol + 1, start:end]
        hit = band.max(axis=0) > 0 if band.size else np.zeros(0, bool)
    else:
        band = mask[start:end, max(pos - tol, 0) : pos + tol + 1]
        hit = band.max(axis=1) > 0 if band.size else np.zeros(0, bool)
    if not hit.size:
        return 0.0
    end_len = max(min(8, hit.size // 4), 1)
    if hit[:end_len].mean() < 0.5 or hit[-end_len:].mean() < 0.5:
        return 0.0
    return float(hit.mean())


def _ruled(mask: np.ndarray, horizontal: bool, pos: int, start: int, end: int, band: int, reach: int) -> bool:
    """A ruling between two fine cells: at the line's clustered position, or a little beside it. The
    cluster is the mean of the line's segments; in a photo (some perspective left, paper not flat) one
    column's ruling wanders by up to the clustering tolerance, and a header ruling 8 px beside the body's
    was taken as no ruling at all (header cells "T/r | Mazmuni" merged: the item numbers lost)."""
    if _coverage(mask, horizontal, pos, start, end, band) >= 0.5:
        return True
    return any(_coverage(mask, horizontal, pos + off, start, end, band) >= 0.5
               for off in range(-reach, reach + 1, band) if off)


def build_grid(horiz: np.ndarray, vert: np.ndarray, box: tuple[int, int, int, int], dpi: int) -> Grid | None:
    x0, y0, x1, y1 = box
    pad = 6
    hm = horiz[max(y0 - pad, 0) : y1 + pad, max(x0 - pad, 0) : x1 + pad]
    vm = vert[max(y0 - pad, 0) : y1 + pad, max(x0 - pad, 0) : x1 + pad]
    ox, oy = max(x0 - pad, 0), max(y0 - pad, 0)
    tol = max(int(dpi * 0.04), 6)
    hsegs = _segments(hm, True, int(dpi * 0.2))
    vsegs = _segments(vm, False, int(dpi * 0.1))
    ys = _cluster([s[0] for s in hsegs], tol)
    xs = _cluster([s[0] for s in vsegs], tol)
    # The outer frame may be broken by scan noise; the region box is the frame.
    ys = _with_frame(ys, y0 - oy, y1 - oy, tol)
    xs = _with_frame(xs, x0 - ox, x1 - ox, tol)
    if len(ys) < 2 or len(xs) < 2:
        return None
    nr, nc = len(ys) - 1, len(xs) - 1
    right_open, down_open = _open_walls(hm, vm, ys, xs, tol)
    cells = _merge(right_open, down_open, nr, nc)
    grid = Grid(bbox=box, ys=[y + oy for y in ys], xs=[x + ox for x in xs])
    for r, c, rs, cs in cells:
        grid.cells.append(
            GridCell(r, c, rs, cs, (grid.xs[c], grid.ys[r], grid.xs[c + cs], grid.ys[r + rs]))
        )
    return grid


def _with_frame(pos: list[int], lo: int, hi: int, tol: int) -> list[int]:
    """Line positions with the region's edges added where the frame line was not found."""
    pos = list(pos)
    if not pos or pos[0] - lo > tol * 2:
        pos.insert(0, lo + 1)
    if pos[-1] < hi - tol * 2:
        pos.append(hi - 2)
    return pos


def _open_walls(hm: np.ndarray, vm: np.ndarray, ys: list[int], xs: list[int], tol: int) -> tuple[np.ndarray, np.ndarray]:
    """(right_open, down_open): right_open[i][j] when no ruling stands between fine cells (i, j) and
    (i, j+1); down_open likewise between (i, j) and (i+1, j)."""
    nr, nc = len(ys) - 1, len(xs) - 1
    lt = max(tol // 2, 3)
    right_open = np.zeros((nr, max(nc - 1, 0)), bool)
    down_open = np.zeros((max(nr - 1, 0), nc), bool)
    for i in range(nr):
        a, b = ys[i] + lt, ys[i + 1] - lt
        for j in range(nc - 1):
            right_open[i, j] = not _ruled(vm, False, xs[j + 1], a, b, lt, tol)
    for i in range(nr - 1):
        for j in range(nc):
            a, b = xs[j] + lt, xs[j + 1] - lt
            down_open[i, j] = not _ruled(hm, True, ys[i + 1], a, b, lt, tol)
    return right_open, down_open


def _merge(right_open: np.ndarray, down_open: np.ndarray, nr: int, nc: int) -> list[tuple[int, int, int, int]]:
    """Union-find over fine cells; each group's bounding rectangle is one (possibly merged) cell."""
    parent = list(range(nr * nc))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for i in range(nr):
        for j in range(nc - 1):
            if right_open[i, j]:
                parent[find(i * nc + j)] = find(i * nc + j + 1)
    for i in range(nr - 1):
        for j in range(nc):
            if down_open[i, j]:
                parent[find(i * nc + j)] = find((i + 1) * nc + j)
    groups: dict[int, list[tuple[int, int]]] = {}
    for i in range(nr):
        for j in range(nc):
            groups.setdefault(find(i * nc + j), []).append((i, j))
    covered = np.zeros((nr, nc), bool)
    out = []
    for members in sorted(groups.values(), key=lambda m: min(m)):
        r0 = min(m[0] for m in members)
        r1 = max(m[0] for m in members)
        c0 = min(m[1] for m in members)
        c1 = max(m[1] for m in members)
        if covered[r0, c0]:
            continue  # a non-rectangular group already swallowed by a neighbour's box
        covered[r0 : r1 + 1, c0 : c1 + 1] = True
        out.append((r0, c0, r1 - r0 + 1, c1 - c0 + 1))
    out.sort()
    return out


def find_grids(binary: np.ndarray, dpi: int) -> tuple[list[Grid], np.ndarray]:
    """All ruled tables on the page, top to bottom, and the mask of ruling ink (to erase before OCR)."""
    horiz, vert = line_masks(binary, dpi)
    grids = []
    for box in table_regions(horiz, vert, dpi):
        grid = build_grid(horiz, vert, box, dpi)
        if grid is not None and grid.n_rows >= 1 and grid.n_cols >= 2:
            grids.append(grid)
    # A grid around another grid is a frame (a page border, the edge of the sheet on a desk in a
    # photo), not a table: its cells would repeat the table's text.
    def inside(a: Grid, b: Grid) -> bool:
        return a is not b and a.bbox[0] >= b.bbox[0] and a.bbox[1] >= b.bbox[1] and a.bbox[2] <= b.bbox[2] \
            and a.bbox[3] <= b.bbox[3]

    grids = [g for g in grids if not any(inside(other, g) for other in grids)]
    lines = cv2.dilate(horiz | vert, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
    return grids, lines
