"""Spec → DOCX with python-docx: title block, plan tables and the paragraphs between them.

Styling options (family layout): borders full | none | header_rule; sections as merged rows, shaded
rows or paragraphs; title block as paragraphs, a borderless two-column table or a text box; item
numbers typed or as Word list numbering; a table continued after a page break.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from reja.variety.layout import blocks

WIDTH_CM = {"number": 1.2, "text": 9.0, "unit": 2.2, "fact": 2.0, "plan": 2.0, "q1": 1.6, "q2": 1.6, "q3": 1.6,
            "q4": 1.6, "mechanism": 3.2, "deadline": 2.8, "responsible": 3.5, "note": 2.2}


def _borders(el, tag: str, sides: dict[str, str]) -> None:
    """Set `w:tblBorders`/`w:tcBorders` sides: {"top": "single", "insideH": "nil", …}."""
    pr = el
    b = pr.find(qn(tag))
    if b is None:
        b = OxmlElement(tag)
        pr.append(b)
    for side, val in sides.items():
        e = OxmlElement(f"w:{side}")
        e.set(qn("w:val"), val)
        if val != "nil":
            e.set(qn("w:sz"), "6")
            e.set(qn("w:space"), "0")
            e.set(qn("w:color"), "000000")
        b.append(e)


def _table_borders(table, style: str) -> None:
    tbl_pr = table._tbl.tblPr
    sides = ("top", "left", "bottom", "right", "insideH", "insideV")
    _borders(tbl_pr, "w:tblBorders", {s: ("single" if style == "full" else "nil") for s in sides})


def _shade(cell, fill: str = "D9D9D9") -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _write(cell, text: str, bold: bool = False, size: float = 10) -> None:
    lines = text.split("\n")
    p = cell.paragraphs[0]
    for k, line in enumerate(lines):
        if k:
            p = cell.add_paragraph()
        run = p.add_run(line)
        run.bold = bold
        run.font.size = Pt(size)


def _list_number(paragraph, num_id: int) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    num_pr = OxmlElement("w:numPr")
    ilvl = OxmlElement("w:ilvl")
    ilvl.set(qn("w:val"), "0")
    nid = OxmlElement("w:numId")
    nid.set(qn("w:val"), str(num_id))
    num_pr.append(ilvl)
    num_pr.append(nid)
    p_pr.append(num_pr)


def _add_numbering(doc) -> int:
    """A decimal list "1." in the numbering part; returns its numId."""
    numbering = doc.part.numbering_part.element
    abstract = OxmlElement("w:abstractNum")
    abstract.set(qn("w:abstractNumId"), "90")
    lvl = OxmlElement("w:lvl")
    lvl.set(qn("w:ilvl"), "0")
    for tag, val in (("w:start", "1"), ("w:numFmt", "decimal"), ("w:lvlText", "%1."), ("w:lvlJc", "left")):
        e = OxmlElement(tag)
        e.set(qn("w:val"), val)
        lvl.append(e)
    abstract.append(lvl)
    numbering.insert(0, abstract)
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), "90")
    ref = OxmlElement("w:abstractNumId")
    ref.set(qn("w:val"), "90")
    num.append(ref)
    numbering.append(num)
    return 90


def _restart_numbering(doc, start: int) -> int:
    """A new instance of the list of `_add_numbering` that starts again at `start` (Word continues one
    list across tables; a plan that numbers items per section restarts it); returns its numId."""
    numbering = doc.part.numbering_part.element
    num_id = 1 + max(int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num")))
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), str(num_id))
    ref = OxmlElement("w:abstractNumId")
    ref.set(qn("w:val"), "90")
    num.append(ref)
    over = OxmlElement("w:lvlOverride")
    over.set(qn("w:ilvl"), "0")
    so = OxmlElement("w:startOverride")
    so.set(qn("w:val"), str(start))
    over.append(so)
    num.append(over)
    numbering.append(num)
    return num_id


def _title_lines(meta: dict) -> tuple[list[str], list[str]]:
    agreed = [meta["agreed_word"], meta["agreed_role"], meta["agreed_by"] or "_________", meta["agreed_date"]]
    approved = [meta["approved_word"], meta["approved_role"], meta["approved_by"] or "_________",
                meta["approved_date"]]
    return agreed, approved


def _textbox(paragraph, lines: list[str]) -> None:
    """A VML text box floated to the right holding `lines` (as Word 2003+ files carry them)."""
    from docx.oxml import parse_xml

    body = "".join(
        f'<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{_xml(t)}</w:t></w:r></w:p>' for t in lines
    )
    xml = (
        '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">'
        '<w:pict><v:shape id="title_box" type="#_x0000_t202" o:spt="202" '
        'style="position:absolute;margin-left:480pt;margin-top:0;width:270pt;height:90pt;z-index:1" stroked="f">'
        f'<v:textbox><w:txbxContent>{body}</w:txbxContent></v:textbox></v:shape></w:pict></w:r>'
    )
    paragraph._p.append(parse_xml(xml))


def _xml(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _title_block(doc, spec: dict) -> None:
    meta, style = spec["meta"], spec["layout"].get("title_block", "paragraphs")
    agreed, approved = _title_lines(meta)
    if style == "table":
        t = doc.add_table(rows=1, cols=2)
        _table_borders(t, "none")
        for cell, lines in zip(t.rows[0].cells, (agreed, approved), strict=True):
            _write(cell, "\n".join(lines), bold=False, size=11)
    elif style == "textbox":
        anchor = doc.add_paragraph()
        _textbox(anchor, approved)
        for line in agreed:
            doc.add_paragraph(line)
    else:
        for line in agreed:
            doc.add_paragraph(line)
        for line in approved:
            doc.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for line in (meta["organisation"], meta["title"]):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        r = p.add_run(line)
        r.bold = True
        r.font.size = Pt(13)


def render_docx(spec: dict, dest: Path) -> Path:
    doc = Document()
    sec = doc.sections[0]
    if spec["layout"].get("portrait"):
        sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    else:
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, side, Cm(1.5))
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(spec["layout"].get("font_pt", 11))
    normal.paragraph_format.space_after = Pt(0 if spec["layout"].get("font_pt") else 4)
    _title_block(doc, spec)
    roles = [c["role"] for c in spec["columns"]]
    borders = spec["layout"].get("borders", "full")
    num_id = _add_numbering(doc) if spec.get("numbering") == "auto" else None
    next_no = 1  # the number Word shows on the next list paragraph of `num_id`
    for block in blocks(spec):
        if block["kind"] == "paragraph":
            p = doc.add_paragraph()
            p.add_run(block["text"]).bold = block.get("bold", False)
            continue
        if block["kind"] == "page_break":
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            continue
        rows = block["rows"]
        table = doc.add_table(rows=len(rows), cols=len(roles))
        table.autofit = False
        scale = 0.65 if spec["layout"].get("portrait") else 1.0
        for c_i, role in enumerate(roles):  # LibreOffice reads the grid, Word the cells: set both
            table.columns[c_i].width = Cm(WIDTH_CM[role] * scale)
        _table_borders(table, "full" if borders == "full" else "none")
        for r_i, row in enumerate(rows):
            tr = table.rows[r_i]
            for c_i, role in enumerate(roles):
                tr.cells[c_i].width = Cm(WIDTH_CM[role] * scale)
            if row.get("span"):
                merged = tr.cells[0].merge(tr.cells[len(roles) - 1])
                _write(merged, row["span"], bold=True, size=spec["layout"].get("font_pt", 10))
                if row.get("shaded"):
                    _shade(merged)
                continue
            header = row["kind"] in ("header", "colnum")
            bold = row["kind"] == "header" or bool(row.get("bold"))
            for c_i, text in enumerate(row["cells"]):
                cell = tr.cells[c_i]
                _write(cell, text, bold=bold, size=spec["layout"].get("font_pt", 10))
                if header and borders == "header_rule" and row["kind"] == "header":
                    _borders(cell._tc.get_or_add_tcPr(), "w:tcBorders", {"bottom": "single"})
            if row.get("auto_number") and num_id is not None:
                no = str(row.get("item_no") or "")
                if no.isdigit() and int(no) != next_no:  # the spec's numbers restart (per section)
                    num_id, next_no = _restart_numbering(doc, int(no)), int(no)
                _list_number(tr.cells[roles.index("number")].paragraphs[0], num_id)
                next_no += 1
            if row["kind"] == "header" and block["header_rows"]:
                _repeat_header(tr)
        for r0, c0, r1, c1 in block.get("merges", []):  # header groups, a deadline shared by parts
            table.cell(r0, c0).merge(table.cell(r1, c1))
        doc.add_paragraph()
    buf = io.BytesIO()
    doc.save(buf)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(buf.getvalue())
    return dest


def picture_docx(images: list[bytes], dest: Path, width_cm: float = 26.0) -> Path:
    """A DOCX whose pages are photos pasted in (a clerk who photographed the plan and sent it in Word)."""
    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, side, Cm(1.0))
    for k, data in enumerate(images):
        if k:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        doc.add_paragraph().add_run().add_picture(io.BytesIO(data), width=Cm(width_cm))
    buf = io.BytesIO()
    doc.save(buf)
    dest.write_bytes(buf.getvalue())
    return dest

