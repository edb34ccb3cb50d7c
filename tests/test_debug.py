"""`reja debug FILE --page N` (issue 16): the page as the parser saw it — found grid, header roles,
item boxes — for a PDF and for an image. Expected roles and items come from the sample's generator
spec and expected data (samples/spec, samples/expected), the page from the PDF's own text."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import yaml
from PIL import Image
from typer.testing import CliRunner

from reja.cli import app
from reja.debug import GRID, ITEM, PDF_ZOOM, ROLE, draw_page

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
PDF = SAMPLES / "izboskan_2025.pdf"
SPEC = yaml.safe_load((SAMPLES / "spec" / "izboskan_2025.yaml").read_text(encoding="utf-8"))
EXPECTED = json.loads((SAMPLES / "expected" / "izboskan_2025.json").read_text(encoding="utf-8"))
# the spec's columns in order; "amount" is the "Miqdori" group header over the fact and plan columns
SPEC_ROLES = [role for role in SPEC["columns"] if role != "amount"]


def _header_page() -> tuple[int, tuple[float, float]]:
    """The first page whose text has the spec's mechanism header, and its size in points."""
    pdf = pdfium.PdfDocument(str(PDF))
    try:
        for n in range(len(pdf)):
            if SPEC["columns"]["mechanism"] in pdf[n].get_textpage().get_text_range():
                return n + 1, pdf[n].get_size()
    finally:
        pdf.close()
    raise AssertionError("no page with the header")


def _has(img: np.ndarray, colour) -> int:
    return int(np.all(img == np.array(colour, np.uint8), axis=-1).sum())


def test_a_pdf_page_shows_the_grid_the_roles_and_the_items(tmp_path):
    page, (w, h) = _header_page()
    out = tmp_path / "p.png"
    view = draw_page(PDF, page, out)
    assert view.format == "pdf"
    assert view.roles[0] == SPEC_ROLES
    # the page's items are the plan's first items, in order, with their numbers as written
    assert len(view.items) >= 2
    assert view.items == [i["item_no"] for i in EXPECTED["items"][: len(view.items)]]
    img = np.asarray(Image.open(out).convert("RGB"))
    assert img.shape[:2] == (round(h * PDF_ZOOM), round(w * PDF_ZOOM))
    assert view.cells > len(SPEC_ROLES)
    assert _has(img, GRID) > 1000 and _has(img, ROLE) > 50 and _has(img, ITEM) > 1000


def test_an_image_is_drawn_on_the_page_the_scan_reader_prepared(tmp_path):
    """The same page as a 300 dpi photo-less PNG: OCR'd, the same header roles, the same first items."""
    page, _size = _header_page()
    pdf = pdfium.PdfDocument(str(PDF))
    png = tmp_path / "page.png"
    pdf[page - 1].render(scale=300 / 72).to_pil().convert("L").save(png, dpi=(300, 300))
    pdf.close()
    out = tmp_path / "scan.png"
    view = draw_page(png, 1, out)
    assert view.format == "scan"
    assert view.roles and view.roles[0] == SPEC_ROLES
    assert view.items[:2] == [i["item_no"] for i in EXPECTED["items"][:2]]
    img = np.asarray(Image.open(out).convert("RGB"))
    assert _has(img, GRID) > 1000 and _has(img, ITEM) > 1000


def test_the_command_writes_the_png_and_refuses_what_has_no_page(tmp_path):
    runner = CliRunner()
    page, _size = _header_page()
    out = tmp_path / "d.png"
    res = runner.invoke(app, ["--lang", "en", "debug", str(PDF), "--page", str(page), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.is_file() and "items" in res.output
    res = runner.invoke(app, ["--lang", "en", "debug", str(PDF), "--page", "99", "--out", str(tmp_path / "x.png")])
    assert res.exit_code == 2 and "no page 99" in res.output
    res = runner.invoke(app, ["--lang", "en", "debug", str(SAMPLES / "izboskan_2025.docx"), "--out", str(tmp_path / "y.png")])
    assert res.exit_code == 2 and "no pages" in res.output
    assert not (tmp_path / "x.png").exists() and not (tmp_path / "y.png").exists()


def test_an_ocred_page_of_a_pdf_is_drawn_in_pixels_a_typed_one_in_points():
    from reja.extract.ir import Cell, Document, Table

    from reja.debug import page_kind

    typed = Table(index=0, page=1, n_rows=1, n_cols=1, cells=[Cell(row=0, col=0, text="1", page=1)])
    ocred = Table(index=1, page=2, n_rows=1, n_cols=1, cells=[Cell(row=0, col=0, text="1", page=2, confidence=91.0)])
    doc = Document(source="mixed.pdf", format="pdf", blocks=[typed, ocred])
    assert [page_kind(doc, 1), page_kind(doc, 2)] == ["pdf", "scan"]
    assert page_kind(Document(source="a.png", format="scan"), 1) == "scan"
