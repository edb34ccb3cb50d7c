"""Build the Jondor 2021 samples from spec/jondor_2021.yaml.

Writes samples/jondor_2021.docx (python-docx), converts it with LibreOffice to jondor_2021.pdf (typed
PDF), rasterises that into jondor_2021_scan.pdf (gen_scan.py: a scanned PDF with no text layer), and
emits expected/jondor_2021.json from the same spec (one expected file for all three).

What the document has, and why (each is a quirk of the seed, ../shared/seeds/README.md):
- landscape A4; КЕЛИШИЛДИ / ТАСДИҚЛАЙМАН as a borderless two-column table, then the centred title;
- one bordered table per page of the seed, its header row marked to repeat (w:tblHeader), and a forced
  page break where the seed's dump shows one, so rows the seed shows split by a page break are split
  the same way (a numbered row, then an un-numbered continuation row on the next page);
- column sets that change by section (spec `layouts`), VI with a two-row header, the IX header written
  as an ordinary row inside the VIII table;
- section headings as merged rows (1, II, V, IX) and as bold paragraphs between tables (VI, VII, VIII,
  Х), the department line in italics under the title; un-numbered sub-section rows and paragraphs;
- "Бундан" / "ХКА (МКО)" / a group title in the number column; number and text in one cell (5.4).
Rows never split by themselves (w:cantSplit), so the only split rows are the seed's.

Spec `render` keys this generator understands (per item):
  before  list of blocks written before the item's row, in order:
          "page_break" | {table: <layout>} | {section_row: <no>} | {section_paragraph: <no>}
          | {subsection_row: <text>, italic: bool} | {paragraph: <text>} | {header_row: <layout>}
  number  the number column as printed (default: item_no, or empty)
  cells   column -> text overriding the expected value in the item's own row (a list = lines)
  span    the number and text columns are one cell (number as its first line)
  cont    list of continuation rows: {page_break: bool, span: bool, <column>: text, ...};
          the expected value of each column is the item's row and its continuations joined by spaces
Columns: number, text, unit, plan, mechanism, deadline.

Run: .venv/bin/python samples/gen_jondor.py [--no-convert] [--no-scan]
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_common  # noqa: E402
import gen_scan  # noqa: E402

SPEC = gen_common.SAMPLES_DIR / "spec" / "jondor_2021.yaml"
# Expected-item field that a column shows (when render.cells does not override it).
FIELD_OF = {
    "text": "text",
    "unit": "unit",
    "plan": "plan_raw",
    "mechanism": "mechanism",
    "deadline": "deadline",
}
CENTERED = {"number", "unit", "plan", "deadline"}
TABLE_FONT_PT = 11
SCAN_SEED = 2021


class LayoutError(gen_common.SpecError):
    """The spec's render hints contradict its expected values or each other."""


# --- spec checks ------------------------------------------------------------------------------


def _joined(value) -> str:
    parts = value if isinstance(value, list) else [value]
    return " ".join(str(p) for p in parts if p not in (None, ""))


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def check_spec(spec: dict) -> None:
    """Stitched expected values must equal what the rows show, joined; every section is introduced."""
    introduced: set[str] = set()
    for pos, item in enumerate(spec["items"]):
        render = item.get("render") or {}
        where = f"{spec['_path'].name}: item #{pos} ({item.get('item_no')})"
        for block in render.get("before") or []:
            if isinstance(block, dict):
                introduced.update(str(block[k]) for k in ("section_row", "section_paragraph") if k in block)
        if item["section_no"] not in introduced:
            raise LayoutError(f"{where}: section {item['section_no']!r} has no heading before it")
        conts = render.get("cont") or []
        if conts and "stitched_row" not in (item.get("expected_flags") or []):
            raise LayoutError(f"{where}: continuation rows but no stitched_row flag")
        cells = render.get("cells") or {}
        for column, field in FIELD_OF.items():
            shown = [cells.get(column, item.get(field))] + [c.get(column) for c in conts]
            written = _collapse(_joined([_joined(s) for s in shown if s]))
            expected = item.get(field)
            if field == "text" and not written and render.get("number") == expected:
                continue  # the text stands in the number column (spec rule F)
            if (written or None) != (_collapse(expected) if expected else None):
                raise LayoutError(f"{where}: {field} {expected!r} but the rows show {written!r}")


# --- low-level docx helpers -------------------------------------------------------------------


def _add_runs(para, text: str, *, bold=False, italic=False, size=TABLE_FONT_PT) -> None:
    run = para.add_run(text)
    run.bold = bold or None
    run.italic = italic or None
    run.font.size = Pt(size)


def _set_cell(cell, value, *, bold=False, italic=False, align=None) -> None:
    """A string is one paragraph; a list is one paragraph per line (as typed with Enter)."""
    lines = value if isinstance(value, list) else [value if value is not None else ""]
    for i, line in enumerate(lines):
        para = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        para.paragraph_format.space_after = Pt(0)
        para.paragraph_format.space_before = Pt(0)
        if align is not None:
            para.alignment = align
        if isinstance(line, tuple):  # (text, italic) for a department line
            _add_runs(para, line[0], bold=bold and not line[1], italic=line[1])
        else:
            _add_runs(para, str(line), bold=bold, italic=italic)


def _row_props(row, *, header=False) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")  # keep rows whole: the only split rows are the seed's
    tr_pr.append(cant)
    if header:
        el = OxmlElement("w:tblHeader")
        el.set(qn("w:val"), "true")
        tr_pr.append(el)


def _fix_widths(table, widths) -> None:
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for idx, col in enumerate(table.columns):
        col.width = Cm(widths[idx])
    for row in table.rows:
        start = 0
        for tc in row._tr.tc_lst:
            span = tc.grid_span
            tc.width = Cm(sum(widths[start : start + span]))
            start += span


def _remove_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.append(borders)


def _paragraph(doc, text, *, bold=False, italic=False, size=12, align=WD_ALIGN_PARAGRAPH.CENTER, before=0):
    para = doc.add_paragraph()
    para.alignment = align
    para.paragraph_format.space_after = Pt(0)
    para.paragraph_format.space_before = Pt(before)
    _add_runs(para, text, bold=bold, italic=italic, size=size)
    return para


# --- the document -----------------------------------------------------------------------------


class JondorWriter:
    """Writes the items in order, keeping track of the current table and its column set."""

    def __init__(self, spec: dict):
        self.spec = spec
        self.layouts = spec["layouts"]
        self.sections = {s["section_no"]: s for s in spec["sections"]}
        self.doc = Document()
        self.table = None
        self.layout = None  # name of the column set rows are written in
        self.pages = 1
        self._widths_for: list = []  # (table, widths): applied once all rows exist

    # blocks
    def page_break(self) -> None:
        # A tiny paragraph holding the break: it also keeps two tables from fusing into one.
        para = self.doc.add_paragraph()
        para.paragraph_format.space_after = Pt(0)
        run = para.add_run()
        run.font.size = Pt(1)
        run.add_break(WD_BREAK.PAGE)
        self.table = None
        self.pages += 1

    def new_table(self, layout: str) -> None:
        if self.table is not None:  # two tables in a row: keep them apart
            self.doc.add_paragraph().paragraph_format.space_after = Pt(0)
        spec = self.layouts[layout]
        ncols = len(spec["columns"])
        table = self.doc.add_table(rows=0, cols=ncols)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        header = spec["header"]
        rows = [table.add_row() for _ in header]
        for r, (row, texts) in enumerate(zip(rows, header, strict=True)):
            _row_props(row, header=True)
            col = 0
            for entry in texts:
                span = entry.get("span", 1) if isinstance(entry, dict) else 1
                text = entry.get("text") if isinstance(entry, dict) else entry
                cell = row.cells[col]
                if span > 1:
                    cell = cell.merge(row.cells[col + span - 1])
                if text is None:  # merged with the header cell above
                    rows[r - 1].cells[col].merge(cell)
                else:
                    _set_cell(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
                col += span
        self.table, self.layout = table, layout
        self._widths_for.append((table, spec["widths"]))

    def header_row(self, layout: str) -> None:
        """A header written as an ordinary row mid-table (IX inside the VIII table)."""
        spec = self.layouts[layout]
        if len(spec["columns"]) != len(self.layouts[self.layout]["columns"]):
            raise LayoutError(f"header_row {layout}: column count differs from {self.layout}")
        row = self.table.add_row()
        _row_props(row)
        for cell, text in zip(row.cells, spec["header"][0], strict=True):
            _set_cell(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        self.layout = layout

    def merged_row(self, lines, *, bold=True, italic=False) -> None:
        row = self.table.add_row()
        _row_props(row)
        cell = row.cells[0].merge(row.cells[-1])
        _set_cell(cell, lines, bold=bold, italic=italic, align=WD_ALIGN_PARAGRAPH.CENTER)

    def section_lines(self, no: str):
        section = self.sections[no]
        lines = [(f"{no}. {section['title']}", False)]
        if section.get("responsible"):
            lines.append((section["responsible"], True))
        return lines

    def block(self, block) -> None:
        if block == "page_break":
            self.page_break()
        elif "table" in block:
            self.new_table(block["table"])
        elif "section_row" in block:
            self.merged_row(self.section_lines(str(block["section_row"])))
        elif "section_paragraph" in block:
            for i, (text, italic) in enumerate(self.section_lines(str(block["section_paragraph"]))):
                _paragraph(self.doc, text, bold=not italic, italic=italic, before=8 if i == 0 else 0)
            self.table = None
        elif "subsection_row" in block:
            italic = bool(block.get("italic"))
            self.merged_row(block["subsection_row"], bold=not italic, italic=italic)
        elif "paragraph" in block:
            _paragraph(self.doc, block["paragraph"], bold=True, before=8)
            self.table = None
        elif "header_row" in block:
            self.header_row(block["header_row"])
        else:
            raise LayoutError(f"unknown render block {block!r}")

    # rows
    def row(self, cells: dict, *, span: bool = False) -> None:
        if self.table is None:
            raise LayoutError(f"row {cells.get('number')!r} written with no table open")
        columns = self.layouts[self.layout]["columns"]
        row = self.table.add_row()
        _row_props(row)
        targets = dict(zip(columns, row.cells, strict=True))
        if span:  # number and text share one cell, the number as its first line
            merged = targets["number"].merge(targets["text"])
            text = cells.get("text")
            lines = ([cells["number"]] if cells.get("number") else []) + (
                text if isinstance(text, list) else [text]
            )
            _set_cell(merged, lines)
            columns = [c for c in columns if c not in ("number", "text")]
        for column in columns:
            align = WD_ALIGN_PARAGRAPH.CENTER if column in CENTERED else None
            _set_cell(targets[column], cells.get(column), align=align)

    def item(self, item: dict) -> None:
        render = item.get("render") or {}
        for block in render.get("before") or []:
            self.block(block)
        cells = {"number": render.get("number", item.get("item_no") or "")}
        for column, field in FIELD_OF.items():
            cells[column] = item.get(field)
        cells.update(render.get("cells") or {})
        self.row(cells, span=bool(render.get("span")))
        for cont in render.get("cont") or []:
            if cont.get("page_break"):
                layout = self.layout
                self.page_break()
                self.new_table(layout)
            self.row(
                {"number": "", **{k: v for k, v in cont.items() if k in FIELD_OF}},
                span=bool(cont.get("span")),
            )

    # whole document
    def setup(self) -> None:
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
        section.left_margin = section.right_margin = Cm(1.5)
        section.top_margin = section.bottom_margin = Cm(1.2)
        normal = self.doc.styles["Normal"]
        normal.font.name = "Times New Roman"
        normal.font.size = Pt(12)
        normal.paragraph_format.space_after = Pt(0)
        props = self.doc.core_properties
        props.author = "Жондор ТАКМ"
        props.title = "2021 йил режаси"
        props.created = props.modified = datetime(2021, 1, 4, 9, 0, 0)

    def title_block(self) -> None:
        block = self.spec["title_block"]
        layout = self.doc.add_table(rows=1, cols=2)
        _remove_borders(layout)
        for cell, lines, align in (
            (layout.cell(0, 0), block["agreed"], WD_ALIGN_PARAGRAPH.LEFT),
            (layout.cell(0, 1), block["approved"], WD_ALIGN_PARAGRAPH.RIGHT),
        ):
            for i, line in enumerate(lines):
                para = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
                para.alignment = align
                para.paragraph_format.space_after = Pt(0)
                _add_runs(para, line, bold=i == 0, size=11)
        for line in block["title"]:
            _paragraph(self.doc, line, bold=True, size=12)
        _paragraph(self.doc, block["place"], size=11, align=WD_ALIGN_PARAGRAPH.LEFT)

    def build(self) -> bytes:
        self.setup()
        self.title_block()
        for item in self.spec["items"]:
            self.item(item)
        for table, widths in self._widths_for:
            _fix_widths(table, widths)
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()


def build_docx(spec: dict) -> tuple[bytes, int]:
    """The DOCX bytes and the number of pages the layout forces (the PDF must have exactly these)."""
    check_spec(spec)
    writer = JondorWriter(spec)
    data = writer.build()
    if writer.pages != len(page_plan(spec)):
        raise LayoutError(f"writer made {writer.pages} pages, page_plan says {len(page_plan(spec))}")
    return data, writer.pages


def page_plan(spec: dict) -> list[dict]:
    """What each page of the typed PDF must show, from the spec alone (for tests and checks).

    One dict per page: `items` = positions in spec['items'] of the items whose own row is on that
    page, `conts` = positions of items continued onto it, `layout` = the column set of the first
    table on the page (its header row is the page's first table row).
    """
    pages: list[dict] = [{"items": [], "conts": [], "layout": None}]
    layout = None
    for pos, item in enumerate(spec["items"]):
        render = item.get("render") or {}
        for block in render.get("before") or []:
            if block == "page_break":
                pages.append({"items": [], "conts": [], "layout": None})
            elif "table" in block:
                layout = block["table"]
                pages[-1]["layout"] = pages[-1]["layout"] or layout
            elif "header_row" in block:
                layout = block["header_row"]
        pages[-1]["items"].append(pos)
        for cont in render.get("cont") or []:
            if cont.get("page_break"):
                pages.append({"items": [], "conts": [], "layout": layout})
            pages[-1]["conts"].append(pos)
    return pages


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-convert", action="store_true", help="write DOCX and expected JSON only")
    parser.add_argument("--no-scan", action="store_true", help="skip the scanned PDF")
    args = parser.parse_args(argv if argv is not None else [])
    spec = gen_common.load_spec(SPEC)
    out_dir = gen_common.SAMPLES_DIR
    data, pages = build_docx(spec)
    docx_path = out_dir / f"{spec['sample']}.docx"
    gen_common.write_bytes_atomic(docx_path, data)
    written = [docx_path, gen_common.write_expected(spec)]
    if not args.no_convert:
        pdf_path = gen_common.soffice_convert(docx_path, "pdf", out_dir / f"{spec['sample']}.pdf")
        written.append(pdf_path)
        got = gen_scan.page_count(pdf_path)
        if got != pages:
            raise LayoutError(f"{pdf_path.name}: {got} pages, the layout forces {pages}: a page overflowed")
        if not args.no_scan:
            written.append(
                gen_scan.scan_pdf(pdf_path, out_dir / f"{spec['sample']}_scan.pdf", seed=SCAN_SEED)
            )
    for path in written:
        print(f"wrote {gen_common.rel(path)}")
    return written


if __name__ == "__main__":
    main(sys.argv[1:])
