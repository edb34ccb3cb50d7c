"""A SQLite store never loads the PostgreSQL driver (it costs seconds of every command)."""

import subprocess
import sys


def test_a_sqlite_import_and_export_do_not_load_psycopg(tmp_path):
    code = (
        "import sys\n"
        "from reja.store import Store\n"
        "from reja import db\n"
        f"store = Store({str(tmp_path / 'r.sqlite')!r})\n"
        "assert db.errors() and db.value_errors() and db.operational_errors()\n"
        "store.close()\n"
        "print('psycopg' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
