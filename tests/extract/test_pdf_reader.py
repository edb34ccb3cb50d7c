"""PDF reader: spans rebuilt from cell rectangles, page numbers, bold, paragraphs interleaved with
tables, text-less pages routed to the scan reader and merged back in page order."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import docx
import pytest
from reja.extract import readers
from reja.extract.ir import Cell, Document, Paragraph, Table
from reja.extract.limits import Deadline, Limits
from reja.extract.pdf_reader import grid_spans, read_pdf
from reja.extract.readers import read_document
from reja.extract.settings import load_parse_settings

from tests.extract.test_docx_reader import build_plan_docx
from tests.hostile.make_corpus import minimal_pdf

# --- pure geometry ---------------------------------------------------------------------------------


def test_grid_spans_from_rectangles():
    # Two-row header: A over two rows; B over two columns with C, D below; E a body row across all.
    rects = [
        (0, 0, 10, 20),  # A
        (10, 0, 30, 10),  # B
        (10, 10, 20, 20),  # C
        (20.8, 10.5, 30, 20),  # D (edges off by < 2 pt, as renderers leave them)
        (0, 20, 30, 30),  # E
    ]
    n_rows, n_cols, placed = grid_spans(rects)
    assert (n_rows, n_cols) == (3, 3)
    assert placed == [(0, 0, 2, 1), (0, 1, 1, 2), (1, 1, 1, 1), (1, 2, 1, 1), (2, 0, 1, 3)]


# --- real PDFs from LibreOffice --------------------------------------------------------------------


def _soffice_pdf(src: Path, outdir: Path) -> Path:
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(outdir / 'profile').as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(outdir), str(src)],
        check=True, capture_output=True, timeout=180,
    )
    return outdir / (src.stem + ".pdf")


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pdf")
    plan = build_plan_docx(tmp / "plan.docx")
    long = docx.Document()
    long.add_paragraph("UZUN JADVAL")
    t = long.add_table(rows=80, cols=3)
    t.style = "Table Grid"
    for r in range(80):
        t.cell(r, 0).text = str(r + 1)
        t.cell(r, 1).text = f"Tadbir {r + 1}"
    long.save(tmp / "long.docx")
    return {"plan": _soffice_pdf(plan, tmp), "long": _soffice_pdf(tmp / "long.docx", tmp)}


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.slow
def test_pdf_spans_text_and_order(pdfs):
    doc = read_document(pdfs["plan"])
    assert doc.format == "pdf" and doc.page_count == 1
    kinds = [type(b).__name__ for b in doc.blocks]
    assert kinds == ["Paragraph", "Paragraph", "Table", "Paragraph", "Table"]
    assert (doc.blocks[0].text, doc.blocks[0].bold, doc.blocks[0].page) == ("TASDIQLAYMAN", True, 1)
    assert (doc.blocks[3].text, doc.blocks[3].bold) == ("II. ILMIY-METODIK FAOLIYAT", True)
    table = doc.tables[0]
    assert (table.n_rows, table.n_cols, table.index, table.page) == (6, 5, 0, 1)
    got = [(c.row, c.col, c.rowspan, c.colspan, flat(c.text)) for c in table.cells]
    assert got == [
        (0, 0, 2, 1, "№"), (0, 1, 2, 1, "Tadbir nomi"), (0, 2, 1, 2, "Miqdori"), (0, 4, 2, 1, "Muddati"),
        (1, 2, 1, 1, "2024-yil (fakt)"), (1, 3, 1, 1, "2025-yil (reja)"),
        (2, 0, 1, 5, "I. TASHKILIY ISHLAR"),
        (3, 0, 1, 1, "1."), (3, 1, 1, 1, "Kitobxonlik kechasi (Китоб кечаси)"), (3, 2, 1, 1, "12"),
        (3, 3, 1, 1, "15"), (3, 4, 2, 1, "Yil davomida"),
        (4, 0, 1, 1, "2."), (4, 1, 1, 1, "Shundan: kitob ko'rgazmasi"), (4, 2, 1, 1, "–"), (4, 3, 1, 1, "3"),
        (5, 0, 1, 1, "3."), (5, 1, 1, 1, "Qisman qalin"), (5, 2, 1, 1, ""), (5, 3, 1, 1, ""), (5, 4, 1, 1, ""),
    ]
    cells = {(c.row, c.col): c for c in table.cells}
    assert cells[2, 0].bold and not cells[5, 1].bold and cells[4, 1].italic
    assert "\n" in cells[3, 1].text  # the line break inside the cell is kept
    assert all(c.page == 1 and c.bbox is not None for c in table.cells)
    # The merged section cell spans the table's width.
    assert cells[2, 0].bbox[0] == pytest.approx(table.bbox[0], abs=1)
    assert cells[2, 0].bbox[2] == pytest.approx(table.bbox[2], abs=1)


@pytest.mark.slow
def test_table_across_pages_is_one_table_per_page(pdfs):
    doc = read_document(pdfs["long"])
    assert doc.page_count >= 2
    tables = doc.tables
    assert [t.page for t in tables] == list(range(1, len(tables) + 1))
    assert [t.index for t in tables] == list(range(len(tables)))
    assert sum(t.n_rows for t in tables) == 80
    numbers = [c.text for t in tables for c in t.cells if c.col == 0]
    assert numbers == [str(i) for i in range(1, 81)]


# --- scan routing ----------------------------------------------------------------------------------


def _image_pdf(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (300, 400), "white").save(path, "PDF")
    return path


def test_image_only_page_goes_to_scan(tmp_path):
    result = read_pdf(_image_pdf(tmp_path / "scan.pdf"), name="scan.pdf", limits=Limits(),
                      deadline=Deadline(60, "scan.pdf"), scores=load_parse_settings().header)
    assert result.scan_pages == [1] and result.document.blocks == []


def test_mixed_pdf_merges_typed_and_scanned_pages_in_order(tmp_path, monkeypatch):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in (minimal_pdf(["Birinchi sahifa"]), _image_pdf(tmp_path / "img.pdf").read_bytes(),
                 minimal_pdf(["Uchinchi sahifa"])):
        writer.append(PdfReader(io.BytesIO(part)))
    mixed = tmp_path / "mixed.pdf"
    with open(mixed, "wb") as fh:
        writer.write(fh)
    calls = []

    def fake_scan(path, pages, settings, jobs, ocr_cache, **_options):  # new_alphabet=… (scan options)
        calls.append(pages)
        table = Table(index=0, n_rows=1, n_cols=1, cells=[Cell(0, 0, "ocr", page=2)], page=2)
        return Document(source=path.name, format="scan", blocks=[Paragraph("skan matni", page=2), table])

    monkeypatch.setattr(readers, "_scan", fake_scan)
    doc = read_document(mixed)
    assert calls == [[2]]
    assert [(type(b).__name__, b.page) for b in doc.blocks] == [
        ("Paragraph", 1), ("Paragraph", 2), ("Table", 2), ("Paragraph", 3)]
    assert doc.blocks[0].text == "Birinchi sahifa" and doc.blocks[3].text == "Uchinchi sahifa"
    assert doc.format == "pdf" and doc.page_count == 3 and doc.tables[0].index == 0


def test_owner_password_only_pdf_is_read(tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(minimal_pdf(["Ochiq matn"]))))
    writer.encrypt(user_password="", owner_password="egasi", algorithm="AES-128")
    path = tmp_path / "owner.pdf"
    with open(path, "wb") as fh:
        writer.write(fh)
    assert [p.text for p in read_document(path).paragraphs] == ["Ochiq matn"]


@pytest.mark.slow
def test_a_word_a_narrow_column_broke_without_a_hyphen_is_read_whole(tmp_path):
    # LibreOffice breaks a word wider than its column ("Мунтаза" / "м"); the cell reads the word, while two
    # words wrapped at their space stay two words
    from docx.shared import Cm

    d = docx.Document()
    t = d.add_table(rows=3, cols=2)
    t.style = "Table Grid"
    t.autofit = False
    words = ["Мунтазам", "Muntazam", "Yil davomida"]
    for r, text in enumerate(words):
        t.cell(r, 0).text = text
        t.cell(r, 1).text = f"Tadbir {r + 1}"
    t.columns[0].width, t.columns[1].width = Cm(1.2), Cm(8)  # the grid LibreOffice lays out by
    for row in t.rows:
        row.cells[0].width, row.cells[1].width = Cm(1.2), Cm(8)
    d.save(tmp_path / "narrow.docx")
    table = read_document(_soffice_pdf(tmp_path / "narrow.docx", tmp_path)).tables[0]
    cells = {(c.row, c.col): c.text for c in table.cells}
    assert [flat(cells[r, 0]) for r in range(3)] == words
