"""Hostile and broken inputs (issue 11, reader side): each gives the right ReadError naming the file
and the cause, or a correct Document, within bounded time; nothing else escapes."""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import pytest
from reja.extract import errors
from reja.extract.docx_reader import read_docx
from reja.extract.limits import Deadline, Limits, safe_extract_zip
from reja.extract.readers import read_document

from tests.hostile.make_corpus import MIXED_ROWS, build_corpus

SECONDS_PER_CASE = 15  # generous for a loaded 2-core CI machine; measured locally: < 1 s each


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return {case.name: case for case in build_corpus(tmp_path_factory.mktemp("hostile"))}


CASE_NAMES = [
    "empty", "blank", "truncated_docx", "damaged_member_docx", "truncated_pdf", "text_named_docx",
    "encrypted_pdf", "protected_docx", "xxe_docx", "billion_laughs_docx", "zip_bomb_docx", "huge_image",
    "thousands_of_pages_pdf", "page_count_liar_pdf", "crowded_page_pdf", "big_table_docx", "big_table_over_limit",
    "mixed_scripts_docx", "libreoffice_hang", "time_limit", "xlsx_named_docx", "odt_with_entities", "many_members_zip", "damaged_media_docx", "zip_of_files",
]


def test_case_list_matches_corpus(corpus):
    assert sorted(corpus) == sorted(CASE_NAMES)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_hostile_case(corpus, name):
    case = corpus[name]
    start = time.monotonic()
    if case.expect is None:
        doc = read_document(case.path, limits=Limits(**case.limits))
        assert doc.source == case.path.name
        assert doc.blocks
    else:
        expected = getattr(errors, case.expect)
        with pytest.raises(errors.ReadError) as info:
            read_document(case.path, limits=Limits(**case.limits))
        exc = info.value
        assert type(exc) is expected, f"{name}: got {type(exc).__name__}: {exc}"
        assert exc.file == case.path.name
        assert exc.cause.strip()
        assert str(exc).startswith(case.path.name)
        assert "/" not in exc.file  # the file name, never a machine path
    assert time.monotonic() - start < SECONDS_PER_CASE


def test_specific_causes(corpus):
    def cause(name):
        case = corpus[name]
        with pytest.raises(errors.ReadError) as info:
            read_document(case.path, limits=Limits(**case.limits))
        return info.value.cause

    assert "plain text file named .docx" in cause("text_named_docx")
    assert "password" in cause("encrypted_pdf")
    assert "password" in cause("protected_docx")
    assert "entities" in cause("xxe_docx")
    assert "zip bomb" in cause("zip_bomb_docx")
    assert "30000×30000" in cause("huge_image")
    assert "5000 pages" in cause("thousands_of_pages_pdf")
    assert "10000 rows" in cause("big_table_over_limit")


def test_xxe_not_resolved_even_without_the_prescan(corpus, tmp_path):
    """Defence in depth: python-docx's parser must not read the local file even if the DTD check is bypassed."""
    secret = Path("/etc/hostname")
    doc = read_docx(corpus["xxe_docx"].path, name="xxe.docx", limits=Limits(), deadline=Deadline(60, "xxe.docx"))
    text = " ".join(p.text for p in doc.paragraphs)
    if secret.exists() and secret.read_text().strip():
        assert secret.read_text().strip() not in text


def test_billion_laughs_not_expanded_even_without_the_prescan(corpus):
    """Without the DTD check, libxml2's amplification guard refuses it (or entities stay unexpanded)."""
    start = time.monotonic()
    try:
        doc = read_docx(corpus["billion_laughs_docx"].path, name="laughs.docx", limits=Limits(),
                        deadline=Deadline(60, "laughs.docx"))
    except errors.CorruptFile as exc:
        assert "entity" in exc.cause.lower()
    else:
        assert sum(len(p.text) for p in doc.paragraphs) < 1000  # 10^9 "lol" would be 3 GB
    assert time.monotonic() - start < 5


def test_big_table_read_whole(corpus):
    doc = read_document(corpus["big_table_docx"].path)
    table = doc.tables[0]
    assert table.n_rows == 10_000 and table.n_cols == 4
    assert table.row_texts(9999) == ["9999", "Tadbir 9999", "dona", "19998"]
    assert doc.paragraphs[0].text == "ISH REJASI" and doc.paragraphs[0].bold


def test_mixed_scripts_and_controls(corpus):
    table = read_document(corpus["mixed_scripts_docx"].path).tables[0]
    assert table.row_texts(1) == MIXED_ROWS[1]
    # Everything kept except the C1 control characters U+0085 and U+009F.
    assert table.row_texts(2) == [MIXED_ROWS[2][0], MIXED_ROWS[2][1], "fevral"]


def test_hung_libreoffice_is_killed_with_its_children(corpus):
    case = corpus["libreoffice_hang"]
    with pytest.raises(errors.ConversionFailed) as info:
        read_document(case.path, limits=Limits(**case.limits))
    assert "within 1 s" in info.value.cause
    pid = int((case.path.parent / "fake_soffice.pid").read_text())
    time.sleep(0.2)
    status = Path(f"/proc/{pid}/status")
    # Gone, or a zombie waiting for init to reap it: either way not running.
    assert not status.exists() or "State:\tZ" in status.read_text()


def test_batch_goes_on(corpus):
    """A batch over the whole corpus: every file ends as a Document or a ReadError, nothing else."""
    outcomes = {}
    for case in corpus.values():
        try:
            read_document(case.path, limits=Limits(**case.limits))
            outcomes[case.name] = None
        except errors.ReadError as exc:
            outcomes[case.name] = type(exc).__name__
    assert outcomes == {c.name: c.expect for c in corpus.values()}


# --- safe_extract_zip (for the batch importer) -----------------------------------------------------


def _zip(path: Path, members: dict[str, bytes], symlink: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (0o120777 << 16)
            zf.writestr(info, "/etc/passwd")
    return path


@pytest.mark.parametrize(
    "members,symlink,cause",
    [
        ({"ok.docx": b"x", "../evil.docx": b"x"}, None, "'..'"),
        ({"a/../../evil.docx": b"x"}, None, "'..'"),
        ({"/abs/evil.docx": b"x"}, None, "absolute"),
        ({"C:/evil.docx": b"x"}, None, "absolute"),
        ({"..\\evil.docx": b"x"}, None, "'..'"),
        ({"ok.docx": b"x"}, "link.docx", "symbolic link"),
    ],
)
def test_safe_extract_refuses_escaping_members(tmp_path, members, symlink, cause):
    archive = _zip(tmp_path / "rejalar.zip", members, symlink)
    dest = tmp_path / "work" / "inner"
    with pytest.raises(errors.CorruptFile) as info:
        safe_extract_zip(archive, dest)
    assert cause in info.value.cause and info.value.file == "rejalar.zip"
    assert not (tmp_path / "work" / "evil.docx").exists() and not (tmp_path / "evil.docx").exists()
    assert list(dest.rglob("*")) == []  # nothing extracted when any member is refused


def test_safe_extract_refuses_bombs(tmp_path):
    archive = _zip(tmp_path / "bomb.zip", {"a.docx": b"\0" * (4 << 20)})
    with pytest.raises(errors.TooLarge):
        safe_extract_zip(archive, tmp_path / "out", Limits(max_inflated_bytes=1 << 20))
    many = _zip(tmp_path / "many.zip", {f"f{i}.docx": b"x" for i in range(30)})
    with pytest.raises(errors.TooLarge):
        safe_extract_zip(many, tmp_path / "out2", Limits(max_zip_members=10))


def test_safe_extract_writes_good_archives(tmp_path):
    archive = _zip(tmp_path / "rejalar.zip", {"Izboskan/reja.docx": b"abc", "jondor.pdf": b"%PDF-"})
    out = safe_extract_zip(archive, tmp_path / "out")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in out) == ["Izboskan/reja.docx", "jondor.pdf"]
    assert (tmp_path / "out" / "Izboskan" / "reja.docx").read_bytes() == b"abc"
    assert not [p for p in (tmp_path / "out").rglob("*.part")]
    assert os.listdir(tmp_path / "out")


def test_bomb_and_big_table_memory_stays_bounded(corpus):
    """Peak RSS grows by far less than the bomb's 1.1 GiB (ru_maxrss is the process's peak, in KiB)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for name in ("zip_bomb_docx", "big_table_docx", "thousands_of_pages_pdf", "huge_image"):
        case = corpus[name]
        try:
            read_document(case.path, limits=Limits(**case.limits))
        except errors.ReadError:
            pass
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 300


# --- hard per-document time limit ------------------------------------------------------------------


def test_time_limit_interrupts_a_library_loop(tmp_path, monkeypatch):
    """The fuzzer found pdfminer looping for minutes on a damaged PDF; the SIGALRM limit stops it,
    even through a broad `except Exception` inside the library."""
    from reja.extract import readers

    def endless(*args, **kwargs):
        give_up = time.monotonic() + 10  # so a broken limit fails the test instead of hanging CI
        while time.monotonic() < give_up:
            try:
                time.sleep(0.01)
            except Exception:  # noqa: BLE001 — what careless library code does
                pass

    monkeypatch.setattr(readers, "read_pdf", endless)
    path = tmp_path / "loop.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    start = time.monotonic()
    with pytest.raises(errors.TooLarge) as info:
        read_document(path, limits=Limits(time_limit_s=0.5))
    assert time.monotonic() - start < 5
    assert info.value.file == "loop.pdf" and "time limit" in info.value.cause


def test_time_limit_restores_an_outer_timer():
    import signal

    from reja.extract.limits import hard_time_limit

    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *a: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 30)
        with hard_time_limit(5, "x.pdf"):
            pass
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 25 < remaining <= 30 and not fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
