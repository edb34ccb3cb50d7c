"""Review findings on `reja review …`: a store path that does not exist (a typo, or before the
first import) gets a clear error with exit 2, no traceback, and no empty store file made."""

import pytest
from typer.testing import CliRunner

from reja.cli import app


@pytest.mark.parametrize("args", [
    ["export", "{tmp}/review.xlsx"],
    ["apply", "{tmp}/edited.xlsx"],
    ["history", "0123456789abcdef"],
    ["undo", "1"],
])
def test_a_missing_store_is_a_clear_usage_error(tmp_path, args):
    (tmp_path / "edited.xlsx").write_bytes(b"not really a workbook")
    db = tmp_path / "typo.sqlite"
    argv = ["review", *(a.format(tmp=tmp_path) for a in args), "--db", str(db)]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "no store" in result.output and "reja import" in result.output
    assert not db.exists()  # a typo must not leave an empty store behind


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_a_bad_port_is_a_usage_error_not_a_traceback(tmp_path, port):
    from reja.store import Store

    db = tmp_path / "reja.sqlite"
    Store(db).close()
    result = CliRunner().invoke(app, ["review", "serve", "--db", str(db), "--port", port])
    assert result.exit_code == 2, result.output
    assert "--port" in result.output


def _store_with_a_flagged_row(tmp_path, monkeypatch):
    from reja.extract.model import ParsedPlan, PlanItem, PlanMeta

    from .conftest import store_of_one_plan

    def parse(path):
        item = PlanItem(item_no="1", text="Kitobxonlar bilan uchrashuv", unit="marta", plan_value=10.0,
                        section_no="I", section_title="TASHKILIY ISHLAR")
        item.flags.append("stacked_values: 134 4010")
        meta = PlanMeta(region="Andijon viloyati", district="Izboskan tumani", year=2025)
        return ParsedPlan(source=str(path), format="docx", meta=meta, items=[item])

    return store_of_one_plan(tmp_path, monkeypatch, parse)


def test_refused_edits_exit_3_not_1_which_means_a_crash(tmp_path, monkeypatch):
    """docs/exit_codes.md: 1 is an unexpected failure, never used on purpose. A workbook applied
    with some edits refused is 'done, rows still need review': 3."""
    from openpyxl import load_workbook

    db = _store_with_a_flagged_row(tmp_path, monkeypatch)
    book = tmp_path / "review.xlsx"
    runner = CliRunner()
    assert runner.invoke(app, ["review", "export", str(book), "--db", str(db)]).exit_code == 0
    wb = load_workbook(book)
    ws = wb["Review"]
    headers = [c.value for c in ws[1]]
    ws.cell(row=2, column=headers.index("fact_value") + 1).value = 134
    ws.cell(row=2, column=headers.index("plan_value") + 1).value = "ten"
    wb.save(book)
    result = runner.invoke(app, ["review", "apply", str(book), "--db", str(db), "--who", "Dilnoza"])
    assert result.exit_code == 3, result.output
    assert "1 correction(s) saved" in result.output and "'ten' is not a number" in result.output


def test_review_export_into_a_folder_that_is_a_file_is_a_clear_error(tmp_path, monkeypatch):
    db = _store_with_a_flagged_row(tmp_path, monkeypatch)
    blocker = tmp_path / "out"
    blocker.write_text("a file where the folder should be")
    result = CliRunner().invoke(app, ["review", "export", str(blocker / "review.xlsx"), "--db", str(db)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "cannot write" in result.output and "review.xlsx" in result.output
