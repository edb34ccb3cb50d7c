"""What `reja import` shows a clerk: the live line names the files being read and counts them; the
summary counts plans (a district's plan for a year) besides files, and names the next command."""

import shutil
from pathlib import Path

from typer.testing import CliRunner

from reja.cli import app
from reja.import_progress import ImportProgress

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def test_progress_line_names_the_files_being_read_and_counts_them():
    tasks = [{"display": "plans/izboskan_2025.pdf", "size_bytes": 3000}, {"display": "jondor.docx", "size_bytes": 1000}]
    shown = ImportProgress(tasks)
    try:
        shown.file_started(tasks[0])
        shown.file_started(tasks[1])
        task = shown.progress.tasks[0]
        assert "izboskan_2025.pdf" in task.description and "jondor.docx" in task.description
        assert task.fields["counts"].startswith("0/2")
        shown.file_done("jondor.docx")
        task = shown.progress.tasks[0]
        assert "jondor.docx" not in task.description and task.fields["counts"].startswith("1/2")
        assert task.completed == 1000 and task.total == 4000  # time left follows the bytes, not the file count
    finally:
        shown.stop()


def test_progress_line_shows_a_scans_pages_and_counts_time_left_by_them():
    tasks = [{"display": "scan_15.pdf", "size_bytes": 15000}, {"display": "jondor.docx", "size_bytes": 5000}]
    shown = ImportProgress(tasks)
    try:
        shown.file_started(tasks[0])
        shown.file_started(tasks[1])
        shown.file_pages("scan_15.pdf", 7, 15)
        task = shown.progress.tasks[0]
        assert "scan_15.pdf (page 7/15)" in task.description and "jondor.docx" in task.description
        assert task.completed == 7000  # 7 of the scan's 15 pages: 7/15 of its bytes
        shown.file_done("jondor.docx")
        shown.file_pages("scan_15.pdf", 15, 15)
        assert shown.progress.tasks[0].completed == 20000
        shown.file_done("scan_15.pdf")
        task = shown.progress.tasks[0]
        assert task.completed == 20000 and "page" not in task.description
    finally:
        shown.stop()


def _reads_three_pages(path):
    from reja.extract.progress import pages_read

    for done in range(4):
        pages_read(done, 3)
    raise RuntimeError("no plan here")  # the result after the pages: a failure is enough


def test_a_reading_process_tells_the_parent_each_page_it_has_read(tmp_path):
    import functools

    from reja.batch import BatchLimits, LocalExecutor
    from reja.worker import process_document

    (tmp_path / "scan.pdf").write_bytes(b"%PDF")
    task = {"path": str(tmp_path / "scan.pdf"), "display": "scan.pdf"}
    told, results = [], []
    executor = LocalExecutor(jobs=1, on_pages=lambda t, done, total: told.append((t["display"], done, total)))
    executor.run(functools.partial(process_document, _reads_three_pages), [task], BatchLimits(),
                 lambda t, r: results.append(r))
    assert told == [("scan.pdf", 0, 3), ("scan.pdf", 1, 3), ("scan.pdf", 2, 3), ("scan.pdf", 3, 3)]
    assert len(results) == 1 and not results[0]["ok"] and "no plan here" in results[0]["reason"]


def test_summary_counts_plans_and_names_the_next_command(tmp_path):
    for name in ("jondor_2021.docx", "izboskan_2025.docx", "izboskan_2025.doc"):
        shutil.copy(SAMPLES / name, tmp_path / name)
    db = tmp_path / "reja.sqlite"
    result = CliRunner().invoke(app, ["--lang", "en", "import", str(tmp_path), "--db", str(db)])
    assert result.exit_code == 3, result.output
    # three files, two plans: Izboskan 2025 came as DOCX and DOC
    assert "3 file(s)" in result.output
    assert "plans: 2 " in result.output and "1 of them came as several files" in result.output
    assert f"next: reja review serve --db {db}" in result.output


def test_each_files_line_speaks_the_clerks_language(tmp_path):
    from reja.i18n import translate

    shutil.copy(SAMPLES / "jondor_2021.docx", tmp_path / "jondor_2021.docx")
    db = tmp_path / "reja.sqlite"
    for lang in ("uz", "ru"):
        result = CliRunner().invoke(app, ["--lang", lang, "import", str(tmp_path), "--db", str(db)])
        line = next(x for x in result.output.splitlines() if "jondor_2021.docx —" in x)
        if lang == "uz":  # read the first time: partial, some rows need review
            assert line.startswith(translate("partial", "uz")) and translate("partial", "uz") != "partial"
            assert " ta band, " in line and "items" not in line
        else:  # the same bytes again: skipped, said in Russian
            assert line.startswith(translate("skipped", "ru")) and "unchanged" not in line
            assert "не изменился с прошлого импорта" in line
