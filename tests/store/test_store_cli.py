"""`reja import` / `reja export` exit codes, with a hand-made parse function."""

import pytest

from reja import corrections
from reja.cli import app

pytestmark = pytest.mark.usefixtures("no_enrichment")


def test_exit_codes_clean_review_failed(runner, tmp_path, fp):
    clean = fp.write(tmp_path / "clean" / "a.docx", fp.spec(n=2))
    flagged = fp.write(tmp_path / "flagged" / "b.docx", fp.spec(n=2, flagged=(1,)))
    broken = tmp_path / "broken" / "c.docx"
    broken.parent.mkdir()
    broken.write_bytes(b"\x00\x01\x02")
    db = str(tmp_path / "reja.sqlite")
    result = runner.invoke(app, ["import", str(clean), "--db", db])
    assert result.exit_code == 0, result.output
    assert "ok       " in result.output and "a.docx — 2 items" in result.output
    assert runner.invoke(app, ["import", str(flagged), "--db", db]).exit_code == 3
    result = runner.invoke(app, ["import", str(broken), "--db", db])
    assert result.exit_code == 4
    assert "c.docx — corrupt_file: not a plan document" in result.output
    result = runner.invoke(app, ["import", str(clean), "--db", db, "-q"])
    assert result.exit_code == 0 and "skipped  " not in result.output and "1 skipped" in result.output


def test_out_writes_exports_and_defaults_the_store_into_it(runner, tmp_path, fp):
    plans = fp.write(tmp_path / "in" / "a.docx", fp.spec(n=2))
    out = tmp_path / "out"
    assert runner.invoke(app, ["import", str(plans), "--out", str(out)]).exit_code == 0
    assert {p.name for p in out.iterdir()} >= {"reja.sqlite", "items.parquet", "reja.xlsx", "datapackage.json", "runs"}


def test_usage_errors_exit_2(runner, tmp_path):
    assert runner.invoke(app, ["import", str(tmp_path / "missing.docx")]).exit_code == 2
    assert runner.invoke(app, ["import", str(tmp_path), "--jobs", "0"]).exit_code == 2
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database at all" * 10)
    result = runner.invoke(app, ["export", "--db", str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "not a usable reja store" in result.output


def test_help_documents_the_exit_codes(runner):
    text = runner.invoke(app, ["import", "--help"]).output
    for code in ("0:", "2:", "3:", "4:", "5:", "130:"):
        assert code in text


def test_a_correction_whose_row_is_gone_is_reported_after_import(runner, tmp_path, fp):
    plan = fp.write(tmp_path / "a.docx", fp.spec(n=2))
    db = tmp_path / "reja.sqlite"
    runner.invoke(app, ["import", str(plan), "--db", str(db)])
    corrections.record(db, "no-such-row", "plan_value", 1, 2, who="Dilnoza")
    result = runner.invoke(app, ["import", str(plan), "--db", str(db)])
    assert "warning: correction #1 by Dilnoza" in result.output and "no-such-row" in result.output
