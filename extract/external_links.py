"""Links to outside resources removed from a document before LibreOffice opens it.

An ODT whose picture is linked (`xlink:href="http://…"`), a DOCX relationship with
`TargetMode="External"`, an `INCLUDEPICTURE "http://…"` field in DOCX or RTF: LibreOffice fetches
each while converting, so a plan could make the importing PC contact any server (SSRF, tracking, a
Windows share that leaks the user's hash). Plans never need them: the picture is lost, the text
and tables are not.

This is one of three layers (see `reja.extract.convert`): the copy handed to LibreOffice is
stripped here, LibreOffice's own profile blocks links from untrusted documents, and where Linux
allows it, LibreOffice runs in a network namespace with no network at all.
Binary DOC/XLS files cannot be rewritten here; the other two layers cover them.
"""

from __future__ import annotations

import re
import shutil
import zipfile
import zlib
from pathlib import Path

from reja.extract.limits import Limits, check_zip

# a reference that leaves the package: any URL scheme (http:, file:, smb:, vnd.sun.star.webdav: …),
# a protocol-relative //host or a Windows share \\host
_EXTERNAL = re.compile(rb"^\s*(?:[A-Za-z][A-Za-z0-9+.\-]*:|//|\\\\)")
# schemes that name a part inside the document itself (old OpenOffice files), never the network
_INTERNAL_SCHEMES = (b"vnd.sun.star.graphicobject:", b"vnd.sun.star.pictures:", b"vnd.sun.star.package:")
_HREF = re.compile(rb"""(\s(?:[\w.\-]+:)?href\s*=\s*)(["'])(.*?)\2""", re.S)
_EXTERNAL_REL = re.compile(rb"<Relationship\b[^>]*\bTargetMode\s*=\s*[\"']External[\"'][^>]*>", re.S)
_REL_TARGET = re.compile(rb"""(\bTarget\s*=\s*)(["'])(.*?)\2""", re.S)
# field codes that make Word or LibreOffice load something: neutralised to an unknown field name
_FETCHING_FIELDS = re.compile(rb"\b(INCLUDEPICTURE|INCLUDETEXT|IMPORT|LINK|DDEAUTO|DDE)\b")
_WORD_FIELD_CODE = re.compile(rb"(<w:instrText\b[^>]*>)(.*?)(</w:instrText>)|(\bw:instr\s*=\s*)([\"'])(.*?)\5", re.S)
_RTF_FIELD_INSTRUCTION = re.compile(rb"(\\fldinst\b)((?:[^{}]|\{[^{}]*\})*)")
_RTF_OBJECT_LINK = re.compile(rb"\\obj(?:aut)?link\b")
BLOCKED_FIELD = b"REJA_BLOCKED_FIELD"


def _is_external(value: bytes) -> bool:
    return bool(_EXTERNAL.match(value)) and not value.strip().lower().startswith(_INTERNAL_SCHEMES)


def strip_xml(data: bytes) -> tuple[bytes, int]:
    """One XML part with every outward href, external relationship target and fetching field code
    emptied. Returns the part and how many were removed."""
    count = 0

    def href(m: re.Match) -> bytes:
        nonlocal count
        if not _is_external(m.group(3)):
            return m.group(0)
        count += 1
        return m.group(1) + m.group(2) + m.group(2)

    def relationship(m: re.Match) -> bytes:
        nonlocal count
        count += 1
        return _REL_TARGET.sub(lambda t: t.group(1) + t.group(2) + t.group(2), m.group(0))

    def field(m: re.Match) -> bytes:
        nonlocal count
        whole = m.group(0)
        cleaned, n = _FETCHING_FIELDS.subn(BLOCKED_FIELD, whole)
        count += n
        return cleaned

    data = _HREF.sub(href, data)
    data = _EXTERNAL_REL.sub(relationship, data)
    data = _WORD_FIELD_CODE.sub(field, data)
    return data, count


def strip_rtf(data: bytes) -> tuple[bytes, int]:
    count = 0

    def field(m: re.Match) -> bytes:
        nonlocal count
        cleaned, n = _FETCHING_FIELDS.subn(BLOCKED_FIELD, m.group(2))
        count += n
        return m.group(1) + cleaned

    data = _RTF_FIELD_INSTRUCTION.sub(field, data)
    data, n = _RTF_OBJECT_LINK.subn(rb"\\objemb", data)
    return data, count + n


def strip_external_links(path: Path, *, name: str, limits: Limits | None = None) -> int:
    """Rewrite the file at `path` (a private copy) without its outward links; returns how many were
    removed. Zip containers (ODT, ODS, DOCX, XLSX) are checked for bombs first; RTF is rewritten as
    text; other formats are left as they are."""
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"{\\rtf"):
        data, count = strip_rtf(path.read_bytes())
        if count:
            path.write_bytes(data)
        return count
    if not head.startswith(b"PK"):
        return 0
    limits = limits or Limits()
    count = 0
    tmp = path.with_name(path.name + ".stripped")
    try:
        with check_zip(path, limits, name) as src, zipfile.ZipFile(tmp, "w") as dst:
            for info in src.infolist():
                is_xml = info.filename.lower().endswith((".xml", ".rels"))
                try:
                    data = src.read(info)
                except _DAMAGED:
                    if is_xml:
                        raise  # LibreOffice cannot read it either; the copy stays as it was (layers 2 and 3)
                    continue  # a damaged picture: left out, as LibreOffice would
                if is_xml:
                    data, n = strip_xml(data)
                    count += n
                dst.writestr(info, data)  # same name, order and compression (ODF's mimetype stays first, stored)
    except _DAMAGED:
        tmp.unlink(missing_ok=True)
        return 0
    if count:
        shutil.move(tmp, path)
    else:
        tmp.unlink()
    return count


_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError)
