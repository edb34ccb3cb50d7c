"""Crash safety (issue 11): an import killed with SIGKILL at random points leaves only whole
documents in the store, clerks' corrections survive, and a re-run ends where a clean run ends."""

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from reja.api import load_documents, load_items
from reja.batch import run_import

REPO = Path(__file__).resolve().parents[2]  # the child imports the tests package from here
# the child's set-up: the store is under test, not the matcher (as the no_enrichment and
# pinned_versions fixtures)
CHILD_SETUP = """
import sys
import reja.enrich, reja.keys
from tests.store import fakeplans
reja.enrich.enrich_rows = lambda rows, **kw: {"region_id": None, "district_id": None, "flags": []}
reja.enrich.warm_up = lambda: None
reja.keys.pipeline_version = lambda: "test-pipeline"
reja.keys.catalogue_version = lambda: "test-catalogue"
from reja.batch import run_import
"""
CHILD = CHILD_SETUP + """
run_import([sys.argv[1]], db=sys.argv[2], parse=fakeplans.fake_parse, jobs=int(sys.argv[3]))
"""
SIZES = [300, 1200, 40, 900, 5, 1500, 700, 60, 1100, 250]  # items per plan: big ones make long transactions
VOLATILE = ["imported_at", "run_id", "duration_s"]  # when and how fast, not what


def _plans(folder, fp):
    for i, n in enumerate(SIZES):
        fp.write(folder / f"plan_{i:02d}.docx", fp.spec(district=f"Tuman{i} tumani", n=n, flagged=(1,), sleep=0.02))
    return {f"plan_{i:02d}.docx": n for i, n in enumerate(SIZES)}


def _killed_run(folder, db, *, jobs, after_documents, delay):
    """Run an import in a subprocess; SIGKILL it `delay` s after the store holds `after_documents`
    documents (polled), so kills land inside the batch whatever the machine's speed."""
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(folder), str(db), str(jobs)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
            stored = con.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            con.close()
        except sqlite3.Error:
            stored = 0
        if stored >= after_documents:
            break
        time.sleep(0.005)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    _no_orphaned_workers(db)


def _no_orphaned_workers(db, wait_s: float = 10.0) -> None:
    """The killed import's forked workers (same command line, so it names `db`) die with it: a
    worker left behind would hang on its pipe for hours (issue 24)."""
    deadline = time.monotonic() + wait_s
    while True:
        left = []
        for proc_dir in Path("/proc").glob("[0-9]*"):
            try:
                if str(db).encode() in (proc_dir / "cmdline").read_bytes() and \
                        (proc_dir / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                    left.append(int(proc_dir.name))
            except OSError:
                continue
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    for pid in left:  # never leave them behind for the rest of the suite
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not left, f"workers outlived the killed import: {left}"


def _tables(db):
    items = load_items(db, include_superseded=True, corrections=False).drop(columns=["document_id"])
    docs = load_documents(db).drop(columns=VOLATILE + ["document_id"])
    return items, docs


@pytest.mark.slow
@pytest.mark.usefixtures("no_enrichment", "pinned_versions")
def test_sigkill_at_random_points_leaves_whole_documents_and_a_rerun_completes(tmp_path, fp):
    folder = tmp_path / "plans"
    expected = _plans(folder, fp)
    clean_db = tmp_path / "clean.sqlite"
    run_import([folder], db=clean_db, parse=fp.fake_parse)
    clean_items, clean_docs = _tables(clean_db)
    assert len(clean_items) == sum(SIZES)

    try:
        from reja.corrections import all_corrections, record
    except ImportError:  # the review layer is optional here
        record = all_corrections = None

    rng = random.Random(20261125)
    partial_runs = 0
    for attempt in range(4):
        db = tmp_path / f"killed{attempt}.sqlite"
        if record is not None:
            record(db, "somekey", "plan_value", "10", "12", who="Dilnoza", why="typo in the scan")
        _killed_run(folder, db, jobs=1 + attempt % 2, after_documents=rng.randint(1, len(SIZES) - 2),
                    delay=rng.uniform(0, 0.08))  # fmt: skip

        con = sqlite3.connect(db)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        docs, counts = {}, {}
        if "documents" in tables:  # else: killed before the store was even set up
            docs = dict(con.execute("SELECT source_file, n_items FROM documents"))
            counts = dict(con.execute("SELECT d.source_file, COUNT(i.item_index) FROM documents d "
                                      "LEFT JOIN items i USING (document_id) GROUP BY d.document_id"))  # fmt: skip
            orphans = con.execute("SELECT COUNT(*) FROM items WHERE document_id NOT IN "
                                  "(SELECT document_id FROM documents)").fetchone()[0]  # fmt: skip
            assert orphans == 0
        con.close()
        for source, n_items in docs.items():  # every stored document is whole
            assert counts[source] == n_items == expected[Path(source).name], source
        if 0 < len(docs) < len(SIZES):
            partial_runs += 1
        print(f"attempt {attempt}: {len(docs)} of {len(SIZES)} documents stored when killed")
        if all_corrections is not None:
            assert [c.value_after for c in all_corrections(db)] == ["12"]

        rerun = run_import([folder], db=db, parse=fp.fake_parse)  # continues, ends where a clean run ends
        assert [f.status for f in rerun.files].count("skipped") == len(docs)
        items, documents = _tables(db)
        pd.testing.assert_frame_equal(items, clean_items)
        pd.testing.assert_frame_equal(documents, clean_docs)
    assert partial_runs >= 2, "no kill landed in the middle of the batch: the test proved nothing"


INTERRUPTED_CHILD = CHILD_SETUP + """
report = run_import([sys.argv[1]], db=sys.argv[2], parse=fakeplans.fake_parse, jobs=2)
print(report.summary())
sys.exit(report.exit_code)
"""


@pytest.mark.slow
@pytest.mark.usefixtures("no_enrichment", "pinned_versions")
def test_ctrl_c_stops_the_batch_with_130_and_whole_documents(tmp_path, fp):
    folder = tmp_path / "plans"
    for i in range(6):
        fp.write(folder / f"plan_{i}.docx", fp.spec(district=f"Tuman{i} tumani", n=20, sleep=0.4))
    db = tmp_path / "db.sqlite"
    proc = subprocess.Popen([sys.executable, "-c", INTERRUPTED_CHILD, str(folder), str(db)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            stored = con.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            con.close()
        except sqlite3.Error:
            stored = 0
        if stored >= 1:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    assert "INTERRUPTED" in out and "Traceback" not in err
    items, docs = load_items(db), load_documents(db)
    assert 1 <= len(docs) < 6
    assert len(items) == 20 * len(docs)
    report = run_import([folder], db=db, parse=fp.fake_parse)  # continue where it stopped
    assert [f.status for f in report.files].count("skipped") == len(docs)
    assert len(load_items(db)) == 120
