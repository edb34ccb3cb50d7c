"""`reja import` / `reja export`: an --out that cannot be written (a file of
that name, no permission, disk full) is a clear error naming the folder, not a Python traceback."""

import pytest

from reja.cli import app

pytestmark = pytest.mark.usefixtures("no_enrichment")


def test_export_into_a_path_that_is_a_file_is_a_clear_error(runner, tmp_path, fp):
    plans = fp.write(tmp_path / "in" / "a.docx", fp.spec(n=2))
    db = tmp_path / "reja.sqlite"
    assert runner.invoke(app, ["import", str(plans), "--db", str(db)]).exit_code == 0
    not_a_folder = tmp_path / "out.txt"
    not_a_folder.write_text("a file, not a folder")
    result = runner.invoke(app, ["export", "--db", str(db), "--out", str(not_a_folder)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # no traceback
    assert "cannot write the exports" in result.output and "out.txt" in result.output
    assert not_a_folder.read_text() == "a file, not a folder"


def test_import_with_an_out_that_is_a_file_is_a_clear_error(runner, tmp_path, fp):
    plans = fp.write(tmp_path / "in" / "a.docx", fp.spec(n=2))
    not_a_folder = tmp_path / "out.txt"
    not_a_folder.write_text("a file, not a folder")
    result = runner.invoke(app, ["import", str(plans), "--db", str(tmp_path / "reja.sqlite"),
                                 "--out", str(not_a_folder)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "out.txt" in result.output
