"""Review findings on the batch: inputs the OS will not read must cost that input only."""

import os
from pathlib import Path

import pytest

import reja.inputs
from reja.batch import BatchLimits, collect_inputs, run_import

pytestmark = pytest.mark.usefixtures("no_enrichment")


def test_a_pipe_in_a_folder_is_not_taken_as_a_plan(tmp_path, fp):
    """Opening a named pipe blocks until something writes to it: the batch would hang forever."""
    folder = tmp_path / "in"
    fp.write(folder / "a.docx", fp.spec(n=2))
    os.mkfifo(folder / "reja_pipe")  # no suffix: messengers strip them, so suffix-less files are tried
    work = tmp_path / "work"
    work.mkdir()
    inputs, problems, _ = collect_inputs([folder], work, BatchLimits())
    assert [i.path.name for i in inputs] == ["a.docx"]
    assert problems == []


def test_a_pipe_named_explicitly_is_a_failed_input_not_a_hang(tmp_path):
    pipe = tmp_path / "plan.docx"
    os.mkfifo(pipe)
    work = tmp_path / "work"
    work.mkdir()
    inputs, problems, _ = collect_inputs([pipe], work, BatchLimits())
    assert inputs == []
    assert [(p.source_file, p.status) for p in problems] == [(str(pipe), "failed")]
    assert "not a regular file" in problems[0].reason


def test_an_unreadable_file_fails_alone_and_the_batch_goes_on(tmp_path, fp, monkeypatch):
    # the tests run as root, which reads any file: the OS refusal is simulated where reja reads
    fp.write(tmp_path / "in" / "a.docx", fp.spec(n=2))
    fp.write(tmp_path / "in" / "b.docx", fp.spec(district="Jondor tumani", region="Buxoro viloyati", n=3))
    real = reja.inputs.snapshot

    def refuse_a(path, *args):
        if path.name == "a.docx":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args)

    monkeypatch.setattr(reja.inputs, "snapshot", refuse_a)
    report = run_import([tmp_path / "in"], db=tmp_path / "reja.sqlite", parse=fp.fake_parse)
    outcome = {f.source_file.rsplit("/", 1)[-1]: f for f in report.files}
    assert outcome["b.docx"].status == "ok" and outcome["b.docx"].n_items == 3
    assert outcome["a.docx"].status == "failed" and "Permission denied" in outcome["a.docx"].reason
    assert report.exit_code == 4


def test_running_out_of_memory_is_reported_as_too_large_not_as_a_bug(tmp_path, fp):
    """A document that exhausts the memory limit is 'over a limit' (too_large, docs/exit_codes.md),
    not internal_error, which tells the user to report a reja bug."""
    fp.write(tmp_path / "in" / "a.docx", fp.spec(n=2))

    def parse(path):
        raise MemoryError

    report = run_import([tmp_path / "in"], db=tmp_path / "reja.sqlite", parse=parse,
                        limits=BatchLimits(max_memory_mb=4096))
    [outcome] = report.files
    assert outcome.status == "failed"
    assert outcome.error_code == "too_large", outcome.reason
    assert "4096 MiB" in outcome.reason


def test_out_of_memory_without_a_set_limit_does_not_say_none_mib(tmp_path, fp):
    fp.write(tmp_path / "in" / "a.docx", fp.spec(n=2))

    def parse(path):
        raise MemoryError

    [outcome] = run_import([tmp_path / "in"], db=tmp_path / "reja.sqlite", parse=parse).files
    assert outcome.error_code == "too_large" and "None" not in outcome.reason


def test_a_file_name_that_is_not_utf8_costs_nothing(tmp_path, fp):
    """A Cyrillic name written in CP1251 (a USB stick or share from a Windows PC) is not UTF-8:
    Python gives it surrogates, which crashed the whole batch when hashed or logged."""
    folder = tmp_path / "in"
    fp.write(folder / "b.docx", fp.spec(district="Jondor tumani", region="Buxoro viloyati", n=3))
    odd = os.fsdecode(os.fsencode(folder) + b"/\xc8\xf8 \xf0\xe5\xe6\xe0\xf1\xe8.docx")  # "Иш режаси" in CP1251
    fp.write(Path(odd), fp.spec(n=2))
    lines = []
    report = run_import([folder], db=tmp_path / "reja.sqlite", parse=fp.fake_parse, on_status=lines.append)
    assert sorted(f.status for f in report.files) == ["ok", "ok"]
    assert sorted(f.n_items for f in report.files) == [2, 3]
    shown = next(f.source_file for f in report.files if f.n_items == 2)
    assert shown.endswith("\\xc8\\xf8 \\xf0\\xe5\\xe6\\xe0\\xf1\\xe8.docx")  # the bytes, said plainly
    shown.encode("utf-8")  # printable and storable
    assert report.log_path.read_text(encoding="utf-8").count('"event": "file"') == 2


def test_a_folder_without_any_plan_says_so_and_exits_as_a_usage_error(tmp_path):
    from reja.batch import run_import

    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "notes.txt").write_text("not a plan", encoding="utf-8")
    lines = []
    report = run_import([folder], db=tmp_path / "s.sqlite", on_status=lines.append)
    assert report.exit_code == 2
    assert any(line.startswith("no plan documents found in") and ".docx" in line for line in lines)


def test_a_store_written_before_a_column_existed_still_reads(tmp_path):
    """A centre upgrades reja: its store lacks the columns added since; reading must not fail."""
    import sqlite3

    from reja.store import Store

    db = tmp_path / "old.sqlite"
    Store(db).close()
    con = sqlite3.connect(db)
    con.execute("DROP VIEW IF EXISTS current_items")
    con.execute("ALTER TABLE items DROP COLUMN parent_indicator_id")
    con.execute("ALTER TABLE documents DROP COLUMN duration_s")
    con.execute("CREATE VIEW current_items AS SELECT i.* FROM items i JOIN documents d USING (document_id) "
                "WHERE d.superseded_by IS NULL")
    con.commit()
    con.close()
    with Store(db, readonly=True) as store:
        assert "parent_indicator_id" in store.items().columns
        assert "duration_s" in store.documents().columns
