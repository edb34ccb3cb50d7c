"""Memory bombs in small files (issue 24, case 2): the parsers bound what a few bytes can ask for.

- a numbering.xml asking for a Roman numeral (or a letter label) of two billion: gigabytes of "m";
- a `w:gridSpan` of 300 000 000 in a three-column table: a grid of gigabytes;
- a PDF page with hundreds of thousands of path operators: counted on the raw content stream,
  before pdfminer builds one object per operator (4 million cost 5.6 GB).
"""

from __future__ import annotations

import io
import re
import time
import zipfile

import docx
import pdfplumber.page
import pytest
from reja.extract import errors
from reja.extract.docx_numbering import MAX_LIST_NUMBER, format_number
from reja.extract.limits import Limits
from reja.extract.readers import read_document

from tests.hostile.make_corpus import docx_bytes, minimal_pdf, para_xml


def _numbered_docx(path, *, fmt: str, start: int):
    """A table whose "№" cells use Word's list numbering, the list asking for `fmt` from `start`."""
    d = docx.Document()
    t = d.add_table(rows=3, cols=2)
    t.cell(0, 0).text = "№"
    t.cell(0, 1).text = "Tadbir"
    for r in (1, 2):
        t.cell(r, 0).paragraphs[0].style = d.styles["List Number"]
        t.cell(r, 1).text = f"Tadbir {r}"
    buf = io.BytesIO()
    d.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/numbering.xml":
                text = data.decode("utf-8")
                text = re.sub(r'<w:numFmt w:val="decimal"/>', f'<w:numFmt w:val="{fmt}"/>', text)
                text = re.sub(r'<w:start w:val="\d+"/>', f'<w:start w:val="{start}"/>', text)
                data = text.encode("utf-8")
            zf.writestr(info.filename, data)
    return path


@pytest.mark.parametrize("fmt", ["upperRoman", "lowerLetter", "russianUpper"])
def test_a_huge_list_start_is_shown_in_digits_not_built_as_a_numeral(tmp_path, fmt):
    path = _numbered_docx(tmp_path / "roman.docx", fmt=fmt, start=2_000_000_000)
    start = time.monotonic()
    table = read_document(path).tables[0]
    assert [table.row_texts(r)[0] for r in (1, 2)] == ["2000000000.", "2000000001."]
    assert time.monotonic() - start < 10


def test_ordinary_list_numbers_keep_their_format():
    assert format_number(MAX_LIST_NUMBER, "upperRoman") == "M" * 32 + "DCCLXVII"  # 32767 = 32×1000 + 767
    assert format_number(2025, "upperRoman") == "MMXXV"
    assert format_number(MAX_LIST_NUMBER + 1, "upperRoman") == str(MAX_LIST_NUMBER + 1)
    assert format_number(-3, "lowerLetter") == "-3"


def _span_table(span: str, grid_cols: int = 3, before: str | None = None) -> str:
    grid = "".join('<w:gridCol w:w="1000"/>' for _ in range(grid_cols))
    trpr = f'<w:trPr><w:gridBefore w:val="{before}"/></w:trPr>' if before else ""
    head = "<w:tr>" + "".join(f"<w:tc>{para_xml(t)}</w:tc>" for t in ("№", "Tadbir", "Miqdori")) + "</w:tr>"
    wide = (f'<w:tr>{trpr}<w:tc><w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>{para_xml("I. Bo‘lim")}</w:tc></w:tr>')
    return f"<w:tbl><w:tblGrid>{grid}</w:tblGrid>{head}{wide}</w:tbl>"


def test_a_grid_span_wider_than_the_grid_is_read_as_the_rest_of_the_row(tmp_path):
    path = tmp_path / "span.docx"
    path.write_bytes(docx_bytes(_span_table("300000000")))
    doc = read_document(path)
    table = doc.tables[0]
    assert table.n_cols == 3
    [wide] = [c for c in table.cells if c.row == 1]
    assert (wide.col, wide.colspan, wide.text) == (0, 3, "I. Bo‘lim")
    assert any("300000000 columns" in w for w in doc.warnings)


def test_grid_before_past_the_grid_stays_inside_it(tmp_path):
    path = tmp_path / "before.docx"
    path.write_bytes(docx_bytes(_span_table("1", before="300000000")))
    table = read_document(path).tables[0]
    assert table.n_cols == 3


def test_a_table_without_a_grid_is_bounded_by_the_column_limit(tmp_path):
    row = '<w:tr><w:tc><w:tcPr><w:gridSpan w:val="300000000"/></w:tcPr>' + para_xml("x") + "</w:tc></w:tr>"
    path = tmp_path / "nogrid.docx"
    path.write_bytes(docx_bytes(f"<w:tbl>{row}</w:tbl>"))
    table = read_document(path).tables[0]
    assert table.n_cols == Limits().max_table_cols


def test_a_grid_of_thousands_of_columns_is_refused(tmp_path):
    path = tmp_path / "wide.docx"
    path.write_bytes(docx_bytes(_span_table("1", grid_cols=5000)))
    with pytest.raises(errors.TooLarge, match="5000 grid columns"):
        read_document(path)


@pytest.fixture
def objects_never_built(monkeypatch):
    """Make building the page's objects fail loudly: the operator count must come first."""

    def refuse(self):
        raise AssertionError("pdfminer was asked to build the page's objects")

    monkeypatch.setattr(pdfplumber.page.Page, "objects", property(refuse))


def test_path_operators_are_counted_before_pdfminer_builds_objects(tmp_path, objects_never_built):
    rects = b"".join(b"%d 10 1 1 re " % (i % 500) for i in range(5000)) + b"f "
    path = tmp_path / "rects.pdf"
    path.write_bytes(minimal_pdf(["chiziqlar"], drawing=rects))
    with pytest.raises(errors.TooLarge, match="more than 1000 path operators") as info:
        read_document(path, limits=Limits(max_page_operators=1000))
    assert info.value.page == 1


def test_half_a_million_rectangles_are_refused_with_the_default_limits(tmp_path, objects_never_built):
    rects = b"0 0 1 1 re\n" * 450_000 + b"f\n"
    path = tmp_path / "many_rects.pdf"
    path.write_bytes(minimal_pdf(["chiziqlar"], drawing=rects))
    start = time.monotonic()
    with pytest.raises(errors.TooLarge, match="path operators"):
        read_document(path)
    assert time.monotonic() - start < 30


def test_a_form_drawn_many_times_counts_each_time(tmp_path, objects_never_built):
    """1 000 rectangles in a form XObject, drawn 500 times: 500 000 objects from 13 KB of content."""
    form = b"0 0 1 1 re\n" * 1000 + b"f\n"
    page = b"/Fm0 Do\n" * 500
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /XObject << /Fm0 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(page) + page + b"\nendstream",
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Length %d >>\nstream\n" % len(form)
        + form + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % off for off in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    path = tmp_path / "forms.pdf"
    path.write_bytes(out.getvalue())
    with pytest.raises(errors.TooLarge, match="more than 400000 path operators"):
        read_document(path)


def test_an_ordinary_ruled_page_is_far_below_the_operator_limit(tmp_path):
    """The limit is not tuned to refuse real plans: a ruled 40-row, 6-column table page draws
    ~500 lines, three orders of magnitude under it."""
    lines = b"".join(b"%d 100 m %d 700 l S " % (50 + 80 * c, 50 + 80 * c) for c in range(7))
    lines += b"".join(b"50 %d m 530 %d l S " % (100 + 15 * r, 100 + 15 * r) for r in range(41))
    path = tmp_path / "ruled.pdf"
    path.write_bytes(minimal_pdf(["Tadbirlar"], drawing=lines))
    doc = read_document(path)
    assert doc.page_count == 1
