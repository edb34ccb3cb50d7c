"""Tell a file's format from its content, never from its name.

Plans arrive renamed by messengers and mail clients ("plan.docx" that is really a DOC, an HTML
page or plain text), so the name is only used to make error messages more helpful.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import NoReturn

from reja.extract.errors import CorruptFile, EmptyFile, EncryptedFile, UnsupportedFormat

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODT_MIME = b"application/vnd.oasis.opendocument.text"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"

# Formats that read_document handles.
SUPPORTED = ("docx", "odt", "doc", "rtf", "pdf", "png", "jpeg", "tiff", "heic", "zip", "xlsx", "xls", "ods")
# ISO base media "ftyp" brands of HEIF/HEIC photos (iPhone and most Android cameras)
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")

_OLE_STREAM_CHUNK = 1 << 20


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _ole_has_stream(path: Path, names: tuple[str, ...]) -> set[str]:
    """Which of these stream names appear in an OLE2 file. Directory entries hold names as UTF-16LE
    and may sit anywhere in the file, so scan it all (bounded by the file-size limit upstream)."""
    wanted = {n: _utf16(n) for n in names}
    found: set[str] = set()
    tail = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(_OLE_STREAM_CHUNK):
            window = tail + chunk
            for n, pattern in wanted.items():
                if pattern in window:
                    found.add(n)
            tail = window[-64:]
    return found


# Content types of a Word main part: document, macro-enabled document, templates.
_WORD_MAIN_TYPES = (b"wordprocessingml.document.main+xml", b"wordprocessingml.template.main+xml",
                    b"ms-word.document.macroenabled.main+xml", b"ms-word.template.macroenabledtemplate.main+xml")


def _declares_word_main_part(zf: zipfile.ZipFile, names: set[str]) -> bool:
    """Word for the web and phone apps may name the main part word/document2.xml; the package's
    [Content_Types].xml says which part is the document, whatever its name."""
    if "[Content_Types].xml" not in names or zf.getinfo("[Content_Types].xml").file_size > 1 << 20:
        return False
    try:
        types = zf.read("[Content_Types].xml").lower()
    except (zlib.error, RuntimeError):  # damaged or encrypted member: decided by the other checks
        return False
    return any(t in types for t in _WORD_MAIN_TYPES)


def _zip_format(path: Path, name: str) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            return _package_format(zf, name)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as exc:
        raise CorruptFile(name, f"damaged or truncated zip container (DOCX/ODT/zip): {exc}") from exc
    except NotImplementedError as exc:  # unsupported compression method
        raise CorruptFile(name, f"zip container uses an unsupported compression: {exc}") from exc


def _package_format(zf: zipfile.ZipFile, name: str) -> str:
    """The format of a zip container by the parts it holds: docx, odt/ods, xlsx, else plain "zip";
    other Office and OpenDocument packages are refused naming what they are."""
    names = set(zf.namelist())
    if "word/document.xml" in names or _declares_word_main_part(zf, names):
        return "docx"
    if "mimetype" in names:
        kind = _opendocument_kind(zf, names, name)
        if kind is not None:
            return kind
    if "xl/workbook.xml" in names:
        return "xlsx"  # XLSX and XLSM alike: the macros are never run
    if "ppt/presentation.xml" in names:
        raise UnsupportedFormat(name, "PowerPoint presentation (PPTX), not a Word document")
    if "[Content_Types].xml" in names:
        raise UnsupportedFormat(name, "Office Open XML package without a Word document part")
    return "zip"


def _opendocument_kind(zf: zipfile.ZipFile, names: set[str], name: str) -> str | None:
    """"odt" or "ods" by the package's mimetype part (refused when password-protected); another
    OpenDocument kind refused; None for any other mimetype."""
    info = zf.getinfo("mimetype")
    mime = zf.read("mimetype").strip() if info.file_size < 200 else b""
    if mime in (ODT_MIME, ODS_MIME):
        kind = "odt" if mime == ODT_MIME else "ods"
        if _encrypted(zf, names):
            raise EncryptedFile(name, f"password-protected {kind.upper()} document")
        return kind
    if mime.startswith(b"application/vnd.oasis.opendocument"):
        kind = mime.decode("ascii", "replace").rsplit(".", 1)[-1]
        raise UnsupportedFormat(name, f"OpenDocument {kind} file, not a text document (ODT)")
    return None


def _encrypted(zf: zipfile.ZipFile, names: set[str]) -> bool:
    """Does the OpenDocument manifest (under 1 MiB) declare encrypted parts?"""
    manifest = "META-INF/manifest.xml"
    return (manifest in names and zf.getinfo(manifest).file_size < 1 << 20
            and b"encryption-data" in zf.read(manifest))


def _looks_textual(head: bytes) -> bool:
    if not head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a multi-byte char cut at the sample's end is fine
            try:
                head.decode("cp1251")
            except UnicodeDecodeError:
                return False
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls <= len(head) // 100


def detect_format(path: Path) -> str:
    """Return one of SUPPORTED, or raise EmptyFile / UnsupportedFormat / EncryptedFile / CorruptFile."""
    path = Path(path)
    name = path.name
    head = _head(path, name)
    if b"%PDF-" in head[:1024]:  # the PDF spec tolerates junk before the header
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _zip_format(path, name)
    if head.startswith(OLE2_MAGIC):
        return _ole_format(path, name)
    found = _magic_format(head)
    if found is not None:
        return found
    _refuse_unsupported(path, name, head)


def _head(path: Path, name: str) -> bytes:
    """The file's first 8 KiB; an empty or blank file is refused."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except OSError as exc:
        raise UnsupportedFormat(name, f"cannot open the file: {exc.strerror or exc}") from exc
    if size == 0:
        raise EmptyFile(name, "the file is empty (0 bytes)")
    if not head.strip(b" \t\r\n\x00"):
        raise EmptyFile(name, f"the file holds only blank or NUL bytes ({size} bytes)")
    return head


def _ole_format(path: Path, name: str) -> str:
    """DOC or XLS from an OLE2 compound file's streams; an encrypted Office file, a PPT or another OLE2
    file is refused."""
    streams = _ole_has_stream(path, ("EncryptedPackage", "WordDocument", "Workbook", "Book", "PowerPoint Document"))
    if "EncryptedPackage" in streams:
        raise EncryptedFile(name, "password-protected Office document (encrypted DOCX/XLSX); save it without a password")
    if "WordDocument" in streams:
        return "doc"
    if "Workbook" in streams or "Book" in streams:
        return "xls"
    if "PowerPoint Document" in streams:
        raise UnsupportedFormat(name, "PowerPoint 97–2003 presentation (PPT), not a Word document")
    raise UnsupportedFormat(name, "OLE2 compound file that holds no Word document")


def _magic_format(head: bytes) -> str | None:
    """RTF or an image format by its first bytes, else None."""
    if head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "heic"
    return None


def _refuse_unsupported(path: Path, name: str, head: bytes) -> NoReturn:
    """Raise UnsupportedFormat saying what the file is (a web page, Word XML, GIF/BMP, another archive,
    text) and how to send it instead."""
    suffix = path.suffix.lower()
    named = f" named {suffix}" if suffix else ""
    lowered = head[:1024].lower().lstrip(b"\xef\xbb\xbf \r\n\t")
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered:
        raise UnsupportedFormat(name, f"HTML web page{named}; open it in Word and save it as DOCX")
    if lowered.startswith(b"<?xml") and b"w:worddocument" in head.lower():
        raise UnsupportedFormat(name, f"Word 2003 XML file{named}; open it in Word and save it as DOCX")
    if head.startswith((b"GIF87a", b"GIF89a", b"BM")):
        raise UnsupportedFormat(name, f"GIF/BMP image{named}; send it as PNG, JPEG, TIFF or PDF")
    if head.startswith((b"Rar!", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")):
        raise UnsupportedFormat(name, f"RAR/7z/gzip archive{named}; only zip archives are unpacked")
    if _looks_textual(head):
        raise UnsupportedFormat(name, f"plain text file{named}, not a Word, PDF or image document")
    raise UnsupportedFormat(name, f"unknown binary format{named} (first bytes {head[:8].hex(' ')})")
