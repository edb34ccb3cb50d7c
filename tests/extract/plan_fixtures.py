"""Small hand-built IR documents for the plan-parser tests (no files needed).

`table(rows)` takes rows of cells: a str is a plain cell, a `C(...)` a cell with spans or styling,
None a position covered by a merge from the left or above (it gets no cell of its own).
"""

from __future__ import annotations

from reja.extract.ir import Cell, Document, Paragraph, Table


def C(text: str, colspan: int = 1, rowspan: int = 1, bold: bool = False, italic: bool = False, bbox=None):
    return {"text": text, "colspan": colspan, "rowspan": rowspan, "bold": bold, "italic": italic, "bbox": bbox}


def table(rows: list[list], index: int = 0, page: int | None = None) -> Table:
    n_cols = max(sum((c["colspan"] if isinstance(c, dict) else 1) for c in row) for row in rows)
    cells: list[Cell] = []
    for r, row in enumerate(rows):
        col = 0
        for spec in row:
            if spec is None:
                col += 1
                continue
            if isinstance(spec, str):
                spec = C(spec)
            cells.append(
                Cell(r, col, spec["text"], rowspan=spec["rowspan"], colspan=spec["colspan"],
                     bold=spec["bold"], italic=spec["italic"], page=page, bbox=spec["bbox"])
            )
            col += spec["colspan"]
    return Table(index=index, n_rows=len(rows), n_cols=n_cols, cells=cells, page=page)


def doc(*blocks, source: str = "plan.docx", fmt: str = "docx") -> Document:
    tables = [b for b in blocks if isinstance(b, Table)]
    for i, t in enumerate(tables):
        t.index = i
    return Document(source=source, format=fmt, blocks=list(blocks))


def para(text: str, bold: bool = False, italic: bool = False, page=None, bbox=None) -> Paragraph:
    return Paragraph(text, bold=bold, italic=italic, page=page, bbox=bbox)


# The Izboskan 2025 header as the DOCX has it: "Miqdori" over two year columns, the rest merged down.
IZB_HEADER = [
    [C("№", rowspan=2), C("Nomi", rowspan=2), C("O'lchov birligi", rowspan=2), C("Miqdori", colspan=2),
     C("Amalga oshirish mexanizmi", rowspan=2), C("Bajarilish muddati", rowspan=2), C("Mas'ullar", rowspan=2)],
    [None, None, None, "2024- yil (fakt)", "2025- yil (reja)", None, None, None],
]


def izb_row(no: str, text: str, unit: str = "Hujjat", fact: str = "1", plan: str = "4",
            mech: str = "Ma'lumot taqdim etish", deadline: str = "2025-yil davomida",
            resp: str = "Direktor") -> list[str]:
    return [no, text, unit, fact, plan, mech, deadline, resp]


def izb_section(text: str) -> list:
    return [C(text, colspan=8)]


# Jondor 2021: № | мазмуни | ўлчов бирлиги | бажарилиш муддати
JON_HEADER = [["№", "Бажариладиган ишларнинг мазмуни", "Ўлчов бирлиги", "Бажарилиш муддати"]]
