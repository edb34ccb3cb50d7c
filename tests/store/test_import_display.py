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
