"""Review findings on format detection: a DOCX whose main part is not named word/document.xml
(Word for the web and some phone apps write word/document2.xml; the package's [Content_Types].xml
and _rels/.rels say where it is) is a Word document, not "an Office package without a Word part"."""

import zipfile

import docx
from reja.extract.detect import detect_format
from reja.extract.readers import read_document


def _renamed_main_part(tmp_path):
    plain = tmp_path / "plain.docx"
    d = docx.Document()
    d.add_paragraph("Izboskan tumani AKM ish rejasi")
    d.save(plain)
    out = tmp_path / "reja_2025.docx"
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data, name = zin.read(info.filename), info.filename
            if name in ("[Content_Types].xml", "_rels/.rels"):
                data = data.replace(b"word/document.xml", b"word/document2.xml")
            name = {"word/document.xml": "word/document2.xml",
                    "word/_rels/document.xml.rels": "word/_rels/document2.xml.rels"}.get(name, name)
            zout.writestr(name, data)
    return out


def test_a_docx_with_a_renamed_main_part_is_detected_and_read(tmp_path):
    path = _renamed_main_part(tmp_path)
    assert detect_format(path) == "docx"
    doc = read_document(path)
    assert "Izboskan tumani AKM ish rejasi" in str(doc.blocks)


def test_an_xlsx_named_docx_is_taken_as_a_workbook_not_a_word_document(tmp_path):
    path = tmp_path / "plan.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", '<Types><Override PartName="/xl/workbook.xml" ContentType='
                    '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
        zf.writestr("xl/workbook.xml", "<workbook/>")
    assert detect_format(path) == "xlsx"
