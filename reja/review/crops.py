"""The picture of a row's source next to its fields: a crop of the PDF or scanned page around the
row's box. DOCX has no pages, so there is no crop for it (the page says so)."""

from __future__ import annotations

import io
import json
from pathlib import Path

SCAN_DPI = 300  # the scan reader's boxes are pixels of pages prepared at this resolution
PAD = 12  # points of context around the row
# The district's PDF decides the page size (up to 200 × 200 inches); the page is rendered at most this
# big, so one odd page cannot make the review page allocate gigabytes (~ A3 at 300 dpi).
MAX_RENDER_PIXELS = 20_000_000


def _box(bbox_json: str | None) -> tuple[float, float, float, float] | None:
    if not bbox_json:
        return None
    try:
        x0, top, x1, bottom = (float(v) for v in json.loads(bbox_json))
    except (TypeError, ValueError):
        return None
    return x0, top, x1, bottom


def crop_png(source: Path, source_format: str, page: int | None, bbox_json: str | None,
             *, zoom: float = 2.0) -> bytes | None:
    """PNG bytes of the row's region, or None when the format has no page picture."""
    if source_format not in ("pdf", "scan") or page is None or not source.is_file():
        return None
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(source))
    except pdfium.PdfiumError:  # the file at that path was replaced or damaged since the import
        return None
    try:
        if not 1 <= page <= len(pdf):
            return None
        pdf_page = pdf[page - 1]
        width, height = pdf_page.get_size()
        zoom = min(zoom, (MAX_RENDER_PIXELS / max(width * height, 1.0)) ** 0.5)
        image = pdf_page.render(scale=zoom).to_pil()
    except pdfium.PdfiumError:
        return None
    finally:
        pdf.close()
    box = _box(bbox_json)
    if box is not None:
        # PDF boxes are points (1/72 in); scan boxes are pixels at SCAN_DPI
        unit = zoom if source_format == "pdf" else zoom * 72 / SCAN_DPI
        x0, top, x1, bottom = (v * unit for v in box)
        pad = PAD * zoom
        image = image.crop((max(0, x0 - pad), max(0, top - pad),
                            min(image.width, x1 + pad), min(image.height, bottom + pad)))
    else:
        image.thumbnail((1000, 1400))
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()
