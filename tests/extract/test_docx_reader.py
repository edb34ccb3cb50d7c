"""DOCX reader: reading order, spans from the XML (each merged cell once), cell text, bold/italic.

Fixtures are built here with python-docx; the expected IR is written by hand from the fixture spec.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from reja.extract.ir import Table
from reja.extract.readers import read_document

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def build_plan_docx(path: Path) -> Path:
    """Title block, a table with a two-row header, a bold section row, merges both ways, a paragraph
    between tables, a second table. Shared with the PDF tests (converted by LibreOffice)."""
    d = docx.Document()
    p = d.add_paragraph()
    p.add_run("TASDIQLAYMAN").bold = True
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    d.add_paragraph("Izboskan tuman AKM direktori")
    t = d.add_table(rows=6, cols=5)
    t.style = "Table Grid"
    # Header: № | Tadbir nomi | Miqdori (over 2024 fakt / 2025 reja) | Muddati
    t.cell(0, 0).merge(t.cell(1, 0)).text = "№"
    t.cell(0, 1).merge(t.cell(1, 1)).text = "Tadbir nomi"
    t.cell(0, 2).merge(t.cell(0, 3)).text = "Miqdori"
    t.cell(1, 2).text = "2024-yil (fakt)"
    t.cell(1, 3).text = "2025-yil (reja)"
    t.cell(0, 4).merge(t.cell(1, 4)).text = "Muddati"
    # Section row across the table, bold.
    sec = t.cell(2, 0).merge(t.cell(2, 4))
    sec.paragraphs[0].add_run("I. TASHKILIY ISHLAR").bold = True
    # Item rows; the deadline cell merged vertically over both.
    t.cell(3, 0).text = "1."
    c = t.cell(3, 1)
    c.paragraphs[0].add_run("Kitobxonlik")
    c.paragraphs[0].add_run().add_break()
    c.paragraphs[0].add_run("kechasi")
    c.add_paragraph("(Китоб кечаси)")
    t.cell(3, 2).text = "12"
    t.cell(3, 3).text = "15"
    t.cell(3, 4).merge(t.cell(4, 4)).text = "Yil davomida"
    t.cell(4, 0).text = "2."
    it = t.cell(4, 1).paragraphs[0].add_run("Shundan: kitob ko'rgazmasi")
    it.italic = True
    t.cell(4, 2).text = "–"
    t.cell(4, 3).text = "3"
    # Last row: partly bold text is not bold.
    t.cell(5, 0).text = "3."
    mixed = t.cell(5, 1).paragraphs[0]
    mixed.add_run("Qisman ").bold = True
    mixed.add_run("qalin")
    heading = d.add_paragraph()
    heading.add_run("II. ILMIY-METODIK FAOLIYAT").bold = True
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    t2 = d.add_table(rows=1, cols=2)
    t2.style = "Table Grid"
    t2.cell(0, 0).text = "4."
    t2.cell(0, 1).text = "Seminar"
    d.save(path)
    return path


def cells_of(table: Table) -> list[tuple]:
    return [(c.row, c.col, c.rowspan, c.colspan, c.text) for c in table.cells]


def test_reading_order_and_paragraphs(tmp_path):
    doc = read_document(build_plan_docx(tmp_path / "plan.docx"))
    kinds = [type(b).__name__ for b in doc.blocks]
    assert kinds == ["Paragraph", "Paragraph", "Table", "Paragraph", "Table"]
    title, org, _, heading, _ = doc.blocks
    assert (title.text, title.bold, title.align) == ("TASDIQLAYMAN", True, "right")
    assert (org.text, org.bold) == ("Izboskan tuman AKM direktori", False)
    assert (heading.text, heading.bold, heading.align) == ("II. ILMIY-METODIK FAOLIYAT", True, "center")
    assert [t.index for t in doc.tables] == [0, 1]
    assert doc.format == "docx" and doc.source == "plan.docx" and doc.page_count is None


def test_merged_cells_appear_once_with_spans(tmp_path):
    table = read_document(build_plan_docx(tmp_path / "plan.docx")).tables[0]
    assert (table.n_rows, table.n_cols) == (6, 5)
    assert cells_of(table) == [
        (0, 0, 2, 1, "№"),
        (0, 1, 2, 1, "Tadbir nomi"),
        (0, 2, 1, 2, "Miqdori"),
        (0, 4, 2, 1, "Muddati"),
        (1, 2, 1, 1, "2024-yil (fakt)"),
        (1, 3, 1, 1, "2025-yil (reja)"),
        (2, 0, 1, 5, "I. TASHKILIY ISHLAR"),
        (3, 0, 1, 1, "1."),
        (3, 1, 1, 1, "Kitobxonlik\nkechasi\n(Китоб кечаси)"),
        (3, 2, 1, 1, "12"),
        (3, 3, 1, 1, "15"),
        (3, 4, 2, 1, "Yil davomida"),
        (4, 0, 1, 1, "2."),
        (4, 1, 1, 1, "Shundan: kitob ko'rgazmasi"),
        (4, 2, 1, 1, "–"),
        (4, 3, 1, 1, "3"),
        (5, 0, 1, 1, "3."),
        (5, 1, 1, 1, "Qisman qalin"),
        (5, 2, 1, 1, ""),
        (5, 3, 1, 1, ""),
        (5, 4, 1, 1, ""),
    ]
    grid = table.grid()
    assert grid[1][0] is grid[0][0] and grid[4][4] is grid[3][4] and grid[2][3] is grid[2][0]


def test_cell_bold_and_italic(tmp_path):
    table = read_document(build_plan_docx(tmp_path / "plan.docx")).tables[0]
    by_pos = {(c.row, c.col): c for c in table.cells}
    assert by_pos[2, 0].bold and not by_pos[2, 0].italic
    assert by_pos[4, 1].italic and not by_pos[4, 1].bold
    assert not by_pos[5, 1].bold  # only "Qisman " is bold
    assert not by_pos[3, 1].bold


def test_paragraph_style_bold_and_alignment(tmp_path):
    d = docx.Document()
    style = d.styles.add_style("Bo'lim", 1)  # paragraph style
    style.font.bold = True
    style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    d.add_paragraph("III. OMMAVIY TADBIRLAR", style="Bo'lim")
    p = d.add_paragraph(style="Bo'lim")
    p.add_run("Oddiy").bold = False  # explicit run property beats the style
    path = tmp_path / "s.docx"
    d.save(path)
    first, second = read_document(path).paragraphs
    assert (first.bold, first.align, first.style) == (True, "center", "Bo'lim")
    assert second.bold is False


def _docx_with_body(tmp_path: Path, body: str) -> Path:
    buf = io.BytesIO()
    docx.Document().save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    xml = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>'
    path = tmp_path / "raw.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, xml if info.filename == "word/document.xml" else src.read(info))
    return path


def _tc(text: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def test_grid_before_legacy_hmerge_nested_table_and_sdt(tmp_path):
    nested = "<w:tbl><w:tr>" + _tc("ichki A") + _tc("ichki B") + "</w:tr></w:tbl>"
    body = (
        '<w:sdt><w:sdtContent><w:p><w:r><w:t>Sarlavha</w:t></w:r></w:p></w:sdtContent></w:sdt>'
        "<w:tbl><w:tblGrid>" + '<w:gridCol w:w="1"/>' * 3 + "</w:tblGrid>"
        "<w:tr>" + _tc("A", '<w:hMerge w:val="restart"/>') + _tc("", "<w:hMerge/>") + _tc("C") + "</w:tr>"
        '<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>' + _tc("B2") + _tc("C2") + "</w:tr>"
        "<w:tr>" + _tc("x") + "<w:tc><w:p><w:r><w:t>tashqi</w:t></w:r></w:p>" + nested + "</w:tc>" + _tc("z")
        + "</w:tr></w:tbl>"
    )
    doc = read_document(_docx_with_body(tmp_path, body))
    assert doc.paragraphs[0].text == "Sarlavha"
    assert cells_of(doc.tables[0]) == [
        (0, 0, 1, 2, "A"), (0, 2, 1, 1, "C"),
        (1, 1, 1, 1, "B2"), (1, 2, 1, 1, "C2"),
        (2, 0, 1, 1, "x"), (2, 1, 1, 1, "tashqi\nichki A\nichki B"), (2, 2, 1, 1, "z"),
    ]
    assert any("nested table" in w for w in doc.warnings)


def test_a_text_box_is_its_own_paragraph_and_deleted_text_is_skipped(tmp_path):
    body = (
        "<w:p><w:r><w:t>Ko'rinadigan</w:t></w:r>"
        "<w:del><w:r><w:delText>o'chirilgan</w:delText></w:r></w:del>"
        "<w:r><w:pict><w:txbxContent><w:p><w:r><w:t>matn qutisi</w:t></w:r></w:p></w:txbxContent></w:pict></w:r>"
        "<w:r><w:tab/><w:t>tab</w:t></w:r></w:p>"
    )
    doc = read_document(_docx_with_body(tmp_path, body))
    # the box's text stands before the paragraph that anchors it, never inside its text (issue 17)
    assert [p.text for p in doc.paragraphs] == ["matn qutisi", "Ko'rinadigan\ttab"]


def test_vmerge_continue_without_restart_is_a_cell(tmp_path):
    # A stray "continue" with nothing open above is kept as a cell, not dropped.
    body = "<w:tbl>" + "<w:tr>" + _tc("a", "<w:vMerge/>") + _tc("b") + "</w:tr>" + "</w:tbl>"
    table = read_document(_docx_with_body(tmp_path, body)).tables[0]
    assert cells_of(table) == [(0, 0, 1, 1, "a"), (0, 1, 1, 1, "b")]


def test_word_list_numbering_is_rendered(tmp_path):
    """Auto-numbered "№" cells hold no text in the XML; the reader renders Word's labels."""
    d = docx.Document()
    t = d.add_table(rows=3, cols=2)
    t.cell(0, 0).text = "№"
    t.cell(0, 1).text = "Tadbir"
    for r in (1, 2):
        t.cell(r, 0).paragraphs[0].style = d.styles["List Number"]
        t.cell(r, 1).text = f"Tadbir {r}"
    t.cell(2, 1).add_paragraph("kitob", style="List Bullet")
    path = tmp_path / "num.docx"
    d.save(path)
    table = read_document(path).tables[0]
    assert [table.row_texts(r) for r in range(3)] == [
        ["№", "Tadbir"], ["1.", "Tadbir 1"], ["2.", "Tadbir 2\n•\tkitob"]]


def test_number_formats():
    from reja.extract.docx_numbering import format_number

    assert [format_number(n, "upperRoman") for n in (1, 4, 9, 14, 2025)] == ["I", "IV", "IX", "XIV", "MMXXV"]
    assert [format_number(n, "lowerLetter") for n in (1, 26, 27)] == ["a", "z", "aa"]
    assert format_number(3, "russianLower") == "в" and format_number(7, "decimalZero") == "07"
