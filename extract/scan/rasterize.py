"""Scan inputs → page images: scanned PDF pages (rendered with pdfium), PNG/JPEG/HEIC, multi-page
TIFF, and a zip of photos (one page per image, in the order of their names: "photo 2" before
"photo 10").

Pages come in colour when they have colour (a blue stamp is removed before binarisation, which
needs its colour), else in grey, which costs a third of the memory.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from reja.extract.detect import HEIF_BRANDS
from reja.extract.errors import CorruptFile, EmptyFile, EncryptedFile, TooLarge, UnsupportedFormat

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".heic", ".heif"}
COLOUR_CHROMA = 40  # a page with more than a few pixels this far from grey is kept in colour
MAX_PIXELS = 120_000_000  # a 600 dpi A3 page is ~70 Mpx; beyond this it is a decompression bomb
MAX_PAGES = 500


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(16)
    except OSError:
        return b""


def is_heif(head: bytes) -> bool:
    return head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS


def kind_of(path: Path) -> str:
    """"pdf", "image" or "zip" (photos of one plan), by content first (messengers rename files),
    by name when the content says nothing."""
    head = _head(path)
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM")) or is_heif(head):
        return "image"
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return "pdf"
    if suffix in IMAGE_SUFFIXES:
        return "image"
    raise UnsupportedFormat(path.name, f"not a scan format ({suffix or 'no extension'}); "
                            "expected PDF, PNG, JPEG, TIFF or HEIC")


def zip_pages(path: Path) -> list[str]:
    """The image members of a zip of photos, in natural name order; CorruptFile when it has none."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            names = [i.filename for i in zf.infolist() if not i.is_dir()
                     and Path(i.filename).suffix.lower() in IMAGE_SUFFIXES
                     and not Path(i.filename).name.startswith(".") and "__MACOSX" not in i.filename]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise CorruptFile(path.name, f"not a readable zip of photos ({exc})") from exc
    if not names:
        raise EmptyFile(path.name, "the zip holds no page images")
    return sorted(names, key=natural_key)


def natural_key(name: str) -> list:
    import re

    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", name)]


def page_count(path: Path) -> int:
    if path.stat().st_size == 0:
        raise EmptyFile(path.name, "the file is empty")
    kind = kind_of(path)
    if kind == "pdf":
        pdf = _open_pdf(path)
        try:
            n = len(pdf)
        finally:
            pdf.close()
    elif kind == "zip":
        n = len(zip_pages(path))
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


def register_heif() -> None:
    """HEIC (phone cameras) through pillow-heif, when installed."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        return
    register_heif_opener()


def _open_image(path: Path, data: bytes | None = None, name: str | None = None):
    import io

    from PIL import Image, UnidentifiedImageError

    name = name or path.name
    register_heif()
    # PIL's own bomb limit is left as the readers configured it; this checks our page limit.
    try:
        img = Image.open(io.BytesIO(data) if data is not None else path)
    except Image.DecompressionBombError as exc:
        raise TooLarge(name, f"image too large ({exc})") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        head = data[:16] if data is not None else _head(path)
        if is_heif(head):
            raise UnsupportedFormat(name, "HEIC photo, and the HEIC decoder (pillow-heif) is not installed "
                                    "or cannot read it; send it as JPEG") from exc
        raise CorruptFile(name, f"not a readable image ({exc})") from exc
    if img.size[0] * img.size[1] > MAX_PIXELS:
        img.close()
        raise TooLarge(name, f"image is {img.size[0]}×{img.size[1]} pixels (limit {MAX_PIXELS // 1_000_000} Mpx)")
    return img


def grey_unless_coloured(rgb: np.ndarray) -> np.ndarray:
    """Grey when no pixel is clearly coloured (measured on every 4th pixel), else the RGB array."""
    sample = rgb[::4, ::4]
    r, g, b = sample[..., 0], sample[..., 1], sample[..., 2]
    # channel by channel in uint8 (max - min never goes below 0): ~2.5 ms a 300 dpi page against
    # ~29 ms for int16 and an axis-2 reduction, the same pixels (issue 18)
    chroma = np.maximum(np.maximum(r, g), b) - np.minimum(np.minimum(r, g), b)
    if float((chroma > COLOUR_CHROMA).mean()) < 0.0002:
        import cv2

        return cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
    return np.ascontiguousarray(rgb)


def _pil_page(img, page: int, name: str) -> tuple[np.ndarray, float | None]:
    from PIL import ImageOps

    try:
        img.seek(page - 1)
        frame = ImageOps.exif_transpose(img.copy())  # phone photos carry their rotation in EXIF
        res = frame.info.get("dpi") or img.info.get("dpi")
        dpi_in = float(res[0]) if res and res[0] else None
        if frame.mode in ("L", "1", "I", "I;16", "I;16B", "I;16L", "F", "LA"):
            arr = np.asarray(frame.convert("L"))
        else:
            arr = grey_unless_coloured(np.asarray(frame.convert("RGB")))
    except (OSError, EOFError, ValueError, SyntaxError) as exc:
        raise CorruptFile(name, f"page image cannot be decoded ({exc})", page=page) from exc
    return arr, dpi_in


def load_page(path: Path, page: int, dpi: int) -> tuple[np.ndarray, float | None]:
    """Page `page` (1-based) as a grey (H×W) or, when it has colour, RGB (H×W×3) array, with its
    resolution when known. A PDF page is rendered at `dpi` (the caller's scan settings' working dpi,
    `ScanSettings.dpi`); an image keeps its own resolution."""
    kind = kind_of(path)
    if kind == "pdf":
        pdf = _open_pdf(path)
        try:
            pg = pdf[page - 1]
            w, h = pg.get_size()
            if w * h * (dpi / 72) ** 2 > MAX_PIXELS:
                raise TooLarge(path.name, f"page {w:.0f}×{h:.0f} pt too large to render", page=page)
            bitmap = pg.render(scale=dpi / 72, rev_byteorder=True)
            arr = bitmap.to_numpy()
            pg.close()
        finally:
            pdf.close()
        if arr.ndim == 3:
            arr = grey_unless_coloured(arr[..., :3])
        return np.array(arr, copy=True), float(dpi)
    if kind == "zip":
        import zipfile

        members = zip_pages(path)
        if not 1 <= page <= len(members):
            raise CorruptFile(path.name, f"no page {page} in the zip", page=page)
        member = members[page - 1]
        try:
            with zipfile.ZipFile(path) as zf:
                if zf.getinfo(member).file_size > MAX_PIXELS:  # a page image is never this large
                    raise TooLarge(path.name, f"{member} inflates to {zf.getinfo(member).file_size // 2**20} MiB", page=page)
                data = zf.read(member)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:
            raise CorruptFile(path.name, f"{member} cannot be unpacked ({exc})", page=page) from exc
        img = _open_image(path, data, name=f"{path.name}!{member}")
        try:
            return _pil_page(img, 1, f"{path.name}!{member}")
        finally:
            img.close()
    img = _open_image(path)
    try:
        return _pil_page(img, page, path.name)
    finally:
        img.close()


def page_pngs(path: Path, folder: Path, pages: list[int] | None = None, *, dpi: int) -> list[Path]:
    """Each page of `path` (or `pages`) as reja loads it at the working `dpi` (`ScanSettings.dpi`),
    written as `folder/page<N>.png` with its resolution (`dpi` when the image does not say): what bare
    Tesseract is timed on."""
    from PIL import Image

    out = []
    for p in pages or range(1, page_count(path) + 1):
        img, own_dpi = load_page(path, p, dpi)
        f = Path(folder) / f"page{p}.png"
        own_dpi = int(own_dpi or dpi)
        Image.fromarray(img).save(f, dpi=(own_dpi, own_dpi))
        out.append(f)
    return out
