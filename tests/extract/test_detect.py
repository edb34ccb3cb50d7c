"""Format detection by content, never by file name."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from reja.extract.detect import OLE2_MAGIC, detect_format
from reja.extract.errors import CorruptFile, EmptyFile, EncryptedFile, UnsupportedFormat


def _docx_bytes() -> bytes:
    buf = io.BytesIO()
    docx.Document().save(buf)
    return buf.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _ole2(stream_names: list[str]) -> bytes:
    # Header magic, then directory-entry names as UTF-16LE (all the detector looks at).
    body = b"".join(n.encode("utf-16-le") + b"\0\0" for n in ["Root Entry", *stream_names])
    return OLE2_MAGIC + b"\0" * 504 + body


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


@pytest.mark.parametrize(
    "name,data,fmt",
    [
        ("plan.pdf", _docx_bytes(), "docx"),  # a DOCX renamed .pdf is still a DOCX
        ("plan.docx", b"%PDF-1.7\n%...", "pdf"),
        ("plan.pdf", b"\r\n junk from a mail gateway %PDF-1.4\n", "pdf"),
        ("plan.docx", _ole2(["WordDocument", "1Table"]), "doc"),
        ("plan.doc", b"{\\rtf1\\ansi hello}", "rtf"),
        ("plan.doc", b"\xef\xbb\xbf{\\rtf1 hello}", "rtf"),
        ("plan.odt", _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}), "odt"),
        ("scan.jpg", b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "png"),
        ("scan.png", b"\xff\xd8\xff\xe0" + b"\0" * 20, "jpeg"),
        ("scan.tif", b"II*\x00" + b"\0" * 20, "tiff"),
        ("scan.tif", b"MM\x00*" + b"\0" * 20, "tiff"),
        ("rejalar.docx", _zip({"a/reja.docx": b"x", "b.pdf": b"y"}), "zip"),
        # workbooks, whatever their names say
        ("plan.docx", _zip({"[Content_Types].xml": b"<T/>", "xl/workbook.xml": b"<w/>"}), "xlsx"),
        ("plan.doc", _ole2(["Workbook"]), "xls"),
        ("reja.ods", _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), "ods"),
    ],
)
def test_detects_by_content(tmp_path, name, data, fmt):
    assert detect_format(_write(tmp_path, name, data)) == fmt


@pytest.mark.parametrize(
    "name,data,error,phrase",
    [
        ("plan.docx", b"", EmptyFile, "empty"),
        ("plan.docx", b"\0\0\0 \n\n", EmptyFile, "blank"),
        ("plan.docx", "Yillik ish rejasi\nИш режаси\n".encode(), UnsupportedFormat, "plain text file named .docx"),
        ("plan.docx", "Ish rejasi".encode("cp1251"), UnsupportedFormat, "plain text"),
        ("plan.doc", b"<html><body>reja</body></html>", UnsupportedFormat, "HTML"),
        ("plan.docx", _ole2(["EncryptionInfo", "EncryptedPackage"]), EncryptedFile, "password"),
        ("plan.doc", _ole2(["Something"]), UnsupportedFormat, "no Word document"),
        ("plan.odt", _zip({"mimetype": b"application/vnd.oasis.opendocument.presentation"}), UnsupportedFormat,
         "presentation"),
        ("plan.ods", _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                           "META-INF/manifest.xml": b"<manifest:encryption-data/>"}), EncryptedFile, "ODS"),
        ("plan.odt", _zip({"mimetype": b"application/vnd.oasis.opendocument.text",
                           "META-INF/manifest.xml": b"<manifest:encryption-data/>"}), EncryptedFile, "ODT"),
        ("plan.docx", _docx_bytes()[:300], CorruptFile, "truncated"),
        ("plan.docx", b"\x01\x02\x03\x04" * 50, UnsupportedFormat, "unknown binary"),
    ],
)
def test_refuses_with_a_helpful_cause(tmp_path, name, data, error, phrase):
    with pytest.raises(error) as info:
        detect_format(_write(tmp_path, name, data))
    assert info.value.file == name
    assert phrase in info.value.cause
