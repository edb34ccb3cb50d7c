"""Scan inputs → page images: scanned PDF pages (rendered with pdfium), PNG/JPEG, multi-page TIFF."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from reja.extract.errors import CorruptFile, EmptyFile, EncryptedFile, TooLarge, UnsupportedFormat

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}
MAX_PIXELS = 120_000_000  # a 600 dpi A3 page is ~70 Mpx; beyond this it is a decompression bomb
MAX_PAGES = 500


def kind_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return "pdf"
    if suffix in IMAGE_SUFFIXES:
        return "image"
    raise UnsupportedFormat(path.name, f"not a scan format ({suffix or 'no extension'}); "
                            "expected PDF, PNG, JPEG or TIFF")


def page_count(path: Path) -> int:
    if path.stat().st_size == 0:
        raise EmptyFile(path.name, "the file is empty")
    if kind_of(path) == "pdf":
        pdf = _open_pdf(path)
        try:
            n = len(pdf)
        finally:
            pdf.close()
    else:
        img = _open_image(path)
        n = getattr(img, "n_frames", 1)
        img.close()
    if n == 0:
        raise EmptyFile(path.name, "no pages")
    if n > MAX_PAGES:
        raise TooLarge(path.name, f"{n} pages (limit {MAX_PAGES})")
    return n


def _open_pdf(path: Path):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        msg = str(exc)
        if "password" in msg.lower():
            raise EncryptedFile(path.name, "the PDF is password-protected") from exc
        raise CorruptFile(path.name, f"not a readable PDF ({msg})") from exc


def _open_image(path: Path):
    from PIL import Image, UnidentifiedImageError

    # PIL's own bomb limit is left as the readers configured it; this checks our page limit.
    try:
        img = Image.open(path)
    except Image.DecompressionBombError as exc:
        raise TooLarge(path.name, f"image too large ({exc})") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise CorruptFile(path.name, f"not a readable image ({exc})") from exc
    if img.size[0] * img.size[1] > MAX_PIXELS:
        img.close()
        raise TooLarge(path.name, f"image is {img.size[0]}×{img.size[1]} pixels (limit {MAX_PIXELS // 1_000_000} Mpx)")
    return img


def load_page(path: Path, page: int, dpi: int = 300) -> tuple[np.ndarray, float | None]:
    """Page `page` (1-based) as a grayscale array, with its resolution when known."""
    if kind_of(path) == "pdf":
        pdf = _open_pdf(path)
        try:
            pg = pdf[page - 1]
            w, h = pg.get_size()
            if w * h * (dpi / 72) ** 2 > MAX_PIXELS:
                raise TooLarge(path.name, f"page {w:.0f}×{h:.0f} pt too large to render", page=page)
            bitmap = pg.render(scale=dpi / 72, grayscale=True)
            arr = bitmap.to_numpy().copy()
            pg.close()
        finally:
            pdf.close()
        if arr.ndim == 3:
            arr = arr[..., 0]
        return arr, float(dpi)
    from PIL import ImageOps

    img = _open_image(path)
    try:
        img.seek(page - 1)
        frame = ImageOps.exif_transpose(img.copy())  # phone photos carry their rotation in EXIF
        res = frame.info.get("dpi") or img.info.get("dpi")
        dpi_in = float(res[0]) if res and res[0] else None
        arr = np.asarray(frame.convert("L"))
    except (OSError, EOFError, ValueError) as exc:
        raise CorruptFile(path.name, f"page image cannot be decoded ({exc})", page=page) from exc
    finally:
        img.close()
    return arr, dpi_in
