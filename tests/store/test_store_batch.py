"""Batch import with a hand-made parse function: idempotence, skips, failures, archives, versions."""

import json
import os
import signal
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from reja.api import load_documents, load_items
from reja.batch import BatchLimits, run_import

VOLATILE = ["imported_at", "run_id", "duration_s"]  # when and how fast, not what

pytestmark = pytest.mark.usefixtures("no_enrichment", "pinned_versions")


def _import(fp, paths, db, **kw):
    return run_import(paths, db=db, parse=fp.fake_parse, **kw)


def _tables(db):
    return load_items(db, include_superseded=True), load_documents(db).drop(columns=VOLATILE)


def test_importing_twice_gives_identical_tables_and_skips_unchanged(tmp_path, fp):
    folder = tmp_path / "plans"
    fp.write(folder / "izboskan.docx", fp.spec(n=4, flagged=(2,)))
    fp.write(folder / "sub" / "jondor.docx", fp.spec(district="Jondor tumani", region="Buxoro viloyati", year=2021, n=3))
    db = tmp_path / "reja.sqlite"
    first = _import(fp, [folder], db, jobs=2)
    assert sorted(f.status for f in first.files) == ["ok", "partial"]
    assert first.exit_code == 3  # done, one row needs review
    items1, docs1 = _tables(db)
    assert len(items1) == 7
    assert items1.loc[items1.item_no == "2", "status"].tolist() == ["flagged", "ok"]

    second = _import(fp, [folder], db, jobs=1)
    assert [f.status for f in second.files] == ["skipped", "skipped"]
    assert second.exit_code == 3  # the batch still holds a row to review
    items2, docs2 = _tables(db)
    pd.testing.assert_frame_equal(items1, items2)
    pd.testing.assert_frame_equal(docs1, docs2)

    forced = _import(fp, [folder], db, force=True)
    assert sorted(f.status for f in forced.files) == ["ok", "partial"]
    items3, docs3 = _tables(db)
    pd.testing.assert_frame_equal(items1, items3)
    pd.testing.assert_frame_equal(docs1.drop(columns="file_mtime"), docs3.drop(columns="file_mtime"))


def test_broken_files_are_named_and_the_rest_imports(tmp_path, fp):
    folder = tmp_path / "plans"
    fp.write(folder / "good.docx", fp.spec(n=2))
    (folder / "corrupt.docx").write_bytes(os.urandom(300))
    (folder / "secret.pdf").write_bytes(b"ENCRYPTED")
    (folder / "bug.docx").write_bytes(b"BUG")
    (folder / "empty.docx").write_bytes(b"")
    (folder / "~$good.docx").write_bytes(b"lock file of Word")
    (folder / ".hidden.docx").write_bytes(b"hidden")
    (folder / "notes.txt").write_text("not a plan")
    lines = []
    report = _import(fp, [folder], tmp_path / "db.sqlite", on_status=lines.append)
    by_name = {Path(f.source_file).name: f for f in report.files}
    assert set(by_name) == {"good.docx", "corrupt.docx", "secret.pdf", "bug.docx", "empty.docx"}
    assert by_name["good.docx"].status == "ok"
    assert {n: by_name[n].error_code for n in ("corrupt.docx", "secret.pdf", "bug.docx", "empty.docx")} == {
        "corrupt.docx": "corrupt_file", "secret.pdf": "encrypted_file", "bug.docx": "internal_error",
        "empty.docx": "empty_file",
    }  # fmt: skip
    assert report.ignored == [str(folder / "notes.txt")]
    assert report.exit_code == 4
    assert any("secret.pdf" in line and "password-protected" in line for line in lines)
    assert "corrupt.docx" in report.summary() and "secret.pdf" in report.summary()
    docs = load_documents(tmp_path / "db.sqlite").set_index("source_file")
    assert docs.loc[str(folder / "secret.pdf"), "error"] == "the PDF is password-protected"
    assert len(load_items(tmp_path / "db.sqlite")) == 2
    # the unexpected error's traceback is in the run log, not on the screen
    events = [json.loads(line) for line in report.log_path.read_text().splitlines()]
    bug = next(e for e in events if e.get("source_file", "").endswith("bug.docx"))
    assert "simulated parser bug" in bug["traceback"] and "Traceback" in bug["traceback"]
    assert not any("Traceback" in line for line in lines)


def test_zip_member_escaping_the_work_dir_writes_nothing_outside(tmp_path, fp):
    archive = tmp_path / "in" / "evil.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("good.docx", json.dumps(fp.spec(n=1)))
        zf.writestr("../evil.docx", json.dumps(fp.spec(n=1)))
        zf.writestr("/abs_evil.docx", json.dumps(fp.spec(n=1)))
    before = set(tmp_path.rglob("*"))
    report = _import(fp, [archive], tmp_path / "out" / "db.sqlite")
    assert [(f.source_file, f.status) for f in report.files] == [(str(archive), "failed")]
    assert "evil.docx" in report.files[0].reason
    created = {p for p in set(tmp_path.rglob("*")) - before if "out" not in p.relative_to(tmp_path).parts}
    assert created == set()
    assert not Path("/abs_evil.docx").exists()


def test_zip_members_import_with_their_archive_name(tmp_path, fp):
    archive = tmp_path / "plans.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("andijon/izboskan.docx", json.dumps(fp.spec(n=2)))
        zf.writestr("andijon/~$izboskan.docx", "lock")
        zf.writestr("readme.md", "not a plan")
    report = _import(fp, [archive], tmp_path / "db.sqlite")
    assert [(f.source_file, f.status) for f in report.files] == [(f"{archive}!andijon/izboskan.docx", "ok")]
    assert load_items(tmp_path / "db.sqlite")["source_file"].unique().tolist() == [f"{archive}!andijon/izboskan.docx"]


def test_changed_file_replaces_its_rows_and_a_broken_resend_keeps_them(tmp_path, fp):
    plan = tmp_path / "izboskan.docx"
    db = tmp_path / "db.sqlite"
    fp.write(plan, fp.spec(n=3))
    _import(fp, [plan], db)
    fp.write(plan, fp.spec(n=5))
    report = _import(fp, [plan], db)
    assert report.files[0].status == "ok"
    items = load_items(db, include_superseded=True)
    assert len(items) == 5 and items.document_id.nunique() == 1
    plan.write_bytes(b"\x00 truncated in the messenger")
    report = _import(fp, [plan], db)
    assert report.files[0].error_code == "corrupt_file"
    assert len(load_items(db)) == 5  # the good version is still the plan
    assert sorted(load_documents(db)["status"]) == ["failed", "ok"]


def test_same_district_and_year_from_two_files_keeps_both_and_supersedes_the_older(tmp_path, fp):
    old = fp.write(tmp_path / "izboskan_v1.docx", fp.spec(n=2))
    new = fp.write(tmp_path / "izboskan_v2.docx", fp.spec(n=4, flagged=(1, 2)))  # newer wins, flags or not
    os.utime(old, (1_700_000_000, 1_700_000_000))
    os.utime(new, (1_700_100_000, 1_700_100_000))
    db = tmp_path / "db.sqlite"
    _import(fp, [new, old], db, jobs=2)
    docs = load_documents(db).set_index("source_file")
    assert docs.loc[str(old), "superseded_by"] == docs.loc[str(new), "document_id"]
    assert pd.isna(docs.loc[str(new), "superseded_by"])
    assert len(load_items(db)) == 4
    assert len(load_items(db, include_superseded=True)) == 6


def _slow_parse(path):
    time.sleep(30)


def _dying_parse(path):
    os.kill(os.getpid(), signal.SIGKILL)


def test_hung_and_crashing_documents_are_stopped_and_the_batch_goes_on(tmp_path, fp):
    good = fp.write(tmp_path / "good.docx", fp.spec(n=1))
    hung = fp.write(tmp_path / "hung.docx", fp.spec(n=1))
    dies = fp.write(tmp_path / "dies.docx", fp.spec(n=1))

    def parse(path):
        return {"hung.docx": _slow_parse, "dies.docx": _dying_parse}.get(path.name, fp.fake_parse)(path)

    start = time.monotonic()
    report = run_import([good, hung, dies], db=tmp_path / "db.sqlite", parse=parse, jobs=2,
                        limits=BatchLimits(timeout_s=1.5))  # fmt: skip
    assert time.monotonic() - start < 15
    by_name = {Path(f.source_file).name: f for f in report.files}
    assert by_name["good.docx"].status == "ok"
    assert by_name["hung.docx"].error_code == "too_large" and "1.5 s" in by_name["hung.docx"].reason
    assert by_name["dies.docx"].error_code == "worker_crashed" and "signal 9" in by_name["dies.docx"].reason


def test_missing_path_is_reported_not_raised(tmp_path, fp):
    report = _import(fp, [tmp_path / "nope.docx"], tmp_path / "db.sqlite")
    assert report.files[0].error_code == "not_found" and report.exit_code == 4


def test_the_store_and_out_dir_inside_the_input_folder_are_not_imported(tmp_path, fp):
    folder = tmp_path / "plans"
    fp.write(folder / "izboskan.docx", fp.spec(n=2))
    fp.write(folder / "out" / "stray.docx", fp.spec(n=1))  # something in the out dir is not an input
    for _ in range(2):
        report = _import(fp, [folder], folder / "reja.sqlite", log_dir=folder / "out")
        assert [Path(f.source_file).name for f in report.files] == ["izboskan.docx"]
        assert report.ignored == []


def test_versions_sent_together_prefer_the_cleaner_extraction(tmp_path, fp):
    typed = fp.write(tmp_path / "jondor_2021.docx", fp.spec(district="Jondor tumani", region="Buxoro viloyati", year=2021, n=4))
    scan = fp.write(tmp_path / "jondor_2021_scan.pdf", fp.spec(district="Jondor tumani", region="Buxoro viloyati", year=2021, n=4, flagged=(1, 3)))
    os.utime(typed, (1_700_000_000, 1_700_000_000))
    os.utime(scan, (1_700_000_120, 1_700_000_120))  # scanned two minutes later, same plan
    db = tmp_path / "db.sqlite"
    _import(fp, [typed, scan], db)
    docs = load_documents(db).set_index("source_file")
    assert pd.isna(docs.loc[str(typed), "superseded_by"])
    assert docs.loc[str(scan), "superseded_by"] == docs.loc[str(typed), "document_id"]


def test_a_new_catalogue_or_pipeline_version_reads_unchanged_files_again(tmp_path, fp, monkeypatch):
    import reja.keys

    plan = fp.write(tmp_path / "a.docx", fp.spec(n=2))
    db = tmp_path / "db.sqlite"
    _import(fp, [plan], db)
    assert _import(fp, [plan], db).files[0].status == "skipped"
    monkeypatch.setattr(reja.keys, "catalogue_version", lambda: "test-catalogue+new-synonym")
    assert _import(fp, [plan], db).files[0].status == "ok"
    monkeypatch.setattr(reja.keys, "pipeline_version", lambda: "test-pipeline+parser-fix")
    assert _import(fp, [plan], db).files[0].status == "ok"
    assert len(load_items(db, include_superseded=True)) == 2  # replaced, not duplicated


def test_zip_bomb_is_refused_before_inflating(tmp_path, fp):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("plan.docx", json.dumps(fp.spec(n=1)))
        zf.writestr("zeros.docx", bytes(8 * 1024 * 1024))  # 8 MiB of zeros, ~8 KiB compressed
    report = _import(fp, [archive], tmp_path / "db.sqlite", limits=BatchLimits(max_archive_bytes=4 * 1024 * 1024))
    assert [(f.status, f.error_code) for f in report.files] == [("failed", "too_large")]
    assert "inflates" in report.files[0].reason


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in state  # a zombie waiting for init is dead


def test_a_timeout_also_kills_what_the_worker_started(tmp_path, fp):
    import subprocess

    pid_file = tmp_path / "pid"

    def parse(path):
        child = subprocess.Popen(["sleep", "60"])  # stands for a hung LibreOffice
        pid_file.write_text(str(child.pid))
        time.sleep(60)

    plan = fp.write(tmp_path / "a.docx", fp.spec(n=1))
    report = run_import([plan], db=tmp_path / "db.sqlite", parse=parse, limits=BatchLimits(timeout_s=1.0))
    assert report.files[0].error_code == "too_large"
    time.sleep(0.2)
    assert not _alive(int(pid_file.read_text()))


def test_rows_the_store_cannot_hold_fail_that_document_only(tmp_path, fp):
    def parse(path):
        plan = fp.fake_parse(path)
        if path.name == "odd.docx":
            plan.items[0].mechanism = object()  # not a value SQLite can store: the row model refuses it
        if path.name == "unpicklable.docx":
            plan.meta.title = lambda: None  # the document row cannot even leave the worker
        if path.name == "huge.docx":
            plan.items[0].page = 2**70  # a whole number the row model takes and SQLite cannot hold
        return plan

    names = {"good.docx": "Izboskan tumani", "odd.docx": "Asaka tumani", "unpicklable.docx": "Baliqchi tumani",
             "huge.docx": "Marhamat tumani"}
    files = [fp.write(tmp_path / n, fp.spec(n=1, district=d)) for n, d in names.items()]
    report = run_import(files, db=tmp_path / "db.sqlite", parse=parse)
    by_name = {Path(f.source_file).name: f for f in report.files}
    assert by_name["good.docx"].status == "ok"
    # refused where the parser's item becomes a typed row (reja.records.ItemRow), naming the column
    assert by_name["odd.docx"].error_code == "internal_error" and "items.mechanism" in by_name["odd.docx"].reason
    assert by_name["unpicklable.docx"].error_code == "internal_error"
    assert "handed over" in by_name["unpicklable.docx"].reason
    # refused by the store itself: that document fails in its own transaction, nothing of it is kept
    assert by_name["huge.docx"].error_code == "internal_error"
    assert "could not store the rows" in by_name["huge.docx"].reason
    items = load_items(tmp_path / "db.sqlite")
    assert set(items["source_file"].map(lambda f: Path(f).name)) == {"good.docx"}


def test_spreadsheet_plans_in_a_folder_are_taken_not_ignored(tmp_path):
    # Plans come as Excel and LibreOffice workbooks too; a folder of them must not be skipped as "not a plan".
    from reja.batch import BatchLimits, collect_inputs

    folder = tmp_path / "plans"
    folder.mkdir()
    sheets = ["a.xlsx", "b.xlsm", "c.xls", "d.ods", "E.XLSX"]
    for name in [*sheets, "notes.txt"]:
        (folder / name).write_bytes(b"x")
    work = tmp_path / "work"
    work.mkdir()
    inputs, problems, ignored = collect_inputs([folder], work, BatchLimits())
    assert sorted(Path(i.display).name for i in inputs) == sorted(sheets)
    assert ignored == [str(folder / "notes.txt")] and problems == []
