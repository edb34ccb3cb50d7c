"""LibreOffice conversion: DOC/ODT/RTF read through DOCX keep their original format name and their
table spans; failures and hangs become ConversionFailed; parallel conversions do not collide."""

from __future__ import annotations

import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from reja.extract.convert import converted_docx
from reja.extract.errors import ConversionFailed, CorruptFile
from reja.extract.limits import Limits
from reja.extract.readers import read_document

from tests.extract.test_docx_reader import build_plan_docx

RTF = (
    r"{\rtf1\ansi\ansicpg1251\deff0{\fonttbl{\f0 Times New Roman;}}"
    r"\pard\qc\b YILLIK ISH REJASI\b0\par"
    r"\pard \u1048?\u1096? \u1088?\u1077?\u1078?\u1072?\u1089?\u1080?\par"  # Иш режаси
    r"\trowd\cellx2000\cellx5000 \intbl 1.\cell \intbl Kitob\cell\row"
    r"}"
).encode("ascii")


def _soffice_to(src: Path, fmt: str, outdir: Path) -> Path:
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(outdir / 'profile').as_uri()}", "--headless", "--norestore",
         "--convert-to", fmt, "--outdir", str(outdir), str(src)],
        check=True, capture_output=True, timeout=180,
    )
    return outdir / f"{src.stem}.{fmt}"


@pytest.fixture(scope="module")
def legacy(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("legacy")
    plan = build_plan_docx(tmp / "plan.docx")
    return {"doc": _soffice_to(plan, "doc", tmp), "odt": _soffice_to(plan, "odt", tmp)}


def _spans(doc):
    return [(c.row, c.col, c.rowspan, c.colspan, c.text) for c in doc.tables[0].cells]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["doc", "odt"])
def test_legacy_formats_keep_format_and_spans(legacy, fmt):
    doc = read_document(legacy[fmt])
    assert doc.format == fmt and doc.source == f"plan.{fmt}"
    spans = _spans(doc)
    # Same anchors and spans as the DOCX the file was made from (see test_docx_reader).
    assert spans[:7] == [
        (0, 0, 2, 1, "№"), (0, 1, 2, 1, "Tadbir nomi"), (0, 2, 1, 2, "Miqdori"), (0, 4, 2, 1, "Muddati"),
        (1, 2, 1, 1, "2024-yil (fakt)"), (1, 3, 1, 1, "2025-yil (reja)"), (2, 0, 1, 5, "I. TASHKILIY ISHLAR"),
    ]
    assert (3, 4, 2, 1, "Yil davomida") in spans
    assert [p.text for p in doc.paragraphs][0] == "TASDIQLAYMAN"


@pytest.mark.slow
def test_rtf(tmp_path):
    path = tmp_path / "reja.rtf"
    path.write_bytes(RTF)
    doc = read_document(path)
    assert doc.format == "rtf"
    assert [(p.text, p.bold) for p in doc.paragraphs] == [("YILLIK ISH REJASI", True), ("Иш режаси", False)]
    assert doc.tables[0].row_texts(0) == ["1.", "Kitob"]


@pytest.mark.slow
def test_parallel_conversions_do_not_collide(tmp_path):
    paths = []
    for i in range(3):
        p = tmp_path / f"r{i}.rtf"
        p.write_bytes(RTF.replace(b"Kitob", f"Kitob {i}".encode()))
        paths.append(p)
    with ThreadPoolExecutor(3) as pool:
        docs = list(pool.map(read_document, paths))
    assert [d.tables[0].row_texts(0)[1] for d in docs] == ["Kitob 0", "Kitob 1", "Kitob 2"]


def _fake_soffice(tmp_path: Path, body: str) -> str:
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\n" + body + "\n")
    fake.chmod(0o755)
    return str(fake)


def test_failing_converter_is_conversion_failed(tmp_path):
    src = tmp_path / "reja.rtf"
    src.write_bytes(RTF)
    fake = _fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2; exit 1")
    with pytest.raises(ConversionFailed) as info:
        read_document(src, limits=Limits(soffice_command=fake))
    assert info.value.file == "reja.rtf" and "could not be loaded" in info.value.cause


def test_hung_converter_times_out(tmp_path):
    src = tmp_path / "reja.rtf"
    src.write_bytes(RTF)
    start = time.monotonic()
    with pytest.raises(ConversionFailed) as info:
        with converted_docx(src, name="reja.rtf", fmt="rtf", timeout_s=0.5,
                            soffice=_fake_soffice(tmp_path, "sleep 30")):
            pass
    assert time.monotonic() - start < 5 and "0.5 s" in info.value.cause


def test_missing_libreoffice(tmp_path):
    src = tmp_path / "reja.doc"
    src.write_bytes(RTF)
    with pytest.raises(ConversionFailed) as info:
        with converted_docx(src, name="reja.doc", fmt="doc", timeout_s=5, soffice="no-such-soffice-here"):
            pass
    assert "not installed" in info.value.cause


def test_docx_python_docx_rejects_is_retried_through_libreoffice(tmp_path, monkeypatch):
    """When python-docx rejects a DOCX, LibreOffice is tried; if both fail, both reasons are given."""
    from reja.extract import readers

    path = build_plan_docx(tmp_path / "plan.docx")
    calls = []

    def rejecting(p, *, name, limits, deadline, fmt="docx"):
        calls.append(fmt)
        raise CorruptFile(name, "python-docx says no")

    monkeypatch.setattr(readers, "read_docx", rejecting)
    fake = _fake_soffice(tmp_path, "exit 3")
    with pytest.raises(CorruptFile) as info:
        read_document(path, limits=Limits(soffice_command=fake))
    assert calls == ["docx"]
    assert "python-docx says no" in info.value.cause and "LibreOffice" in info.value.cause
