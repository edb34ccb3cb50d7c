"""Property tests of the table structure (issue 11): for any layout of merged cells, the DOCX reader
gives each merged region exactly once, with its true spans, and the IR grid covers every position
with the region that holds it."""

from __future__ import annotations

import docx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reja.extract.ir import Cell, Table
from reja.extract.readers import read_document


@st.composite
def layouts(draw, max_rows: int = 6, max_cols: int = 5):
    """A grid partitioned into non-overlapping rectangles: (n_rows, n_cols, [(r, c, h, w)])."""
    n_rows = draw(st.integers(1, max_rows))
    n_cols = draw(st.integers(1, max_cols))
    taken = [[False] * n_cols for _ in range(n_rows)]
    regions = []
    for r in range(n_rows):
        for c in range(n_cols):
            if taken[r][c]:
                continue
            max_w = 1
            while c + max_w < n_cols and not taken[r][c + max_w]:
                max_w += 1
            w = draw(st.integers(1, max_w))
            h = draw(st.integers(1, n_rows - r))
            while any(taken[rr][cc] for rr in range(r, r + h) for cc in range(c, c + w)):
                h -= 1
            for rr in range(r, r + h):
                for cc in range(c, c + w):
                    taken[rr][cc] = True
            regions.append((r, c, h, w))
    return n_rows, n_cols, regions


@given(layouts())
@settings(max_examples=60, deadline=None)
def test_ir_grid_covers_every_position_with_its_region(layout):
    n_rows, n_cols, regions = layout
    cells = [Cell(r, c, f"{r}:{c}", rowspan=h, colspan=w) for r, c, h, w in regions]
    table = Table(index=0, n_rows=n_rows, n_cols=n_cols, cells=cells)
    grid = table.grid()
    for r, c, h, w in regions:
        for rr in range(r, r + h):
            for cc in range(c, c + w):
                assert grid[rr][cc].text == f"{r}:{c}"
    assert sum(len(row) for row in table.rows()) == len(regions)


@given(layouts())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_docx_reader_returns_each_merged_region_once_with_its_spans(tmp_path_factory, layout):
    n_rows, n_cols, regions = layout
    document = docx.Document()
    table = document.add_table(rows=n_rows, cols=n_cols)
    table.style = "Table Grid"
    for r, c, h, w in regions:
        anchor = table.cell(r, c)
        if h > 1 or w > 1:
            anchor = anchor.merge(table.cell(r + h - 1, c + w - 1))
        anchor.text = f"R{r}C{c}"
    path = tmp_path_factory.mktemp("prop") / "t.docx"
    document.save(path)

    ir = read_document(path).tables[0]
    got = sorted((cell.row, cell.col, cell.rowspan, cell.colspan, cell.text) for cell in ir.cells)
    assert got == sorted((r, c, h, w, f"R{r}C{c}") for r, c, h, w in regions)
    assert (ir.n_rows, ir.n_cols) == (n_rows, n_cols)
