"""The picture of a row's source next to its fields: a crop of the PDF or scanned page around the
row's box, with the table's header strip above it (cut from the page where the table starts), at a
scale where the text reads as on paper. DOCX has no pages: reja.review.source_rows shows those."""

from __future__ import annotations

import io
import json
from pathlib import Path

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


def _render(pdf, page: int, zoom: float):
    import pypdfium2 as pdfium

    if not 1 <= page <= len(pdf):
        return None, zoom
    try:
        pdf_page = pdf[page - 1]
        width, height = pdf_page.get_size()
        zoom = min(zoom, (MAX_RENDER_PIXELS / max(width * height, 1.0)) ** 0.5)
        return pdf_page.render(scale=zoom).to_pil(), zoom
    except pdfium.PdfiumError:
        return None, zoom


def _cut(image, box, source_format: str, zoom: float, scan_dpi: int):
    unit = zoom if source_format == "pdf" else zoom * 72 / scan_dpi  # PDF points / scan pixels at scan_dpi
    x0, top, x1, bottom = (v * unit for v in box)
    pad = PAD * zoom
    return image.crop((max(0, x0 - pad), max(0, top - pad), min(image.width, x1 + pad), min(image.height, bottom + pad)))


def crop_png(source: Path, source_format: str, page: int | None, bbox_json: str | None,
             *, scan_dpi: int, zoom: float = 2.0, header: tuple[int, str] | None = None) -> bytes | None:
    """PNG bytes of the row's region, or None when the format has no page picture. `scan_dpi`: the
    working resolution of the scan reader (`ScanSettings.dpi`), whose boxes are pixels of pages
    prepared at it.

    `header` = (page, box JSON) of the table's header strip: it is cut from its page and stacked
    above the row, so the clerk sees which column is which."""
    if source_format not in ("pdf", "scan") or page is None or not source.is_file():
        return None
    import pypdfium2 as pdfium
    from PIL import Image

    try:
        pdf = pdfium.PdfDocument(str(source))
    except pdfium.PdfiumError:  # the file at that path was replaced or damaged since the import
        return None
    try:
        image, used = _render(pdf, page, zoom)
        if image is None:
            return None
        box = _box(bbox_json)
        head = None
        if box is not None:
            row = _cut(image, box, source_format, used, scan_dpi)
            head_box = _box(header[1]) if header else None
            if head_box is not None:
                head_page, head_used = (image, used) if header[0] == page else _render(pdf, header[0], zoom)
                if head_page is not None:
                    head = _cut(head_page, (box[0], head_box[1], box[2], head_box[3]), source_format, head_used,
                                scan_dpi)
            image = row
        else:
            image.thumbnail((1000, 1400))
    finally:
        pdf.close()
    if head is not None and head.height > 0:
        stacked = Image.new("RGB", (max(head.width, image.width), head.height + 3 + image.height), "white")
        stacked.paste(head.convert("RGB"), (0, 0))
        stacked.paste((40, 90, 200), (0, head.height, stacked.width, head.height + 3))  # where the header ends
        stacked.paste(image.convert("RGB"), (0, head.height + 3))
        image = stacked
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()
