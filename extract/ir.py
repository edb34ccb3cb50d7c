"""The intermediate representation (IR) that every reader produces.

DOCX, PDF and scan readers all turn a file into one `Document`: its blocks in reading order,
each a `Paragraph` or a `Table`. The plan parser only ever sees this model, so a new input
format needs a reader and nothing else.

Merged cells appear once, on their top-left anchor, with `rowspan`/`colspan`; covered
positions hold no cell of their own (python-docx repeats the merged cell at every position
and pdfplumber gives `None`: the readers undo both).
"""

from __future__ import annotations

from dataclasses import dataclass, field

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom; PDF points, or pixels for images


@dataclass(slots=True)
class Cell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    bold: bool = False
    italic: bool = False
    page: int | None = None  # 1-based; None for formats without pages (DOCX)
    bbox: BBox | None = None
    confidence: float | None = None  # OCR confidence 0..100; None when typed
    notes: list[str] = field(default_factory=list)  # reader repairs, e.g. "item_no_rebuilt: A → 1" (OCR)


@dataclass(slots=True)
class Paragraph:
    text: str
    bold: bool = False
    italic: bool = False
    page: int | None = None
    bbox: BBox | None = None
    style: str | None = None  # e.g. the DOCX paragraph style name
    align: str | None = None  # "left" / "center" / "right" / "justify" when known
    confidence: float | None = None  # OCR confidence 0..100; None when typed


@dataclass
class Table:
    index: int  # 0-based position among the document's tables
    n_rows: int
    n_cols: int
    cells: list[Cell] = field(default_factory=list)
    page: int | None = None  # page where the table starts
    bbox: BBox | None = None

    def grid(self) -> list[list[Cell | None]]:
        """Positions → the anchor cell covering them (a merged cell fills all its positions)."""
        grid: list[list[Cell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row, min(cell.row + cell.rowspan, self.n_rows)):
                for c in range(cell.col, min(cell.col + cell.colspan, self.n_cols)):
                    grid[r][c] = cell
        return grid

    def rows(self) -> list[list[Cell]]:
        """Anchor cells that start in each row, left to right."""
        out: list[list[Cell]] = [[] for _ in range(self.n_rows)]
        for cell in self.cells:
            out[cell.row].append(cell)
        for row in out:
            row.sort(key=lambda c: c.col)
        return out

    def row_texts(self, row: int) -> list[str]:
        """Text of every column position of a row; a merged cell's text only at its anchor column."""
        texts = [""] * self.n_cols
        for cell in self.cells:
            if cell.row == row:
                texts[cell.col] = cell.text
        return texts


Block = Paragraph | Table


@dataclass
class Document:
    source: str  # the file name as the user gave it (never a machine path in outputs)
    format: str  # "docx", "pdf", "scan", or the original format converted ("doc", "odt", "rtf")
    blocks: list[Block] = field(default_factory=list)
    page_count: int | None = None
    warnings: list[str] = field(default_factory=list)  # reader-level doubts, "page 3: …"

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]
