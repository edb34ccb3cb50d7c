"""What the parser saw on one page, drawn on the page (issue 16; like pdfplumber's `debug_tablefinder`).

`reja debug FILE --page N` writes a PNG of page N with
- the found grid: every cell of every table the reader found on the page (blue),
- the header roles: the role the parser gave each column, written on its header cell (green; a column
  read as no role says "other"),
- the item boxes: the box of each item the parser built from the page's rows, with its number (red).

PDF pages with a text layer are drawn in PDF points scaled to pixels; scans, photos and the OCR'd pages
of a PDF on the page as the scan reader prepared it (upright, deskewed, at the working dpi), where their
boxes are. A PDF is read whole (all its scanned pages OCR'd); an image file only at page N. Formats without
pages (DOCX, sheets) have nothing to draw.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from reja.extract.header import header_span, is_column_numbering_row, roles_from_header
from reja.extract.ir import Document, Table
from reja.extract.model import ParsedPlan
from reja.extract.settings import ParseSettings, load_parse_settings

GRID = (40, 110, 230)
ROLE = (20, 150, 60)
ITEM = (220, 30, 30)
PDF_ZOOM = 2.0  # PDF points to pixels: 144 dpi, text reads at the roles' label size
_SCAN_FORMATS = ("png", "jpeg", "tiff", "heic", "zip")


class DebugError(ValueError):
    """The file has no page N, or its format has no pages to draw."""


@dataclass
class PageView:
    """What was drawn: per table on the page its column roles, and the items' numbers."""

    page: int
    format: str
    size: tuple[int, int]
    cells: int = 0
    roles: list[list[str]] = field(default_factory=list)
    items: list[str | None] = field(default_factory=list)


def _read(path: Path, page: int, settings: ParseSettings) -> Document:
    from reja.extract.detect import detect_format
    from reja.extract.readers import read_document

    if detect_format(path) in _SCAN_FORMATS:
        from reja.extract.scan import read_scan

        return read_scan(path, pages=[page], settings=settings)  # one page's OCR, not the whole file's
    return read_document(path, settings=settings)


def page_kind(doc: Document, page: int) -> str:
    """"pdf" when the page's boxes are PDF points, "scan" when they are pixels of the prepared page: a
    scan, a photo, or a PDF page with no text layer that was OCR'd (its cells carry a confidence)."""
    if doc.format != "pdf":
        return doc.format
    ocred = any(c.confidence is not None for t in doc.tables if _on_page(t, page) for c in t.cells)
    return "scan" if ocred else "pdf"


def _page_image(path: Path, doc: Document, page: int, settings: ParseSettings):
    """(RGB image, pixels per box unit) of page `page` as the document's boxes refer to it."""
    from PIL import Image

    kind = page_kind(doc, page)
    if kind == "pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
        try:
            if not 1 <= page <= len(pdf):
                raise DebugError(f"{path.name}: no page {page} (the file has {len(pdf)})")
            return pdf[page - 1].render(scale=PDF_ZOOM).to_pil().convert("RGB"), PDF_ZOOM
        finally:
            pdf.close()
    if kind == "scan":
        from reja.extract.scan.page import prepare_and_find
        from reja.extract.scan.rasterize import load_page

        img, dpi = load_page(path, page, settings.scan.dpi)
        prepared = prepare_and_find(img, dpi, settings.scan)[0]  # the page the boxes were found on
        return Image.fromarray(prepared.gray).convert("RGB"), 1.0
    raise DebugError(f"{path.name}: a {doc.format} document has no pages to draw")


def _on_page(table: Table, page: int) -> bool:
    return table.page == page or any(c.page == page for c in table.cells)


def _table_roles(table: Table, settings: ParseSettings) -> tuple[range, list[str]] | None:
    """(header rows, role per column) of the table's header, None when it has none."""
    for row in range(min(table.n_rows, 8)):
        span = header_span(table, row, settings.header)
        if span:
            return range(row, row + span), roles_from_header(table, row, span, settings.header).roles
    return None


def _role_cell(table: Table, grid, rows: range, col: int):
    """The lowest header cell of the column ("2024- yil (fakt)" under a merged "Miqdori")."""
    for row in reversed(rows):
        cell = grid[row][col]
        if cell is not None and cell.bbox is not None and not is_column_numbering_row(table, row):
            return cell
    return None


def _box(draw, bbox, unit: float, colour, width: int) -> tuple[float, float] | None:
    if bbox is None:
        return None
    x0, top, x1, bottom = (v * unit for v in bbox)
    draw.rectangle((x0, top, x1, bottom), outline=colour, width=width)
    return x0, top


def _label(draw, xy: tuple[float, float], text: str, colour, font, right: bool = False) -> None:
    """`text` on a white patch (left of `xy` when `right`), so it reads over the page's own text."""
    x0, y0, x1, y1 = draw.textbbox(xy, text, font=font)
    if right:
        x0, x1 = xy[0] - (x1 - x0), xy[0]
    draw.rectangle((x0 - 1, y0 - 1, x1 + 1, y1 + 1), fill=(255, 255, 255))
    draw.text((x0, xy[1]), text, fill=colour, font=font)


def _draw_table(draw, table: Table, page: int, unit: float, settings: ParseSettings, font, view: PageView) -> None:
    """The table's cells on the page (the grid) and each column's role on its lowest header cell."""
    for cell in table.cells:
        if cell.page in (None, page) and _box(draw, cell.bbox, unit, GRID, 1):
            view.cells += 1
    found = _table_roles(table, settings)
    if found is None:
        return
    rows, roles = found
    view.roles.append(roles)
    grid = table.grid()
    for col, role in enumerate(roles):
        cell = _role_cell(table, grid, rows, col)
        if cell is not None and cell.page in (None, page):
            _label(draw, (cell.bbox[0] * unit + 2, cell.bbox[1] * unit + 2), role, ROLE, font)


def draw_page(path: Path, page: int, out: Path, settings: ParseSettings | None = None) -> PageView:
    """Read and parse `path`, draw page `page` (1-based) as the parser saw it and write it to `out`
    (PNG, written atomically). Raises DebugError for a page the file has not or a format without pages."""
    from PIL import ImageDraw, ImageFont

    from reja.extract.plan import parse_plan

    path, settings = Path(path), settings or load_parse_settings()
    doc = _read(path, page, settings)
    plan: ParsedPlan = parse_plan(doc, settings)
    image, unit = _page_image(path, doc, page, settings)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(12, image.size[0] // 110))
    view = PageView(page=page, format=doc.format, size=image.size)
    for table in (t for t in doc.tables if _on_page(t, page)):
        _draw_table(draw, table, page, unit, settings, font, view)
    for item in plan.items:
        if item.page == page:
            corner = _box(draw, item.bbox, unit, ITEM, 2)
            if corner is not None:
                _label(draw, (corner[0] - 2, corner[1] + 2), item.item_no or "-", ITEM, font, right=True)
                view.items.append(item.item_no)
    _save_png(image, Path(out))
    return view


def _save_png(image, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            image.save(fh, format="PNG")
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
