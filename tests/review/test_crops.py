"""Review findings on the page crop of the review page: a district's PDF decides the page size, so
rendering must be bounded (a 200-inch page at zoom 2 is a 3 GB bitmap) and a damaged or replaced
source file means "no picture", not a server error."""

import io

import pypdfium2 as pdfium
import pytest
from PIL import Image

from reja.review import crops


def _pdf(path, width_pt, height_pt):
    pdf = pdfium.PdfDocument.new()
    pdf.new_page(width_pt, height_pt)
    pdf.save(str(path))
    pdf.close()
    return path


def test_a_huge_page_is_rendered_within_the_pixel_budget(tmp_path, monkeypatch):
    source = _pdf(tmp_path / "huge.pdf", 14400, 14400)  # the largest page PDF allows: 200 × 200 inches
    scales = []
    original = pdfium.PdfPage.render

    def spy(self, *args, scale=1, **kwargs):
        scales.append(scale)
        return original(self, *args, scale=min(scale, 0.05), **kwargs)  # keep this test itself cheap

    monkeypatch.setattr(pdfium.PdfPage, "render", spy)
    crops.crop_png(source, "pdf", 1, None, scan_dpi=300)
    assert scales, "the page was not rendered"
    assert (14400 * scales[0]) ** 2 <= crops.MAX_RENDER_PIXELS


def test_a_normal_page_keeps_its_zoom_and_box(tmp_path):
    source = _pdf(tmp_path / "a4.pdf", 595, 842)
    png = crops.crop_png(source, "pdf", 1, "[100, 200, 300, 250]", scan_dpi=300, zoom=2.0)
    image = Image.open(io.BytesIO(png))
    pad = crops.PAD * 2
    assert image.size == (200 * 2 + 2 * pad, 50 * 2 + 2 * pad)


def test_a_damaged_source_file_gives_no_picture(tmp_path):
    source = tmp_path / "plan.pdf"
    source.write_bytes(b"%PDF-1.4\nthis is not a PDF any more\n")
    assert crops.crop_png(source, "pdf", 1, None, scan_dpi=300) is None


@pytest.mark.parametrize("scan_dpi", [150, 300])
def test_a_scan_box_is_read_in_pixels_at_the_dpi_given(tmp_path, scan_dpi):
    """A scanned page's boxes are pixels of the page as the scan reader prepared it, at the working dpi
    its settings give (passed down: the module read scan.yaml itself once, at import)."""
    source = _pdf(tmp_path / "scan.pdf", 595, 842)
    png = crops.crop_png(source, "scan", 1, "[200, 400, 600, 500]", scan_dpi=scan_dpi, zoom=2.0)
    image = Image.open(io.BytesIO(png))
    pad = crops.PAD * 2
    to_points = 72 / scan_dpi
    assert image.size == (round(400 * to_points * 2) + 2 * pad, round(100 * to_points * 2) + 2 * pad)
