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
