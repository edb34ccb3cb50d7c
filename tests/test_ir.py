"""The IR's merged-cell contract: one anchor cell per merge, visible at every covered position."""

from reja.extract.ir import Cell, Table


def test_merged_cell_appears_once_but_covers_its_span():
    table = Table(index=0, n_rows=2, n_cols=3, cells=[
        Cell(0, 0, "№", rowspan=2),
        Cell(0, 1, "Miqdori", colspan=2),
        Cell(1, 1, "2024-yil (fakt)"),
        Cell(1, 2, "2025-yil (reja)"),
    ])
    grid = table.grid()
    assert grid[1][0] is grid[0][0]
    assert grid[0][2].text == "Miqdori"
    assert [c.text for c in table.rows()[1]] == ["2024-yil (fakt)", "2025-yil (reja)"]
    assert table.row_texts(0) == ["№", "Miqdori", ""]
