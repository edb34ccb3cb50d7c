"""LibreOffice never reaches the network for a conversion (issue 24, case 3).

An ODT whose picture is linked (`xlink:href="http://…"`) made the importing PC fetch that URL while
converting. A local HTTP server stands for the attacker's: each layer of `reja.extract.convert`
(links stripped, LibreOffice's link blocking, a network namespace) must keep it unvisited on its
own, and all together."""

from __future__ import annotations

import http.server
import shutil
import threading
import zipfile

import pytest
import reja.extract.convert as convert
from reja.extract.external_links import BLOCKED_FIELD, strip_external_links, strip_rtf, strip_xml
from reja.extract.readers import read_document

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")

ODF_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
          'xmlns:xlink="http://www.w3.org/1999/xlink" '
          'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"')


def linked_odt(path, url: str):
    """A plan as ODT: a title, a picture LINKED to `url` (not embedded), a two-column table."""
    cell = "<table:table-cell><text:p>{}</text:p></table:table-cell>"
    rows = [("№", "Tadbir"), ("1", "Kitobxonlar bilan uchrashuv")]
    table = "".join("<table:table-row>" + "".join(cell.format(c) for c in r) + "</table:table-row>" for r in rows)
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF_NS} office:version="1.2">'
        "<office:body><office:text><text:p>Izboskan tumani AKM 2025 yil ish rejasi</text:p>"
        '<text:p><draw:frame draw:name="logo" svg:width="2cm" svg:height="2cm">'
        f'<draw:image xlink:href="{url}" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/>'
        "</draw:frame></text:p>"
        '<table:table table:name="T1"><table:table-column table:number-columns-repeated="2"/>'
        f"{table}</table:table></office:text></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


@pytest.fixture
def attacker():
    """A web server on this machine that records every request it gets."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _record(self):
            seen.append(f"{self.command} {self.path}")
            self.send_response(404)
            self.end_headers()

        do_GET = do_HEAD = do_OPTIONS = do_POST = do_PROPFIND = _record

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def fresh_probe(monkeypatch):
    monkeypatch.setattr(convert, "_offline", [])


def _import_odt(tmp_path, url):
    doc = read_document(linked_odt(tmp_path / "plan.odt", f"{url}/logo.png"))
    texts = [c.text for t in doc.tables for c in t.cells]
    assert "Kitobxonlar bilan uchrashuv" in texts  # the plan itself is read
    return doc


@needs_soffice
def test_a_linked_picture_is_never_fetched(tmp_path, attacker, fresh_probe):
    url, seen = attacker
    _import_odt(tmp_path, url)
    assert seen == []


@needs_soffice
def test_stripping_alone_keeps_libreoffice_offline(tmp_path, attacker, monkeypatch):
    url, seen = attacker
    monkeypatch.setattr(convert, "_PROFILE_SETTINGS", convert._PROFILE_SETTINGS.replace("true", "false"))
    monkeypatch.setattr(convert, "_offline", [[]])  # no network namespace
    _import_odt(tmp_path, url)
    assert seen == []


@needs_soffice
def test_the_profile_setting_alone_keeps_libreoffice_offline(tmp_path, attacker, monkeypatch):
    url, seen = attacker
    monkeypatch.setattr(convert, "strip_external_links", lambda path, **kw: 0)
    monkeypatch.setattr(convert, "_offline", [[]])
    _import_odt(tmp_path, url)
    assert seen == []


@needs_soffice
def test_the_network_namespace_alone_keeps_libreoffice_offline(tmp_path, attacker, monkeypatch):
    url, seen = attacker
    if not convert.offline_prefix():
        pytest.skip("this system allows no network namespace (unshare -n / -rn): the other layers apply")
    monkeypatch.setattr(convert, "strip_external_links", lambda path, **kw: 0)
    monkeypatch.setattr(convert, "_PROFILE_SETTINGS", convert._PROFILE_SETTINGS.replace("true", "false"))
    _import_odt(tmp_path, url)
    assert seen == []


@needs_soffice
def test_without_any_layer_the_attack_is_real(tmp_path, attacker, monkeypatch):
    """The control: the same file with all three layers off does reach the server, so the tests above
    would fail on the old code."""
    url, seen = attacker
    monkeypatch.setattr(convert, "strip_external_links", lambda path, **kw: 0)
    monkeypatch.setattr(convert, "_PROFILE_SETTINGS", convert._PROFILE_SETTINGS.replace("true", "false"))
    monkeypatch.setattr(convert, "_offline", [[]])
    _import_odt(tmp_path, url)
    assert seen, "LibreOffice did not fetch the linked picture: the attack could not be shown here"


# -- what the stripping removes and what it keeps --------------------------------------------------
def test_outward_references_are_emptied_and_inner_ones_kept():
    xml = (b'<draw:image xlink:href="http://evil.example/a.png"/><draw:image xlink:href="Pictures/1.png"/>'
           b'<draw:object xlink:href="file:///etc/passwd"/><draw:image x:href="\\\\share\\p.png"/>'
           b"<text:section-source xlink:href='smb://host/x'/><draw:image xlink:href=\"vnd.sun.star.GraphicObject:1\"/>"
           b"<text:p>Sayt: https://kutubxona.uz</text:p>")  # fmt: skip
    out, n = strip_xml(xml)
    assert n == 4
    assert b"evil.example" not in out and b"/etc/passwd" not in out and b"share" not in out and b"smb:" not in out
    assert b'xlink:href="Pictures/1.png"' in out and b"vnd.sun.star.GraphicObject:1" in out
    assert b"<text:p>Sayt: https://kutubxona.uz</text:p>" in out  # text a plan shows is never altered


def test_docx_external_relationships_and_fetching_fields_are_neutralised():
    rels = (b'<Relationships><Relationship Id="rId9" Type=".../image" Target="http://evil.example/p.png" '
            b'TargetMode="External"/><Relationship Id="rId1" Type=".../styles" Target="styles.xml"/></Relationships>')
    out, n = strip_xml(rels)
    assert n == 1 and b"evil.example" not in out and b'Target="styles.xml"' in out
    doc = (b'<w:r><w:instrText xml:space="preserve"> INCLUDEPICTURE "http://evil.example/x.png" \\d </w:instrText></w:r>'
           b'<w:fldSimple w:instr=" INCLUDETEXT &quot;\\\\host\\share\\a.docx&quot; "/>'
           b"<w:t>INCLUDEPICTURE stays in the text</w:t>")
    out, n = strip_xml(doc)
    assert n == 2 and out.count(BLOCKED_FIELD) == 2
    assert b"<w:t>INCLUDEPICTURE stays in the text</w:t>" in out


def test_rtf_fields_and_object_links_are_neutralised():
    rtf = (rb'{\rtf1{\field{\*\fldinst {\rtlch INCLUDEPICTURE "http://evil.example/x.png" \\d}}{\fldrslt }}'
           rb"{\object\objautlink{\*\objdata 0102}}\par INCLUDEPICTURE in text}")
    out, n = strip_rtf(rtf)
    assert n == 2 and BLOCKED_FIELD in out and rb"\objautlink" not in out
    assert rb"\par INCLUDEPICTURE in text" in out


def test_a_stripped_odt_is_still_a_valid_package(tmp_path):
    path = linked_odt(tmp_path / "plan.odt", "http://evil.example/logo.png")
    assert strip_external_links(path, name="plan.odt") == 1
    with zipfile.ZipFile(path) as z:
        assert z.infolist()[0].filename == "mimetype" and z.infolist()[0].compress_type == zipfile.ZIP_STORED
        assert b"evil.example" not in z.read("content.xml")
