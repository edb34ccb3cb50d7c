"""Any input file → IR Document: detect the format by content, check limits, dispatch to a reader.

Raises only `ReadError` subclasses for files it cannot read (each naming the file and the cause).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

from reja.extract.convert import converted_docx
from reja.extract.detect import detect_format
from reja.extract.docx_reader import read_docx
from reja.extract.errors import (
    ConversionFailed,
    CorruptFile,
    ReadError,
    TooLarge,
    UnsupportedFormat,
)
from reja.extract.ir import Document, Table
from reja.extract.limits import (
    Deadline,
    Limits,
    check_xml_parts,
    check_zip,
    check_zip_directory,
    hard_time_limit,
)
from reja.extract.pdf_reader import read_pdf
from reja.extract.settings import ParseSettings, load_parse_settings
from reja.normalize.translit import uses_new_latin

IMAGE_FORMATS = ("png", "jpeg", "tiff", "heic")
CONVERTED_FORMATS = ("doc", "odt", "rtf")
SHEET_FORMATS = ("xlsx", "xls", "ods")


def read_document(
    path: Path, *, settings: ParseSettings | None = None, limits: Limits | None = None, jobs: int = 1,
    ocr_cache: Path | None | bool = None
) -> Document:
    """Read one plan document of any supported format into the IR.

    `settings`: the parse settings (`reja.extract.settings`; by default this installation's data
    files), handed to every reader that needs them (header scores, the scan reader's settings).
    `jobs` and `ocr_cache` are passed to the scan (OCR) reader. `Document.format` is the original
    format ("doc" for a DOC converted through LibreOffice; "scan" for a PDF with no text layer).
    """
    limits = limits or Limits()
    settings = settings or load_parse_settings()
    path = Path(path)
    with hard_time_limit(limits.time_limit_s, path.name):
        return _read(path, limits, settings, jobs, ocr_cache)


def _read(path: Path, limits: Limits, settings: ParseSettings, jobs: int, ocr_cache: Path | None | bool) -> Document:
    name = path.name
    deadline = Deadline(limits.time_limit_s, name)
    _set_pil_limit(limits)
    if not path.is_file():
        raise UnsupportedFormat(name, "not a regular file (missing, a directory or a device)")
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise TooLarge(name, f"the file is {size // 2**20} MiB (limit {limits.max_file_bytes // 2**20} MiB)")
    with open(path, "rb") as fh:
        if fh.read(2) == b"PK":  # count members before detect_format lets zipfile list them all
            check_zip_directory(path, limits, name)
    fmt = detect_format(path)

    if fmt == "docx":
        doc = _read_docx_or_convert(path, name, limits, deadline)
        if is_picture_only(doc):
            return _read_pictured_docx(path, name, doc, limits, settings, jobs, ocr_cache) or doc
        return doc
    if fmt in CONVERTED_FORMATS:
        if fmt == "odt":  # a zip like DOCX: refuse bombs and DTDs before LibreOffice inflates it
            _checked_docx(path, name, limits)
        return _read_converted(path, name, fmt, limits, deadline)
    if fmt in SHEET_FORMATS:
        return _read_sheets(path, name, fmt, limits, deadline, settings)
    if fmt == "pdf":
        return _read_pdf(path, name, limits, deadline, settings, jobs, ocr_cache)
    if fmt in IMAGE_FORMATS:
        check_image(path, name, limits)
        return _scan(path, None, settings, jobs, ocr_cache)
    if fmt == "zip":
        if is_photo_set(path):  # photos of one plan's pages: one document, pages in name order
            return _scan(path, None, settings, jobs, ocr_cache)
        raise UnsupportedFormat(name, "a zip archive of other files; unpack it and import its files (reja import)")
    raise UnsupportedFormat(name, f"format {fmt!r} has no reader")


PICTURE_ONLY_MAX_CHARS = 300  # a caption or a file note beside a pasted photo, never a plan's text


def is_picture_only(doc: Document) -> bool:
    """A Word document with no plan table and hardly any text: its pages are pictures (a photo or scan
    of the plan pasted into Word)."""
    if any(t.n_cols >= 3 and t.n_rows >= 2 for t in doc.tables):
        return False
    return sum(len(p.text) for p in doc.paragraphs) <= PICTURE_ONLY_MAX_CHARS


def _docx_pictures(path: Path, name: str, limits: Limits) -> list[tuple[str, bytes]]:
    """The pictures a DOCX shows, in the order its body shows them (word/media parts by r:embed)."""
    import re as _re

    from reja.extract.scan.rasterize import IMAGE_SUFFIXES

    with check_zip(path, limits, name) as zf:
        names = set(zf.namelist())
        try:
            body = zf.read("word/document.xml").decode("utf-8", "replace")
            rels = zf.read("word/_rels/document.xml.rels").decode("utf-8", "replace")
        except KeyError:
            return []
        targets = {m.group(1): m.group(2) for m in _re.finditer(r'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)}
        targets |= {m.group(2): m.group(1) for m in _re.finditer(r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)}
        out, seen = [], set()
        for m in _re.finditer(r'r:(?:embed|id)="([^"]+)"', body):
            target = targets.get(m.group(1), "")
            part = "word/" + target.lstrip("/") if not target.startswith("/") else target.lstrip("/")
            if part in seen or part not in names or Path(part).suffix.lower() not in IMAGE_SUFFIXES:
                continue
            seen.add(part)
            out.append((Path(part).name, zf.read(part)))
        return out


def _read_pictured_docx(path: Path, name: str, typed: Document, limits: Limits, settings: ParseSettings, jobs: int,
                        ocr_cache: Path | None | bool) -> Document | None:
    """OCR the pictures of a picture-only DOCX as the pages of one plan; its few typed lines stay first."""
    import tempfile

    pictures = _docx_pictures(path, name, limits)
    if not pictures:
        return None
    with tempfile.TemporaryDirectory(prefix="reja-docx-pictures-") as tmp:
        pages = Path(tmp) / "pages.zip"
        with zipfile.ZipFile(pages, "w") as zf:
            for k, (part, data) in enumerate(pictures, start=1):
                zf.writestr(f"page{k:03d}{Path(part).suffix.lower()}", data)
        scanned = _scan(pages, None, settings, jobs, ocr_cache)
    scanned.source = name
    scanned.blocks = list(typed.blocks) + list(scanned.blocks)
    scanned.warnings = list(typed.warnings) + [f"the Word document holds {len(pictures)} picture(s) and no plan "
                                               "table: the pictures were read as scanned pages"] + scanned.warnings
    for k, table in enumerate(scanned.tables):
        table.index = k
    return scanned


def is_photo_set(path: Path) -> bool:
    """A zip whose files are all page images (photos of one plan), read as one document."""
    from reja.extract.scan.rasterize import IMAGE_SUFFIXES

    try:
        with zipfile.ZipFile(path) as zf:
            names = [i.filename for i in zf.infolist() if not i.is_dir()
                     and "__MACOSX" not in i.filename and not Path(i.filename).name.startswith(".")]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    return bool(names) and all(Path(n).suffix.lower() in IMAGE_SUFFIXES for n in names)


def _checked_docx(path: Path, name: str, limits: Limits) -> None:
    with check_zip(path, limits, name) as zf:
        try:
            check_xml_parts(zf, name)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError,
                RuntimeError) as exc:  # RuntimeError: an encrypted zip member
            raise CorruptFile(name, f"damaged zip member: {exc}") from exc


def _read_docx_or_convert(path: Path, name: str, limits: Limits, deadline: Deadline) -> Document:
    _checked_docx(path, name, limits)
    try:
        return read_docx(path, name=name, limits=limits, deadline=deadline)
    except CorruptFile as first:
        # python-docx rejects some valid Word files (macro-enabled, templates, odd part names);
        # LibreOffice reads them. If it cannot either, report python-docx's reason.
        try:
            return _read_converted(path, name, "docx", limits, deadline)
        except ReadError as second:
            raise CorruptFile(name, f"{first.cause}; LibreOffice could not read it either ({second.cause})") from None


def _read_converted(path: Path, name: str, fmt: str, limits: Limits, deadline: Deadline) -> Document:
    timeout = max(1.0, min(limits.libreoffice_timeout_s, deadline.remaining()))
    with converted_docx(path, name=name, fmt=fmt, timeout_s=timeout, soffice=limits.soffice_command) as docx:
        _checked_docx(docx, name, limits)
        return read_docx(docx, name=name, limits=limits, deadline=deadline, fmt=fmt)


def _read_sheets(path: Path, name: str, fmt: str, limits: Limits, deadline: Deadline,
                 settings: ParseSettings) -> Document:
    """XLSX/XLSM directly; XLS and ODS converted to XLSX by LibreOffice first (which also computes
    formulas those files saved without a value)."""
    from reja.extract.sheet_reader import read_sheets, uncached_formula_count

    if fmt in ("xlsx", "ods"):
        _checked_docx(path, name, limits)
    if fmt == "xlsx":
        missing = uncached_formula_count(path, name)
        if not missing:
            return read_sheets(path, name=name, scores=settings.header, limits=limits, deadline=deadline, fmt=fmt)
        try:  # formulas saved without their value: LibreOffice computes them on the way through
            return _sheets_through_libreoffice(path, name, fmt, limits, deadline, settings)
        except ConversionFailed as exc:
            doc = read_sheets(path, name=name, scores=settings.header, limits=limits, deadline=deadline, fmt=fmt)
            doc.warnings.append(f"{missing} formula(s) without a saved value could not be computed ({exc.cause})")
            return doc
    return _sheets_through_libreoffice(path, name, fmt, limits, deadline, settings)


def _sheets_through_libreoffice(path: Path, name: str, fmt: str, limits: Limits, deadline: Deadline,
                                settings: ParseSettings) -> Document:
    from reja.extract.sheet_reader import read_sheets

    timeout = max(1.0, min(limits.libreoffice_timeout_s, deadline.remaining()))
    with converted_docx(path, name=name, fmt=fmt, timeout_s=timeout, soffice=limits.soffice_command,
                        target="xlsx") as xlsx:
        _checked_docx(xlsx, name, limits)
        return read_sheets(xlsx, name=name, scores=settings.header, limits=limits, deadline=deadline, fmt=fmt)


def _set_pil_limit(limits: Limits) -> None:
    """PIL's own guard (warning above the limit, DecompressionBombError above twice it) also covers
    every later decode, e.g. the scan reader's page images."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = limits.max_image_pixels


def check_image(path: Path, name: str, limits: Limits) -> None:
    """Refuse images over the pixel limit from their header, before anything decodes them."""
    from PIL import Image, UnidentifiedImageError
    from reja.extract.scan.rasterize import register_heif

    register_heif()
    with open(path, "rb") as fh:
        head = fh.read(24)
    if head.startswith(b"\x89PNG") and head[12:16] == b"IHDR":
        # Read the size from IHDR ourselves: PIL refuses a PNG whose data is cut, and the size is
        # all this check needs.
        width, height = struct.unpack(">II", head[16:24])
        _check_pixels(name, width, height, limits)
    try:
        with Image.open(path) as im:
            width, height = im.size
            frames = getattr(im, "n_frames", 1)
    except Image.DecompressionBombError as exc:
        raise TooLarge(name, f"image too large: {exc}") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise CorruptFile(name, f"damaged image: {exc}") from exc
    _check_pixels(name, width, height, limits)
    if frames > limits.max_pdf_pages:
        raise TooLarge(name, f"image has {frames} pages (limit {limits.max_pdf_pages})")


def _check_pixels(name: str, width: int, height: int, limits: Limits) -> None:
    if width * height > limits.max_image_pixels:
        raise TooLarge(
            name, f"image is {width}×{height} pixels ({width * height / 1e6:.0f} Mpx, limit "
            f"{limits.max_image_pixels / 1e6:.0f} Mpx)"
        )


def _scan(path: Path, pages: list[int] | None, settings: ParseSettings, jobs: int, ocr_cache: Path | None | bool,
          new_alphabet: bool = False) -> Document:
    from reja.extract.scan import read_scan  # lazy: OpenCV and Tesseract load only for scans

    return read_scan(path, pages=pages, jobs=jobs, cache_dir=ocr_cache, settings=settings, new_alphabet=new_alphabet)


def _read_pdf(path: Path, name: str, limits: Limits, deadline: Deadline, settings: ParseSettings, jobs: int,
              ocr_cache: Path | None | bool) -> Document:
    result = read_pdf(path, name=name, limits=limits, deadline=deadline, scores=settings.header)
    doc = result.document
    if result.scan_pages:
        deadline.check()
        typed = " ".join(b.text for b in doc.paragraphs) + " ".join(c.text for t in doc.tables for c in t.cells)
        scanned = _scan(path, result.scan_pages, settings, jobs, ocr_cache, new_alphabet=uses_new_latin(typed))
        typed_pages = doc.page_count or 0
        # Typed pages and OCR'd pages are disjoint: a stable sort by page merges them in order.
        wanted = set(result.scan_pages)
        unplaced = [b for b in scanned.blocks if b.page is None]
        if unplaced:
            doc.warnings.append(f"{len(unplaced)} OCR blocks without a page number put at the end")
        blocks = doc.blocks + [b for b in scanned.blocks if b.page in wanted]
        blocks.sort(key=lambda b: b.page or 0)
        blocks += unplaced
        doc.blocks = blocks
        doc.warnings.extend(scanned.warnings)
        if len(result.scan_pages) == typed_pages:
            doc.format = "scan"
    n = 0
    for block in doc.blocks:
        if isinstance(block, Table):
            block.index = n
            n += 1
    return doc
