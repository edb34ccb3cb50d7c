"""A plan table drawn without ruling lines on a typed PDF page (or with only a rule under the header,
or only horizontal rules) → an IR Table, from the positions of the words.

- The header is found as a band of lines (at most four) whose word groups name column roles, in any of
  the three languages (header.classify_header).
- Columns are the x-ranges that the word groups of the header and of the body's multi-column lines
  cover; the gaps between them are the gutters. A header word over several columns ("Miqdori" over
  the fact and plan years) spans them.
- Rows start at an item number in the first column, at a section line (one group of words across
  gutters), or after a vertical gap wider than the line pitch; the lines in between are wrapped text
  of the row's cells and are joined.
- A page without a header continues the columns of the page before (the header is not repeated), and a
  repeated header is just a header row again, which the plan parser reads as such.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from reja.extract.ir import BBox, Cell, Table
from reja.extract.settings import HeaderScores

LINE_TOLERANCE = 3.0  # pt: words whose tops differ by less are on one line
HEADER_MAX_LINES = 4
_ITEM_NO_RE = re.compile(r"^\d{1,3}(\.\d{1,3})*[.)]?$")


@dataclass
class _Group:
    """Words of one line standing close together: one cell's line of text."""

    words: list[dict]

    @property
    def x0(self) -> float:
        return self.words[0]["x0"]

    @property
    def x1(self) -> float:
        return self.words[-1]["x1"]

    @property
    def top(self) -> float:
        return min(w["top"] for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w["bottom"] for w in self.words)

    @property
    def text(self) -> str:
        return " ".join(w["text"] for w in self.words)


@dataclass
class _Line:
    groups: list[_Group]
    top: float
    bottom: float

    @property
    def x0(self) -> float:
        return self.groups[0].x0

    @property
    def text(self) -> str:
        return " ".join(g.text for g in self.groups)


@dataclass
class Columns:
    """Column x-ranges of a lineless table, carried to the next page when the header is not repeated."""

    ranges: list[tuple[float, float]]
    pitch: float  # typical distance between two lines of one cell
    x0: float = 0.0
    x1: float = 0.0
    header_texts: list[str] = field(default_factory=list)

    def index(self, x0: float, x1: float) -> list[int]:
        """Columns that a span of text overlaps (by more than a sliver), left to right."""
        hit = [k for k, (a, b) in enumerate(self.ranges) if min(b, x1) - max(a, x0) > 1.0]
        if hit:
            return hit
        centre = (x0 + x1) / 2
        return [min(range(len(self.ranges)), key=lambda k: _distance(self.ranges[k], centre))]


def _distance(rng: tuple[float, float], x: float) -> float:
    return 0.0 if rng[0] <= x <= rng[1] else min(abs(rng[0] - x), abs(rng[1] - x))


def _lines(words: list[dict]) -> list[_Line]:
    words = sorted(words, key=lambda w: (round(w["top"]), w["x0"]))
    rows: list[list[dict]] = []
    for w in sorted(words, key=lambda w: w["top"]):
        if rows and abs(w["top"] - rows[-1][0]["top"]) <= LINE_TOLERANCE:
            rows[-1].append(w)
        else:
            rows.append([w])
    out = []
    for row in rows:
        row.sort(key=lambda w: w["x0"])
        size = statistics.median(w["bottom"] - w["top"] for w in row)
        gap_limit = max(4.0, 0.9 * size)  # wider than a word space: another cell
        groups: list[_Group] = []
        for w in row:
            if groups and w["x0"] - groups[-1].x1 <= gap_limit:
                groups[-1].words.append(w)
            else:
                groups.append(_Group([w]))
        out.append(_Line(groups, min(w["top"] for w in row), max(w["bottom"] for w in row)))
    return out


def _header_band(lines: list[_Line], scores: HeaderScores) -> tuple[int, int] | None:
    """(first line, number of lines) of the header: groups that name at least two roles."""
    for i, line in enumerate(lines):
        if len(line.groups) < 2 or _ITEM_NO_RE.match(line.groups[0].text):
            continue
        best = _band_from(lines, i, scores)
        if best is not None:
            return i, best
    return None


def _band_from(lines: list[_Line], i: int, scores: HeaderScores) -> int | None:
    """How many lines from line `i` on make the header (at most HEADER_MAX_LINES), None when none does."""
    best = None  # (lines, roles named)
    for h in range(1, HEADER_MAX_LINES + 1):
        band = lines[i:i + h]
        if len(band) < h or _band_ends_before(band):
            break
        texts = [c for c in _stack(band)]
        n, plain = _named(texts, scores)
        if n >= 2 and (n + plain) * 10 >= len(texts) * 6 and (best is None or n > best[1]):
            best = (h, n)
        elif best is not None and n >= best[1] and _wraps_into(band[-1], band[:-1]) and _wordy(band[-1]) \
                and band[-1].top - band[-2].bottom <= 0.8 * (band[-2].bottom - band[-2].top):
            best = (h, n)  # a header cell's second line ("mazmuni" under "Bajariladigan ishlar")
    return best[0] if best is not None else None


def _band_ends_before(band: list[_Line]) -> bool:
    """The band's last line is past the header: an item row or a numbered section line ("1. FOND BILAN
    ISHLASH"), a line after a wide gap, or the first section line under the header."""
    if len(band) < 2:
        return False
    last, before = band[-1], band[-2]
    return (_ITEM_NO_RE.match(last.groups[0].words[0]["text"]) is not None
            or last.top - before.bottom > 2.5 * (before.bottom - before.top)
            or _is_heading(last))


def _named(group_texts: list[str], scores: HeaderScores) -> tuple[int, int]:
    """(groups naming a role at the header match score, groups that are plain header words)."""
    from reja.extract.header import _header_only, classify_header

    n = plain = 0
    for t in group_texts:
        role, score = classify_header(t, scores)
        if role is not None and score >= scores.match:
            n += 1
        elif _header_only(t):
            plain += 1
    return n, plain


def _is_heading(line: _Line) -> bool:
    from reja.extract.sections import parse_heading

    return len(line.groups) == 1 and parse_heading(line.text, allow_arabic=False) is not None


_NUMBER_RE = re.compile(r"\d[\d\s.,]*")
_YEAR_RE = re.compile(r"^(19|20)\d\d\D*$")


def _wordy(line: _Line) -> bool:
    """A header's wrapped line holds words and years, never a data row's counts ("512", "1 594")."""
    return all(_YEAR_RE.match(m.group().strip() + "x") or not m.group().strip()
               for g in line.groups for m in _NUMBER_RE.finditer(g.text))


def _wraps_into(line: _Line, above: list[_Line]) -> bool:
    """Every group of the line sits under a group of the lines above: wrapped header words."""
    groups = [g for ln in above for g in ln.groups]
    return all(any(min(g.x1, a.x1) - max(g.x0, a.x0) > 0 for a in groups) for g in line.groups)


def _stack(band: list[_Line]) -> list[str]:
    """Header cell texts of a band: groups of successive lines that overlap horizontally are one
    wrapped cell ("O'lchov" / "birligi"); a group wider than two below it stays its own."""
    cells: list[list[_Group]] = []
    for line in band:
        for g in line.groups:
            for cell in cells:
                last = cell[-1]
                if min(last.x1, g.x1) - max(last.x0, g.x0) > 0 and (g.x1 - g.x0) < 1.8 * (last.x1 - last.x0) + 20 \
                        and (last.x1 - last.x0) < 1.8 * (g.x1 - g.x0) + 20:
                    cell.append(g)
                    break
            else:
                cells.append([g])
    return [" ".join(g.text for g in cell) for cell in cells]


def _union(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[list[float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1] + 1.0:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _columns(header: list[_Line], body: list[_Line]) -> Columns | None:
    """Column x-ranges from the header groups and the body lines that have several groups."""
    multi = [ln for ln in body if len(ln.groups) >= 2]
    spans = [(g.x0, g.x1) for ln in multi for g in ln.groups]
    ranges = _union(spans + _own_column_groups(header, _union(spans)))
    if len(ranges) < 2:
        return None
    return Columns(ranges, _line_pitch(body), ranges[0][0], ranges[-1][1])


def _own_column_groups(header: list[_Line], body_spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The spans of the header groups that stand over at most one of the body's columns: a group word
    over several columns ("Miqdori") adds no column of its own."""
    spans = []
    for g in (g for ln in header for g in ln.groups):
        covered = [s for s in body_spans if min(s[1], g.x1) - max(s[0], g.x0) > 1.0]
        if len(covered) <= 1:
            spans.append((g.x0, g.x1))
    return spans


def _line_pitch(body: list[_Line]) -> float:
    """The usual distance from one body line's top to the next (12 points without two lines)."""
    pitches = [b.top - a.top for a, b in zip(body, body[1:], strict=False) if 0 < b.top - a.top < 40]
    return statistics.median(pitches) if pitches else 12.0


def lineless_table(words: list[dict], page_no: int, carried: Columns | None = None, *, scores: HeaderScores
                   ) -> tuple[Table, Columns, BBox] | None:
    """The plan table among a page's words, its columns (for the next page) and its bbox; None when the
    page holds no header and no columns are carried from the page before. `scores`: the parse
    settings' header scores (`ParseSettings.header`)."""
    lines = _lines(words)
    if not lines:
        return None
    band = _header_band(lines, scores)
    if band is not None:
        found = _under_header(lines, band)
    elif carried is not None:
        found = _continued(lines, carried)
    else:
        return None
    if found is None:
        return None
    header, body, columns = found
    if not body and not header:
        return None
    return _build(header, body, columns, page_no), columns, _bbox(header + body)


def _under_header(lines: list[_Line], band: tuple[int, int]) -> tuple[list[_Line], list[_Line], Columns] | None:
    """(header lines, body lines, columns) of the table whose header is the band (start, number of
    lines); None when they make fewer than two columns."""
    start, n_head = band
    header = lines[start:start + n_head]
    body = _table_body(lines[start + n_head:])
    columns = _columns(header, body)
    return None if columns is None else (header, body, columns)


def _continued(lines: list[_Line], carried: Columns) -> tuple[list[_Line], list[_Line], Columns] | None:
    """([], body lines, the carried columns) of a page without a header that goes on with the table of
    the page before: its lines from the table's left edge on; None when none has two groups."""
    body = _table_body([ln for ln in lines if ln.x0 >= carried.x0 - 30], carried)
    if sum(1 for ln in body if len(ln.groups) >= 2) < 1:
        return None
    return [], body, carried


def _bbox(used: list[_Line]) -> BBox:
    return (min(ln.groups[0].x0 for ln in used), min(ln.top for ln in used),
            max(ln.groups[-1].x1 for ln in used), max(ln.bottom for ln in used))


def _table_body(lines: list[_Line], columns: Columns | None = None) -> list[_Line]:
    """The lines of the table under its header: up to a vertical gap much wider than the line pitch
    (the signatures after the plan), never past the page's end."""
    if not lines:
        return []
    pitches = [b.top - a.top for a, b in zip(lines, lines[1:], strict=False)]
    pitch = columns.pitch if columns else (statistics.median(pitches) if pitches else 12.0)
    # the gap before a numbered line is a gap between rows; the signatures stand much further down
    row_gaps = [b.top - a.bottom for a, b in zip(lines, lines[1:], strict=False)
                if _ITEM_NO_RE.match(b.groups[0].words[0]["text"])]
    usual = statistics.median(row_gaps) if row_gaps else 2 * pitch
    out = [lines[0]]
    for prev, line in zip(lines, lines[1:], strict=False):
        gap = line.top - prev.bottom
        numbered = _ITEM_NO_RE.match(line.groups[0].words[0]["text"]) is not None
        if gap > max(4 * pitch, 40.0) or (gap > max(2.5 * usual, usual + 10.0) and not numbered):
            break  # the signatures under the plan, after an empty line
        out.append(line)
    return out


def _build(header: list[_Line], body: list[_Line], columns: Columns, page_no: int) -> Table:
    cells, r = _header_cells(header, columns, page_no)
    for groups in _body_rows(body, columns):
        cells += _row_cells(groups, r, page_no)
        r += 1
    return Table(index=-1, n_rows=r, n_cols=len(columns.ranges), cells=cells, page=page_no)


def _header_cells(header: list[_Line], columns: Columns, page_no: int) -> tuple[list[Cell], int]:
    """The header's cells and its number of rows. One row per line would split wrapped cells; the whole
    band is one row, except that a group spanning several columns over narrower groups below it makes a
    two-row header."""
    header_rows: list[list[tuple[list[int], _Group]]] = [[], []]
    for ln in header:
        for g in ln.groups:
            cols = columns.index(g.x0, g.x1)
            spans_many = len(cols) > 1
            header_rows[0 if spans_many or not _under_a_span(g, header, columns) else 1].append((cols, g))
    cells: list[Cell] = []
    r = 0
    if header:
        two_rows = bool(header_rows[1])
        for k, groups in enumerate(header_rows[: 2 if two_rows else 1]):
            cells += _row_cells(groups, r, page_no, rowspan_default=(2 if two_rows and k == 0 else 1),
                                n_rows_left=(2 - k) if two_rows else 1)
            r += 1
        if two_rows:  # a top-row cell over one column reaches down; a spanning one does not
            for cell in cells:
                if cell.row == 0 and cell.colspan > 1:
                    cell.rowspan = 1
    return cells, r


def _body_rows(body: list[_Line], columns: Columns) -> list[list[tuple[list[int], _Group]]]:
    """The body's lines grouped into table rows: a row starts at a section line, an item number in the
    first column, a gap wider than a cell's own line gaps, or a line filling columns the row has filled."""
    gaps = sorted(b.top - a.bottom for a, b in zip(body, body[1:], strict=False) if b.top > a.bottom - 1)
    in_cell_gap = gaps[len(gaps) // 5] if gaps else 2.0  # the smaller gaps are between a cell's lines
    prev_bottom = None
    current: list[tuple[list[int], _Group]] | None = None
    body_rows: list[list[tuple[list[int], _Group]]] = []
    for ln in body:
        placed, spanning, numbered = _placed(ln, columns)
        gap = (ln.top - prev_bottom) if prev_bottom is not None else None
        if current is None or spanning or numbered or _gap_starts_row(gap, in_cell_gap, placed, current):
            current = []
            body_rows.append(current)
        current.extend(placed)
        prev_bottom = ln.bottom
        if spanning:
            current = None  # a section line is a row of its own
    return body_rows


def _placed(ln: _Line, columns: Columns) -> tuple[list[tuple[list[int], _Group]], bool, bool]:
    """The line's groups with their columns, whether it spans the table (a section line: one group over
    several columns, or a heading), and whether it opens with an item number in the first column."""
    placed = [(columns.index(g.x0, g.x1), g) for g in ln.groups]
    first_cols = placed[0][0]
    spanning = len(ln.groups) == 1 and (len(first_cols) > 1 or _is_heading(ln))
    if spanning:
        placed = [(list(range(len(columns.ranges))), ln.groups[0])]
    numbered = first_cols == [0] and _ITEM_NO_RE.match(ln.groups[0].words[0]["text"]) is not None
    return placed, spanning, numbered


def _gap_starts_row(gap: float | None, in_cell_gap: float, placed: list, current: list) -> bool:
    """A gap wider than a cell's own line gaps starts a row; a wrapped row's next line may fill three
    columns too ("Yil"/"davomida" beside the text): the columns rule needs at least a little more than
    the gap between a cell's own lines."""
    if gap is None:
        return False
    return gap > in_cell_gap + 2.5 or (gap > in_cell_gap + 1.0 and _starts_like_a_row(placed, current))


def _under_a_span(g: _Group, header: list[_Line], columns: Columns) -> bool:
    """A header group under a wider group of an earlier line that spans several columns."""
    for ln in header:
        if ln.top >= g.top:
            break
        for other in ln.groups:
            if len(columns.index(other.x0, other.x1)) > 1 and other.x0 - 2 <= g.x0 and g.x1 <= other.x1 + 30:
                return True
    return False


def _starts_like_a_row(placed: list[tuple[list[int], _Group]], current: list) -> bool:
    """Without a number or a gap: a line with words in three or more columns that the row has all
    filled already is the next row's first line (a wrapped cell's second line rarely reaches three)."""
    cols = {c[0] for c, _ in placed}
    filled = {c for cs, _ in current for c in cs}
    return len(cols) >= 3 and cols <= filled


_TAIL_RE = re.compile(r"^[^\W\d_]{1,3}[.,;:]?$")


def _join_lines(lines: list[str]) -> str:
    """A cell's lines, one per line; a word the layout cut where the cell was too narrow
    ("мероприяти" / "е") is put back together: a lone word and then only a few lower-case letters."""
    out: list[str] = []
    for line in lines:
        if out and _TAIL_RE.match(line) and line[0].islower() and " " not in out[-1].split("\n")[-1] \
                and out[-1][-1:].isalpha():
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)


def _row_cells(groups: list[tuple[list[int], _Group]], r: int, page_no: int, rowspan_default: int = 1,
               n_rows_left: int = 1) -> list[Cell]:
    by_col: dict[tuple[int, int], list[_Group]] = {}
    for cols, g in groups:
        by_col.setdefault((cols[0], cols[-1]), []).append(g)
    cells = []
    taken: set[int] = set()
    for (c0, c1), gs in sorted(by_col.items()):
        if c0 in taken:
            continue
        taken.update(range(c0, c1 + 1))
        lines: list[list[_Group]] = []
        for g in sorted(gs, key=lambda g: (g.top, g.x0)):
            if lines and abs(g.top - lines[-1][0].top) <= LINE_TOLERANCE:
                lines[-1].append(g)
            else:
                lines.append([g])
        text = _join_lines([" ".join(x.text for x in line) for line in lines])
        bold = all("bold" in str(w.get("fontname", "")).lower() for g in gs for w in g.words)
        bbox = (min(g.x0 for g in gs), min(g.top for g in gs), max(g.x1 for g in gs), max(g.bottom for g in gs))
        cells.append(Cell(row=r, col=c0, text=text, colspan=c1 - c0 + 1, rowspan=min(rowspan_default, n_rows_left),
                          bold=bold, page=page_no, bbox=bbox))
    return cells
