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

from .components import components, inked_rows, row_spans


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
    horiz = _horizontal_open_close(binary, h_len, 15)
    vert = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, v_len)))
    for lean in (-LEAN_OPEN, LEAN_OPEN):
        vert |= _leaning_open(binary, v_len, lean)
    vert = cv2.morphologyEx(vert, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 15)))
    return horiz, vert


def _horizontal_open_close(binary: np.ndarray, open_len: int, close_len: int) -> np.ndarray:
    """`binary` opened by a row of `open_len` pixels, then closed by one of `close_len`: the same pixels
    as the two morphologyEx calls over the whole page, with all but the erosion done on the bands of rows
    the erosion leaves ink in (kernels one row tall treat each row alone, and keep an empty row empty):
    ~10 ms less on a 300 dpi A4 page (issue 18)."""
    eroded = cv2.erode(binary, cv2.getStructuringElement(cv2.MORPH_RECT, (open_len, 1)))
    out = np.zeros_like(binary)
    for s, e in row_spans(inked_rows(eroded)):
        band = cv2.dilate(eroded[s:e], cv2.getStructuringElement(cv2.MORPH_RECT, (open_len, 1)))
        out[s:e] = cv2.morphologyEx(band, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (close_len, 1)))
    return out


# Column rulings leaning by this much (tan of the angle, 3°) are opened on the page sheared upright: the
# upright opening keeps a 3 px ruling only while it leans less than ~2° (its pixel columns break every
# v_len rows), and a photo's left columns lean the other way once the page-wide shear set the right ones
# upright (variety photo_jpeg 1036, 1038: their № and text crops kept the ruling, "{ 12 {").
LEAN_OPEN = 0.052


def _leaning_open(binary: np.ndarray, v_len: int, lean: float) -> np.ndarray:
    """The vertical opening of `binary` sheared by `lean` (x moves lean px a row), sheared back."""
    h, w = binary.shape
    there = np.float32([[1, lean, -lean * h / 2], [0, 1, 0]])
    back = np.float32([[1, -lean, lean * h / 2], [0, 1, 0]])
    sheared = cv2.warpAffine(binary, there, (w, h), flags=cv2.INTER_NEAREST)
    opened = cv2.morphologyEx(sheared, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, v_len)))
    return cv2.warpAffine(opened, back, (w, h), flags=cv2.INTER_NEAREST)


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


def _segments(mask: np.ndarray, horizontal: bool, min_len: int, lean_min: int | None = None
              ) -> list[tuple[float, int, int]]:
    """(centre across, start along, end along) of each ruling segment. A segment more than `lean_min`
    across (a long ruling that leans: the sheet's edge of a table seen in perspective) is given as its
    two halves, each at its own centre, so that the ruling is followed along its lean."""
    n, labels, stats, _ = components(mask)
    out = []
    for k in range(1, n):
        x, y, w, h, _a = stats[k]
        along, across = (w, h) if horizontal else (h, w)
        if along < min_len:
            continue
        start, lo = (x, y) if horizontal else (y, x)
        if lean_min is None or across <= lean_min:
            out.append((lo + across / 2, start, start + along))
            continue
        comp = labels[y : y + h, x : x + w] == k
        if horizontal:
            comp = comp.T  # along the rows of `comp` from here on
        ends = max(along // 20, 2)
        first, last = (float(np.nonzero(comp[sl])[1].mean()) for sl in (slice(0, ends), slice(along - ends, along)))
        mid = start + along // 2
        out.append((lo + 0.75 * first + 0.25 * last + 0.5, start, mid))
        out.append((lo + 0.25 * first + 0.75 * last + 0.5, mid, start + along))
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


# Two clustered positions of rulings closer than this (inches) whose segments never run side by side
# are one leaning ruling: the narrowest real column ("№") is ~0.3 in.
LEAN_JOIN = 0.15


@dataclass
class _Ruling:
    """One ruling line: its mean position across, and its segments (centre across, start, end along).
    A leaning ruling (perspective left on a photo: the columns at one side of the sheet lean, those at
    the other stand upright, which no shear of the whole page sets right) is found as several
    clusters of segments a few pixels apart; joined, its position along the line is a fitted line."""

    pos: int
    segs: list[tuple[float, int, int]]
    leaning: bool = False
    _fit: tuple[float, float] | None = field(default=None, init=False, repr=False, compare=False)

    def at(self, along: float) -> int:
        if not self.leaning:
            return self.pos
        if self._fit is None:  # fitted once: the grid asks each ruling at every cell it bounds (issue 18)
            mids = np.array([(a + b) / 2 for _c, a, b in self.segs], float)
            centres = np.array([c for c, _a, _b in self.segs], float)
            weights = np.array([b - a for _c, a, b in self.segs], float)
            if np.ptp(mids) < 1:
                self._fit = (np.nan, np.nan)
            else:
                slope, icept = np.polyfit(mids, centres, 1, w=np.sqrt(np.maximum(weights, 1)))
                self._fit = (float(slope), float(icept))
        slope, icept = self._fit
        if np.isnan(slope):
            return self.pos
        return int(round(slope * along + icept))


def _side_by_side(a: list[tuple[float, int, int]], b: list[tuple[float, int, int]], tol: int) -> bool:
    """Some segment of `a` runs beside one of `b` for more than `tol` along: two rulings, not one."""
    return any(min(s[2], q[2]) - max(s[1], q[1]) > tol for s in a for q in b)


def _rulings(segs: list[tuple[float, int, int]], tol: int, join: int) -> list[_Ruling]:
    """Segments → rulings: clustered by their centre (`_cluster`), then neighbouring clusters less than
    `join` apart whose segments never run side by side joined into one leaning ruling."""
    if not segs:
        return []
    segs = sorted(segs)
    groups = [[segs[0]]]
    for seg in segs[1:]:
        if seg[0] - groups[-1][-1][0] <= tol:
            groups[-1].append(seg)
        else:
            groups.append([seg])
    joined: list[list[tuple[float, int, int]]] = []
    for g in groups:
        if joined and g[0][0] - joined[-1][-1][0] < join and not _side_by_side(joined[-1], g, tol):
            joined[-1] = joined[-1] + g
        else:
            joined.append(g)
    # segments spread over more than half the clustering tolerance: the ruling leans, and is looked for
    # along its fitted line (its mean is up to the spread's half off at its ends)
    return [_Ruling(int(round(sum(m[0] for m in g) / len(g))), g, leaning=bool(g[-1][0] - g[0][0] > tol / 2))
            for g in joined]


def build_grid(horiz: np.ndarray, vert: np.ndarray, box: tuple[int, int, int, int], dpi: int) -> Grid | None:
    x0, y0, x1, y1 = box
    pad = 6
    hm = horiz[max(y0 - pad, 0) : y1 + pad, max(x0 - pad, 0) : x1 + pad]
    vm = vert[max(y0 - pad, 0) : y1 + pad, max(x0 - pad, 0) : x1 + pad]
    ox, oy = max(x0 - pad, 0), max(y0 - pad, 0)
    tol = max(int(dpi * 0.04), 6)
    join = int(dpi * LEAN_JOIN)
    rows = _rulings(_segments(hm, True, int(dpi * 0.2), tol // 2), tol, join)
    cols = _rulings(_segments(vm, False, int(dpi * 0.1), tol // 2), tol, join)
    # The outer frame may be broken by scan noise; the region box is the frame.
    rows = _with_frame(rows, y0 - oy, y1 - oy, tol)
    cols = _with_frame(cols, x0 - ox, x1 - ox, tol)
    if len(rows) < 2 or len(cols) < 2:
        return None
    nr, nc = len(rows) - 1, len(cols) - 1
    right_open, down_open = _open_walls(hm, vm, rows, cols, tol)
    cells = _merge(right_open, down_open, nr, nc)
    grid = Grid(bbox=box, ys=[r.pos + oy for r in rows], xs=[c.pos + ox for c in cols])
    for r, c, rs, cs in cells:
        mid_y = (rows[r].pos + rows[r + rs].pos) / 2
        mid_x = (cols[c].pos + cols[c + cs].pos) / 2
        grid.cells.append(GridCell(r, c, rs, cs, (cols[c].at(mid_y) + ox, rows[r].at(mid_x) + oy,
                                                  cols[c + cs].at(mid_y) + ox, rows[r + rs].at(mid_x) + oy)))
    return grid


def _with_frame(lines: list[_Ruling], lo: int, hi: int, tol: int) -> list[_Ruling]:
    """Rulings with the region's edges added where the frame line was not found."""
    lines = list(lines)
    # a leaning ruling reaches the region's edge at its end nearest to it
    if not lines or _nearest(lines[0], min) - lo > tol * 2:
        lines.insert(0, _Ruling(lo + 1, []))
    if _nearest(lines[-1], max) < hi - tol * 2:
        lines.append(_Ruling(hi - 2, []))
    return lines


def _nearest(line: _Ruling, side) -> float:
    return side(c for c, _a, _b in line.segs) if line.leaning else line.pos


def _open_walls(hm: np.ndarray, vm: np.ndarray, rows: list[_Ruling], cols: list[_Ruling], tol: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """(right_open, down_open): right_open[i][j] when no ruling stands between fine cells (i, j) and
    (i, j+1); down_open likewise between (i, j) and (i+1, j). A leaning ruling is looked for where it
    runs at that row (column)."""
    nr, nc = len(rows) - 1, len(cols) - 1
    lt = max(tol // 2, 3)
    right_open = np.zeros((nr, max(nc - 1, 0)), bool)
    down_open = np.zeros((max(nr - 1, 0), nc), bool)
    for i in range(nr):
        for j in range(nc - 1):
            x = cols[j + 1].pos
            a, b = rows[i].at(x) + lt, rows[i + 1].at(x) - lt
            right_open[i, j] = not _ruled(vm, False, cols[j + 1].at((a + b) / 2), a, b, lt, tol)
    for i in range(nr - 1):
        for j in range(nc):
            y = rows[i + 1].pos
            a, b = cols[j].at(y) + lt, cols[j + 1].at(y) - lt
            down_open[i, j] = not _ruled(hm, True, rows[i + 1].at((a + b) / 2), a, b, lt, tol)
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
    out = []
    for members in groups.values():
        r0 = min(m[0] for m in members)
        r1 = max(m[0] for m in members)
        c0 = min(m[1] for m in members)
        c1 = max(m[1] for m in members)
        if len(members) == (r1 - r0 + 1) * (c1 - c0 + 1):
            out.append((r0, c0, r1 - r0 + 1, c1 - c0 + 1))
        else:
            # Not a rectangle: a ruling lost where a stamp or noise crossed it joined a cell to its
            # neighbour (a heading row to one body cell above it). The group's box swallowed the
            # cells around it (variety scan 1022: a whole row under a heading, its item lost) or was
            # dropped with its text (scan 1024: header cells); its cells are kept row by row instead.
            out += _runs(members, right_open, down_open)
    out.sort()
    return out


def _row_runs(i: int, cols: list[int], right_open: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) column of each run of fine cells of row `i` with no ruling between them."""
    runs: list[tuple[int, int]] = []
    start = prev = cols[0]
    for j in cols[1:]:
        if j == prev + 1 and right_open[i, prev]:
            prev = j
            continue
        runs.append((start, prev))
        start = prev = j
    runs.append((start, prev))
    return runs


def _runs(members: list[tuple[int, int]], right_open: np.ndarray, down_open: np.ndarray
          ) -> list[tuple[int, int, int, int]]:
    """Fine cells → (row, col, rowspan, colspan) cells: runs of a row with no ruling between them, and
    the same run in the next rows stacked when no ruling parts them."""
    by_row: dict[int, list[int]] = {}
    for i, j in sorted(members):
        by_row.setdefault(i, []).append(j)
    cells: list[list[int]] = []  # [row, col, rowspan, colspan]
    for i, cols in sorted(by_row.items()):
        for first, last in _row_runs(i, cols, right_open):
            above = next((c for c in cells if c[0] + c[2] == i and c[1] == first and c[3] == last - first + 1), None)
            if above is not None and all(down_open[i - 1, c] for c in range(first, last + 1)):
                above[2] += 1
            else:
                cells.append([i, first, 1, last - first + 1])
    return [tuple(c) for c in cells]


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
