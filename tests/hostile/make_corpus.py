"""Generate the hostile and broken input corpus (issue 11, reader side) into a directory.

Everything is built here from scratch, small on disk and fast: nothing is downloaded.
Run as a script to look at the files: `python tests/hostile/make_corpus.py OUTDIR`.

Each case is (file, expected ReadError subclass name or None for "reads into a Document",
optional Limits overrides, why). The test (test_hostile.py) runs read_document on every case.
"""

from __future__ import annotations

import io
import os
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@dataclass
class Case:
    name: str
    path: Path
    expect: str | None  # ReadError subclass name, or None: a Document comes back
    limits: dict = field(default_factory=dict)  # Limits overrides for this case
    why: str = ""


# --- small builders --------------------------------------------------------------------------------


def minimal_pdf(page_texts: list[str], *, repeat: int = 1, count: int | None = None, drawing: bytes = b"") -> bytes:
    """A valid PDF with one Helvetica text line per page (ASCII text). `repeat` adds that many
    distinct page objects per text, all sharing one content stream: thousands of pages in a few
    hundred KB. `count` overrides the page tree's /Count (a lying header)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    pages_id = len(objects) + 1 + len(page_texts) * (1 + repeat)  # reserved: after content+page objects
    page_ids = []
    for text in page_texts:
        safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")
        stream = drawing + b"BT /F1 12 Tf 72 720 Td (" + safe + b") Tj ET"
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        for _ in range(repeat):
            page_ids.append(add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (pages_id, content, font)
            ))
    kids = b" ".join(b"%d 0 R" % pid for pid in page_ids)
    n = count if count is not None else len(page_ids)
    assert add(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n)) == pages_id
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref))
    return out.getvalue()


def docx_bytes(body_xml: str = "", *, prolog: str = "", document_xml: str | None = None) -> bytes:
    """A DOCX made by python-docx, with word/document.xml replaced by our own XML."""
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    if document_xml is None:
        document_xml = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}'
            f'<w:document xmlns:w="{W_NS}"><w:body>{body_xml}<w:sectPr/></w:body></w:document>'
        )
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            data = document_xml.encode("utf-8") if info.filename == "word/document.xml" else src.read(info)
            zf.writestr(info.filename, data)
    return out.getvalue()


def para_xml(text: str, bold: bool = False) -> str:
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    esc = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<w:p><w:r>{rpr}<w:t xml:space="preserve">{esc}</w:t></w:r></w:p>'


def table_xml(rows: list[list[str]]) -> str:
    ncols = max(len(r) for r in rows)
    grid = "".join('<w:gridCol w:w="1000"/>' for _ in range(ncols))
    body = "".join("<w:tr>" + "".join(f"<w:tc>{para_xml(t)}</w:tc>" for t in r) + "</w:tr>" for r in rows)
    return f"<w:tbl><w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>"


def _raw_zip_member(name: str, compressed: bytes, crc: int, size: int) -> tuple[bytes, bytes]:
    """Local header + data, and the central directory entry (offset patched by the caller)."""
    fname = name.encode()
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(compressed), size, len(fname), 0)
    central = struct.pack(
        "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(compressed), size, len(fname), 0, 0, 0, 0,
        0o100644 << 16, 0,
    )
    return local + fname + compressed, central + fname


def zip_bomb_docx(inflated_mib: int = 1100) -> bytes:
    """A DOCX whose word/document.xml truly inflates to `inflated_mib` MiB of spaces, ~1 MB on disk.

    Built without inflating anything: one deflate block of 1 MiB of spaces, ended with a full flush
    (byte-aligned, no back-references across it), is repeated; a final empty block closes the stream.
    """
    chunk = b" " * (1 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(inflated_mib):
        crc = zlib.crc32(chunk, crc)
    compressed = block * inflated_mib + tail
    size = inflated_mib << 20
    # The other parts come from a real DOCX so only the size is hostile.
    src = zipfile.ZipFile(io.BytesIO(docx_bytes(para_xml("x"))))
    out = io.BytesIO()
    centrals = []
    members = [(i.filename, src.read(i)) for i in src.infolist() if i.filename != "word/document.xml"]
    for fname, data in members:
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        packed = c.compress(data) + c.flush()
        local, central = _raw_zip_member(fname, packed, zlib.crc32(data), len(data))
        centrals.append((out.tell(), central))
        out.write(local)
    local, central = _raw_zip_member("word/document.xml", compressed, crc, size)
    centrals.append((out.tell(), central))
    out.write(local)
    cd_start = out.tell()
    for offset, central in centrals:
        out.write(central[:42] + struct.pack("<I", offset) + central[46:])
    cd_size = out.tell() - cd_start
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(centrals), len(centrals), cd_size, cd_start, 0))
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG signature and IHDR only: enough for any reader to learn the (absurd) size."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


def encrypted_pdf(user_password: str = "secret") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(minimal_pdf(["Yillik ish rejasi"]))))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_docx(password: str = "secret") -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO(docx_bytes(para_xml("Yillik ish rejasi")))
    out = io.BytesIO()
    OOXMLFile(plain).encrypt(password, out)
    return out.getvalue()


XXE_PROLOG = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>\n'
LAUGHS_PROLOG = (
    '<!DOCTYPE w:document [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>\n"
)

MIXED_ROWS = [
    ["№", "Tadbir nomi / Тадбир номи", "Muddati"],
    ["1", "Kitobxonlik kechasi — «Китобхонлик» O‘zbekiston", "yanvar"],
    # C1 control characters are legal XML 1.0 but never meaningful: the reader drops them.
    ["2", "Zero\u200bwidth NBSP\u00a0here \u202eRTL override\u202c مكتبة 📚", "fev\u0085ral\u009f"],
]


def big_table_docx(rows: int) -> bytes:
    body = [["№", "Tadbir", "Birlik", "Reja"]] + [[str(i), f"Tadbir {i}", "dona", str(i * 2)] for i in range(1, rows)]
    return docx_bytes(para_xml("ISH REJASI", bold=True) + table_xml(body))


FAKE_SOFFICE = """#!/bin/sh
# A LibreOffice that hangs: it starts a child (like soffice.bin) and never finishes.
sleep 300 &
echo $! > "{pidfile}"
wait
"""


# --- the corpus ------------------------------------------------------------------------------------


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def build_corpus(dest: Path) -> list[Case]:
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    good_docx = docx_bytes(para_xml("YILLIK ISH REJASI", bold=True) + table_xml([["№", "Tadbir"], ["1", "Kitob"]]))
    good_pdf = minimal_pdf(["Yillik ish rejasi 2025", "Ikkinchi sahifa"])
    damaged = bytearray(good_docx)
    start = good_docx.index(b"word/document.xml") + 40  # inside that member's compressed data
    damaged[start:start + 8] = b"\x00" * 8
    fake = dest / "fake_soffice.sh"
    fake.write_text(FAKE_SOFFICE.format(pidfile=dest / "fake_soffice.pid"))
    os.chmod(fake, 0o755)

    cases = [
        Case("empty", _write(dest / "empty.docx", b""), "EmptyFile", why="0 bytes"),
        Case("blank", _write(dest / "blank.pdf", b"\x00" * 100 + b"\n \n"), "EmptyFile", why="only NUL/blank bytes"),
        Case("truncated_docx", _write(dest / "truncated.docx", good_docx[: len(good_docx) // 2]), "CorruptFile",
             why="zip cut in half: no central directory"),
        Case("damaged_member_docx", _write(dest / "damaged.docx", bytes(damaged)), "CorruptFile",
             why="document.xml's compressed bytes overwritten: CRC/inflate error"),
        Case("truncated_pdf", _write(dest / "truncated.pdf", good_pdf[: len(good_pdf) // 3]), "CorruptFile",
             why="PDF cut before its page tree and xref"),
        Case("text_named_docx", _write(dest / "reja.docx", "Bu oddiy matn fayli.\nИш режаси эмас.\n".encode()),
             "UnsupportedFormat", why="plain text file named .docx"),
        Case("encrypted_pdf", _write(dest / "encrypted.pdf", encrypted_pdf()), "EncryptedFile",
             why="AES-128, user password"),
        Case("protected_docx", _write(dest / "protected.docx", encrypted_docx()), "EncryptedFile",
             why="OLE2 with EncryptedPackage (Word 'Encrypt with password')"),
        Case("xxe_docx", _write(dest / "xxe.docx", docx_bytes(para_xml("&xxe;").replace("&amp;xxe;", "&xxe;"),
                                                               prolog=XXE_PROLOG)), "CorruptFile",
             why="external entity pointing at a local file"),
        Case("billion_laughs_docx", _write(dest / "laughs.docx", docx_bytes(
            para_xml("&lol9;").replace("&amp;lol9;", "&lol9;"), prolog=LAUGHS_PROLOG)), "CorruptFile",
             why="nested entities expanding to 10^9 'lol'"),
        Case("zip_bomb_docx", _write(dest / "bomb.docx", zip_bomb_docx()), "TooLarge",
             why="document.xml inflates to 1.1 GiB from ~1 MB"),
        Case("huge_image", _write(dest / "huge.png", png_header(30000, 30000)), "TooLarge",
             why="PNG header claims 30000×30000 pixels"),
        Case("thousands_of_pages_pdf", _write(dest / "pages.pdf", minimal_pdf(["sahifa"], repeat=5000)),
             "TooLarge", why="page tree with 5000 pages"),
        Case("page_count_liar_pdf", _write(dest / "liar.pdf", minimal_pdf(["sahifa"], repeat=2000, count=1)),
             "TooLarge", why="/Count says 1, the tree holds 2000 pages"),
        Case("crowded_page_pdf", _write(dest / "crowded.pdf", minimal_pdf(
            ["chiziqlar"], drawing=b"".join(b"%d 100 m %d 700 l S " % (i % 500, i % 500) for i in range(3000)))),
             "TooLarge", limits={"max_page_objects": 1000}, why="a page with 3000 line segments, limit 1000"),
        Case("big_table_docx", _write(dest / "big_table.docx", big_table_docx(10_000)), None,
             why="10 000-row table: read whole (limit 20 000 rows)"),
        Case("big_table_over_limit", dest / "big_table.docx", "TooLarge", limits={"max_table_rows": 5000},
             why="same table with max_table_rows=5000: refused, never truncated"),
        Case("mixed_scripts_docx", _write(dest / "mixed.docx", docx_bytes(table_xml(MIXED_ROWS))), None,
             why="Latin, Cyrillic, Arabic, emoji, zero-width, bidi and C1 control characters"),
        Case("libreoffice_hang", _write(dest / "hang.rtf", b"{\\rtf1\\ansi Yillik ish rejasi\\par}"),
             "ConversionFailed", limits={"soffice_command": str(fake), "libreoffice_timeout_s": 1},
             why="converter never finishes: killed with its process group after the timeout"),
        Case("time_limit", dest / "big_table.docx", "TooLarge", limits={"time_limit_s": 0.0},
             why="per-document time limit of 0 s"),
        Case("xlsx_named_docx", _write(dest / "jadval.docx", _xlsx_bytes()), "CorruptFile",
             why="an Excel workbook renamed .docx, with no sheet part: read as a workbook, refused as damaged"),
        Case("odt_with_entities", _write(dest / "reja.odt", _zip_bytes({
            "mimetype": b"application/vnd.oasis.opendocument.text",
            "content.xml": (XXE_PROLOG + "<office:document-content>&xxe;</office:document-content>").encode()})),
             "CorruptFile", why="ODT whose content.xml declares an external entity: refused before LibreOffice"),
        Case("many_members_zip", _write(dest / "many.docx", _zip_bytes({f"m{i}": b"" for i in range(20_000)})),
             "TooLarge", why="20 000 members: counted from the end record before zipfile lists them"),
        Case("damaged_media_docx", _write(dest / "media.docx", _damaged_media_docx()), "CorruptFile",
             limits={"soffice_command": "false"},
             why="a non-XML member (image) with broken deflate data; the LibreOffice retry fails too"),
        Case("zip_of_files", _write(dest / "rejalar.zip", _zip_bytes({"a.txt": b"x"})), "UnsupportedFormat",
             why="a zip archive is the batch importer's to unpack"),
    ]
    return cases


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def _damaged_media_docx() -> bytes:
    """Found by the fuzzer: zlib.error from python-docx reading a damaged non-XML part (here the
    package thumbnail, which the XML pre-scan does not read)."""
    data = bytearray(docx_bytes(para_xml("rasm")))
    name = b"docProps/thumbnail.jpeg"
    at = data.index(name) + len(name) + 200  # inside the local entry's compressed data
    data[at:at + 16] = b"\xff" * 16
    return bytes(data)


def _xlsx_bytes() -> bytes:
    return _zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    for case in build_corpus(target):
        print(f"{case.name:26} {case.path.name:18} {case.path.stat().st_size:>9} B  expect {case.expect}  ({case.why})")
