"""Word features around a plan (issue 17): a title block in a text box or in the page header, content
controls, fields, tracked changes (insertions accepted, deletions dropped) and comments (ignored).
Each DOCX is written here with python-docx plus the raw WordprocessingML of the feature; the expected
values are the ones written."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from docx import Document
from docx.oxml import parse_xml
from docx.shared import Cm
from reja.extract.readers import read_document

from reja.pipeline import parse_file

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
MC = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
WPS = 'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
V = 'xmlns:v="urn:schemas-microsoft-com:vml"'
ITEMS = [("1.", "Kitob fondini to'ldirish", "nusxa", "1075", "1750"),
         ("2.", "Davriy nashrlarga obuna", "nom", "12", "14")]


def _plan_table(doc):
    t = doc.add_table(rows=1 + len(ITEMS), cols=5)
    for c, h in enumerate(["№", "Nomi", "O'lchov birligi", "2023 yil fakt", "2024 yil reja"]):
        t.cell(0, c).text = h
    for r, row in enumerate(ITEMS, start=1):
        for c, v in enumerate(row):
            t.cell(r, c).text = v
    return t


def _runs(texts: list[str]) -> str:
    return "".join(f'<w:p><w:r><w:t xml:space="preserve">{t}</w:t></w:r></w:p>' for t in texts)


def _text_box_paragraph(lines: list[str]) -> str:
    """A paragraph anchoring a text box the way Word writes it: DrawingML choice and a VML fallback,
    both holding the same text."""
    body = _runs(lines)
    return (f'<w:p {W} {MC} {WPS} {V}><w:r><mc:AlternateContent>'
            f'<mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>{body}</w:txbxContent></wps:txbx>'
            f'</w:drawing></mc:Choice>'
            f'<mc:Fallback><w:pict><v:textbox><w:txbxContent>{body}</w:txbxContent></v:textbox></w:pict></mc:Fallback>'
            f'</mc:AlternateContent></w:r></w:p>')


def _items(plan):
    return [(i.item_no, i.text, i.unit, i.fact_value, i.plan_value) for i in plan.items]


WANT = [(no.rstrip("."), text, unit, float(f), float(p)) for no, text, unit, f, p in ITEMS]


def test_a_title_block_in_a_text_box_is_read_once(tmp_path):
    doc = Document()
    lines = ["TASDIQLAYMAN", "Paxtaobod tumani AKM direktori", "N.Burxonov", "2024-yil 6-yanvar"]
    doc.element.body.insert(0, parse_xml(_text_box_paragraph(lines)))
    doc.add_paragraph("Paxtaobod tumani AKMning 2024-yil uchun ish rejasi")
    _plan_table(doc)
    path = tmp_path / "reja.docx"
    doc.save(path)
    texts = [b.text for b in read_document(path).paragraphs]
    assert texts.count("TASDIQLAYMAN") == 1  # the VML fallback copy is not read again
    plan = parse_file(path)
    assert (plan.meta.approved_by, plan.meta.year) == ("N.Burxonov", 2024)
    assert _items(plan) == WANT


def test_the_plan_year_written_in_the_page_header_is_read(tmp_path):
    doc = Document()
    doc.sections[0].header.paragraphs[0].text = "Paxtaobod tumani AKMning 2024-yilga mo'ljallangan ish rejasi"
    doc.add_paragraph("TASDIQLAYMAN")
    doc.add_paragraph("Direktor")
    doc.add_paragraph("N.Burxonov")
    _plan_table(doc)
    path = tmp_path / "reja.docx"
    doc.save(path)
    plan = parse_file(path)
    assert plan.meta.year == 2024
    assert plan.meta.district == "Paxtaobod tumani"
    assert _items(plan) == WANT


def test_content_controls_fields_tracked_changes_and_comments(tmp_path):
    doc = Document()
    doc.add_paragraph("Paxtaobod tumani AKMning 2024-yil uchun ish rejasi")
    t = _plan_table(doc)
    # the text of item 1 typed into a content control, with an accepted insertion and a dropped deletion
    cell = t.cell(1, 1)._tc
    cell.remove(cell.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"))
    cell.append(parse_xml(
        f'<w:sdt {W}><w:sdtPr><w:alias w:val="Tadbir"/></w:sdtPr><w:sdtContent><w:p>'
        '<w:r><w:t xml:space="preserve">Kitob fondini </w:t></w:r>'
        '<w:del w:id="1" w:author="a"><w:r><w:delText>eski </w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="a"><w:r><w:t>to\'ldirish</w:t></w:r></w:ins>'
        '<w:commentRangeStart w:id="3"/><w:commentRangeEnd w:id="3"/>'
        '<w:r><w:commentReference w:id="3"/></w:r>'
        '</w:p></w:sdtContent></w:sdt>'))
    # the plan value of item 2 as a field result (a formula field Word keeps the value of)
    cell = t.cell(2, 4)._tc
    cell.remove(cell.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"))
    cell.append(parse_xml(
        f'<w:p {W}><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> =10+4 </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>14</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'))
    path = tmp_path / "reja.docx"
    doc.save(path)
    assert _items(parse_file(path)) == WANT


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
                    reason="the page picture is rendered by LibreOffice and poppler")
def test_a_word_document_that_is_only_a_picture_of_the_plan_is_read_by_ocr(tmp_path):
    from tests.extract.typed_plan_fixtures import make_spec, to_pdf, write_docx

    spec = make_spec(n_sections=1, per_section=4, borders="all", header="uz_latn")
    pdf = to_pdf(write_docx(spec, tmp_path / "typed.docx"), tmp_path)
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True, timeout=120)
    page = next(tmp_path.glob("page*.png"))
    doc = Document()
    doc.add_picture(str(page), width=Cm(25))
    path = tmp_path / "rasm.docx"
    doc.save(path)
    plan = parse_file(path)
    assert [(i.item_no, i.plan_value) for i in plan.items] == [(it.no.rstrip("."), it.plan) for it in spec.items()]
    assert any("read as scanned pages" in w for w in plan.warnings)
