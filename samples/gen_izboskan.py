"""Build the Izboskan 2025 samples from spec/izboskan_2025.yaml.

Writes samples/izboskan_2025.docx (python-docx, laid out like a district's Word file), then converts
it with LibreOffice to izboskan_2025.pdf (typed PDF; rows may break across pages) and to
izboskan_2025.doc (Word 97), and emits expected/izboskan_2025.json from the same spec.

What the DOCX has, and why (each is a quirk of real plans, see ../shared/seeds/README.md):
- landscape A4, a cover block, the KELISHILDI / TASDIQLAYMAN block as a borderless two-column table;
- a bordered table with a two-row header: "Miqdori" merged over the fact/plan columns, the other
  header cells merged vertically; both header rows repeat on every page (w:tblHeader);
- roman section rows merged across all columns; sections II and VII as bold paragraphs between
  tables (the table after VII has no header, as in the seed);
- rows the seed shows broken by a page break written as a numbered row plus a continuation row;
- stacked values as lines (paragraphs) in one cell; the "Shundan," label row; deadline/responsible
  of 9.1-9.3 as one vertically merged cell.

Run: .venv/bin/python samples/gen_izboskan.py [--no-convert]
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
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

SPEC = gen_common.SAMPLES_DIR / "spec" / "izboskan_2025.yaml"

# Column keys in table order and their widths (cm); together the usable width of landscape A4.
COLUMNS = ("number", "text", "unit", "fact", "plan", "mechanism", "deadline", "responsible")
WIDTHS_CM = (1.1, 6.8, 2.2, 1.7, 1.7, 6.6, 2.4, 3.2)
CENTERED = {"number", "unit", "fact", "plan", "deadline"}
# Expected-item field that holds what a column shows, when the spec gives no render.cells override.
FIELD_OF = {
    "text": "text",
    "unit": "unit",
    "fact": "fact_raw",
    "plan": "plan_raw",
    "mechanism": "mechanism",
    "deadline": "deadline",
    "responsible": "responsible",
}
TABLE_FONT_PT = 10


# --- low-level docx helpers -------------------------------------------------------------------


def _set_cell_text(cell, value, *, bold=False, italic_words=(), align=None) -> None:
    """Write a value into a cell: a string is one paragraph, a list is stacked lines (paragraphs)."""
    lines = value if isinstance(value, list) else [value if value is not None else ""]
    first = cell.paragraphs[0]
    for i, line in enumerate(lines):
        para = first if i == 0 else cell.add_paragraph()
        para.paragraph_format.space_after = Pt(0)
        para.paragraph_format.space_before = Pt(0)
        if align is not None:
            para.alignment = align
        _add_runs(para, str(line), bold=bold, italic_words=italic_words, size=TABLE_FONT_PT)


def _add_runs(para, text: str, *, bold=False, italic_words=(), size=None) -> None:
    """Add text as runs, italicising the given words (the seed's "*yanvar*")."""
    pieces = [text]
    for word in italic_words:
        pieces = [p for piece in pieces for p in _split_keep(piece, word)]
    for piece in pieces:
        if not piece:
            continue
        run = para.add_run(piece)
        run.bold = bold or None
        run.italic = piece in italic_words or None
        if size:
            run.font.size = Pt(size)


def _split_keep(text: str, word: str) -> list[str]:
    if word not in text:
        return [text]
    head, _, tail = text.partition(word)
    return [head, word, *_split_keep(tail, word)]


def _mark_header_row(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _set_widths(table) -> None:
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    for row in table.rows:
        col = 0
        for tc in row._tr.tc_lst:  # one <w:tc> per merged cell: its width is the sum of its grid columns
            span = tc.grid_span
            tc.width = Cm(sum(WIDTHS_CM[col : col + span]))
            col += span
    for idx, col in enumerate(table.columns):
        col.width = Cm(WIDTHS_CM[idx])


def _remove_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.append(borders)


def _paragraph(doc, text, *, bold=False, size=12, align=WD_ALIGN_PARAGRAPH.CENTER, italic_words=()):
    para = doc.add_paragraph()
    para.alignment = align
    para.paragraph_format.space_after = Pt(0)
    _add_runs(para, text, bold=bold, italic_words=italic_words, size=size)
    return para


# --- document parts ---------------------------------------------------------------------------


def _page_setup(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(1.5)
    section.top_margin = section.bottom_margin = Cm(1.5)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)
    normal.paragraph_format.space_after = Pt(0)
    props = doc.core_properties
    props.author = "Izboskan TAKM"
    props.title = "2025-yil ish rejasi"
    props.created = props.modified = datetime(2025, 1, 6, 9, 0, 0)


def _title_block(doc, spec) -> None:
    block = spec["title_block"]
    cover = block["cover"]
    for line in cover[:2]:
        _paragraph(doc, line, bold=True, size=16)
    doc.add_paragraph()
    for line in cover[2:]:
        _paragraph(doc, line, bold=True, size=14)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # KELISHILDI left, TASDIQLAYMAN right: a borderless layout table, as offices do it.
    layout = doc.add_table(rows=1, cols=2)
    _remove_borders(layout)
    for cell, lines, align in (
        (layout.cell(0, 0), block["agreed"], WD_ALIGN_PARAGRAPH.LEFT),
        (layout.cell(0, 1), block["approved"], WD_ALIGN_PARAGRAPH.RIGHT),
    ):
        for i, line in enumerate(lines):
            para = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
            para.alignment = align
            _add_runs(para, line, bold=i == 0, italic_words=("yanvar",), size=12)
    doc.add_paragraph()
    for line in block["title"]:
        _paragraph(doc, line, bold=True, size=13)
    doc.add_paragraph()


def _new_table(doc, spec, *, header: bool):
    table = doc.add_table(rows=0, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    if header:
        cols = spec["columns"]
        top, bottom = table.add_row(), table.add_row()
        for row in (top, bottom):
            _mark_header_row(row)
        # vertical merges for every column except the two under "Miqdori"
        for idx, key in enumerate(COLUMNS):
            if key in ("fact", "plan"):
                continue
            merged = top.cells[idx].merge(bottom.cells[idx])
            _set_cell_text(merged, cols[key], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        miqdori = top.cells[3].merge(top.cells[4])
        _set_cell_text(miqdori, cols["amount"], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _set_cell_text(bottom.cells[3], cols["fact"], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _set_cell_text(bottom.cells[4], cols["plan"], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    return table


def _section_row(table, section) -> None:
    row = table.add_row()
    merged = row.cells[0].merge(row.cells[-1])
    _set_cell_text(merged, f"{section['section_no']}. {section['title']}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)


def _label_row(table, label: str) -> None:
    row = table.add_row()
    merged = row.cells[0].merge(row.cells[1])
    _set_cell_text(merged, label, align=WD_ALIGN_PARAGRAPH.LEFT)


def _item_cells(item) -> dict:
    render = item.get("render") or {}
    cells = {"number": render.get("number", (item["item_no"] or "") + ".")}
    for key, field in FIELD_OF.items():
        cells[key] = item.get(field)
    cells.update(render.get("cells") or {})
    return cells


def _write_row(table, cells: dict, blank: set[str] = frozenset()) -> None:
    row = table.add_row()
    for idx, key in enumerate(COLUMNS):
        if key in blank:
            continue
        align = WD_ALIGN_PARAGRAPH.CENTER if key in CENTERED else None
        _set_cell_text(row.cells[idx], cells.get(key), align=align)


def build_docx(spec) -> bytes:
    doc = Document()
    _page_setup(doc)
    _title_block(doc, spec)

    sections = {s["section_no"]: s for s in spec["sections"]}
    table = _new_table(doc, spec, header=True)
    current = None
    merge_from: dict[str, int] = {}  # column -> row index where the running vertical merge starts
    for item in spec["items"]:
        render = item.get("render") or {}
        if item["section_no"] != current:
            current = item["section_no"]
            section = sections[current]
            how = section.get("render", {}).get("as", "row")
            if how == "paragraph":
                doc.add_paragraph()
                _paragraph(doc, f"{section['section_no']}. {section['title']}", bold=True, size=12)
                doc.add_paragraph()
                table = _new_table(doc, spec, header=section["render"].get("header", True))
            else:
                _section_row(table, section)
        if render.get("skip"):
            continue
        if render.get("label_before"):
            _label_row(table, render["label_before"])
        vmerge = set(render.get("vmerge") or ())
        _write_row(table, _item_cells(item), blank=vmerge)
        row_idx = len(table.rows) - 1
        for key in list(merge_from):
            if key not in vmerge:
                merge_from.pop(key)
        for key in vmerge:
            col = COLUMNS.index(key)
            start = merge_from.setdefault(key, row_idx - 1)
            table.cell(start, col).merge(table.cell(row_idx, col))
        if render.get("cont"):
            _write_row(table, {"number": "", **render["cont"]})
    # Word always ends the body with a paragraph; without it LibreOffice's DOC export turns a final
    # one-row table into plain text.
    doc.add_paragraph()
    for t in doc.tables[1:]:
        _set_widths(t)
    buf = io.BytesIO()
    doc.save(buf)
    return _fixed_zip_times(buf.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """Same spec -> same bytes: rewrite the zip with a fixed timestamp so re-running shows no git diff."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 6, 9, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-convert", action="store_true", help="write DOCX and expected JSON only")
    args = parser.parse_args(argv if argv is not None else [])
    spec = gen_common.load_spec(SPEC)
    out_dir = gen_common.SAMPLES_DIR
    docx_path = out_dir / f"{spec['sample']}.docx"
    gen_common.write_bytes_atomic(docx_path, build_docx(spec))
    written = [docx_path, gen_common.write_expected(spec)]
    if not args.no_convert:
        written.append(gen_common.soffice_convert(docx_path, "pdf", out_dir / f"{spec['sample']}.pdf"))
        written.append(gen_common.soffice_convert(docx_path, "doc:MS Word 97", out_dir / f"{spec['sample']}.doc"))
    for path in written:
        print(f"wrote {gen_common.rel(path)}")
    return written


if __name__ == "__main__":
    main(sys.argv[1:])
