"""The batch's reading processes under attack (issue 24): they die with their parent, hold no pipe
end of the parent's, have a memory limit by default; file names print as one honest line; a full
disk stops the batch cleanly with its own exit code."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reja.extract.errors import CorruptFile
from reja.extract.model import ParsedPlan, PlanItem, PlanMeta

from reja.batch import EXIT_DISK_FULL, BatchLimits, run_import
from reja.terminal import printable


@pytest.fixture
def quiet_batch(monkeypatch):
    """The batch without the catalogue: these tests are about processes, not matching."""
    import reja.enrich
    import reja.worker

    monkeypatch.setattr(reja.enrich, "enrich_rows",
                        lambda rows, **kw: {"region_id": None, "district_id": None, "flags": []})
    monkeypatch.setattr(reja.worker, "warm_up", lambda: None)


def _plan(path: Path, n: int = 3) -> ParsedPlan:
    items = [PlanItem(item_no=str(i), text=f"Tadbir {i}", plan_value=float(i)) for i in range(1, n + 1)]
    meta = PlanMeta(district="Izboskan tumani", year=2025)
    return ParsedPlan(source=path.name, format="docx", meta=meta, items=items)


def _read_end_pipes() -> set[int]:
    """Inodes of the pipes this process holds a read end of (fdinfo flags: access mode O_RDONLY)."""
    held = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            flags = next(ln for ln in open(f"/proc/self/fdinfo/{fd}") if ln.startswith("flags:"))
            info = os.fstat(int(fd))
        except (OSError, StopIteration):
            continue
        if stat.S_ISFIFO(info.st_mode) and int(flags.split()[1], 8) & 0o3 == os.O_RDONLY:
            held.add(info.st_ino)
    return held


@pytest.mark.skipif(not Path("/proc/self/fdinfo").is_dir(), reason="needs Linux /proc")
def test_a_worker_holds_no_read_end_of_the_result_pipes(tmp_path, quiet_batch, monkeypatch):
    """A worker holding a read end of its own result pipe (or another worker's) blocks forever on a
    full pipe once the parent is gone: the reader it waits for is itself."""
    import multiprocessing.connection

    result_pipes: list[int] = []  # read ends the batch made, recorded in the parent before each fork
    real_pipe = multiprocessing.connection.Pipe

    def recording_pipe(duplex=True):
        recv, send = real_pipe(duplex)
        result_pipes.append(os.fstat(recv.fileno()).st_ino)
        return recv, send

    monkeypatch.setattr(multiprocessing.connection, "Pipe", recording_pipe)
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(4):
        (folder / f"plan_{i}.docx").write_bytes(b"x%d" % i)

    def parse(path):
        time.sleep(0.3)  # the workers overlap: each is forked while others' pipes are open
        held = _read_end_pipes() & set(result_pipes)
        raise CorruptFile(path.name, f"result pipes held: {len(held)}")

    report = run_import([folder], db=tmp_path / "reja.sqlite", parse=parse, jobs=3)
    assert len(result_pipes) == 4
    reasons = {f.reason.rsplit(": ", 1)[-1] for f in report.files}
    assert reasons == {"0"}, reasons


KILLED_PARENT = """
import os, signal, sys, time
# an import on a terminal: a hangup ends it (the test run itself may have been started under nohup,
# which every process below it inherits as "ignore SIGHUP")
signal.signal(signal.SIGHUP, signal.SIG_DFL)
import reja.enrich, reja.worker
from reja.batch import run_import
reja.enrich.enrich_rows = lambda rows, **kw: {"region_id": None, "district_id": None, "flags": []}
reja.worker.warm_up = lambda: None
pids = sys.argv[3]

def parse(path):
    with open(os.path.join(pids, str(os.getpid())), "w"):
        pass
    time.sleep(120)  # still reading when the parent is killed
    raise SystemExit

run_import([sys.argv[1]], db=sys.argv[2], parse=parse, jobs=2)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has died
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGHUP])
def test_workers_die_when_the_import_is_killed_or_its_terminal_closes(tmp_path, how):
    folder, pids = tmp_path / "in", tmp_path / "pids"
    folder.mkdir()
    pids.mkdir()
    for i in range(3):
        (folder / f"plan_{i}.docx").write_bytes(b"x")
    proc = subprocess.Popen([sys.executable, "-c", KILLED_PARENT, str(folder), str(tmp_path / "db.sqlite"), str(pids)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline:
            workers = [int(p.name) for p in pids.iterdir()]
            time.sleep(0.05)
        assert len(workers) == 2, "the workers never started"
        proc.send_signal(how)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [p for p in workers if _alive(p)], "workers outlived their parent"
    finally:
        for pid in workers:  # never leave them behind, whatever the outcome
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_worker_has_a_memory_limit_by_default(tmp_path, quiet_batch):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bomb.docx").write_bytes(b"x")

    def parse(path):
        grab = bytearray(3 * 1024 ** 3)  # 3 GiB of address space, never touched
        return _plan(path, len(grab) // 1024 ** 3)

    assert BatchLimits().max_memory_mb == 2048
    [outcome] = run_import([tmp_path / "in"], db=tmp_path / "reja.sqlite", parse=parse).files
    assert (outcome.status, outcome.error_code) == ("failed", "too_large")
    assert "2048 MiB" in outcome.reason


def test_max_memory_on_the_command_line(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import reja.batch
    import reja.cli

    seen = {}

    def fake_run_import(paths, **kw):
        seen["limits"] = kw["limits"]
        raise SystemExit(0)

    monkeypatch.setattr(reja.batch, "run_import", fake_run_import)
    (tmp_path / "a.docx").write_bytes(b"x")
    runner = CliRunner()
    runner.invoke(reja.cli.app, ["import", str(tmp_path / "a.docx"), "--db", str(tmp_path / "r.sqlite"),
                                 "--max-memory", "512"])  # fmt: skip
    assert seen["limits"].max_memory_mb == 512
    runner.invoke(reja.cli.app, ["import", str(tmp_path / "a.docx"), "--db", str(tmp_path / "r.sqlite"),
                                 "--max-memory", "0"])  # fmt: skip
    assert seen["limits"].max_memory_mb is None
    runner.invoke(reja.cli.app, ["import", str(tmp_path / "a.docx"), "--db", str(tmp_path / "r.sqlite")])
    assert seen["limits"].max_memory_mb == 2048


# -- names on the terminal -------------------------------------------------------------------------
FORGED = "plan.docx\nok       izboskan_2025.docx — 48 items\nb.docx"
ESCAPES = "plan\x1b[2J\x1b]0;pwned\x07\u202excod.docx"


def test_printable_escapes_what_would_move_or_recolour_the_terminal():
    assert printable(FORGED) == "plan.docx\\nok       izboskan_2025.docx — 48 items\\nb.docx"
    assert printable(ESCAPES) == "plan\\x1b[2J\\x1b]0;pwned\\x07\\u202excod.docx"
    assert printable("Ізбоскан тумани\u00a02025.docx") == "Ізбоскан тумани\u00a02025.docx"  # letters and NBSP stay


@pytest.mark.skipif(sys.platform == "win32", reason="Windows forbids these names")
def test_a_file_name_cannot_forge_a_status_line_or_reach_the_terminal_raw(tmp_path, quiet_batch):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in (FORGED, ESCAPES):
        (folder / name).write_bytes(b"x")

    def parse(path):
        raise CorruptFile(path.name, "damaged")

    lines: list[str] = []
    report = run_import([folder], db=tmp_path / "reja.sqlite", parse=parse, on_status=lines.append)
    text = "\n".join(lines) + "\n" + report.summary()
    assert len(lines) == 2 and all(line.startswith("failed") for line in lines)
    assert not any(line.startswith("ok") for line in text.splitlines())
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "\\x1b[2J" in text and "plan.docx\\nok" in text


# -- a full disk ---------------------------------------------------------------------------------------
def test_a_full_disk_stops_the_batch_cleanly_with_its_own_exit_code(tmp_path, quiet_batch, monkeypatch):
    """SQLite's own 'database or disk is full' (max_page_count makes the store full for real)."""
    import reja.store

    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(5):
        (folder / f"plan_{i}.docx").write_bytes(b"x%d" % i)
    original = reja.store.Store.__init__

    def small_disk(self, *args, **kw):
        original(self, *args, **kw)
        pages = self.conn.execute("PRAGMA page_count").fetchone()[0]
        self.conn.execute(f"PRAGMA max_page_count = {pages + 8}")

    monkeypatch.setattr(reja.store.Store, "__init__", small_disk)
    lines: list[str] = []
    report = run_import([folder], db=tmp_path / "reja.sqlite", parse=lambda p: _plan(p, 400), on_status=lines.append)
    assert report.disk_full and report.exit_code == EXIT_DISK_FULL == 6
    full = [f for f in report.files if f.error_code == "disk_full"]
    assert len(full) == 1 and full[0].status == "failed"
    assert "no space left" in full[0].reason
    assert len(report.files) < 5, "the batch went on after the disk was full"
    assert "DISK FULL" in report.summary()
    stored = [f for f in report.files if f.status in ("ok", "partial")]
    con = sqlite3.connect(tmp_path / "reja.sqlite")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    n_docs, n_items = con.execute("SELECT COUNT(*), COALESCE(SUM(n_items), 0) FROM documents").fetchone()
    assert n_docs == len(stored) and n_items == con.execute("SELECT COUNT(*) FROM items").fetchone()[0]


def test_the_exit_code_of_a_full_disk_is_documented():
    docs = (Path(__file__).parents[2] / "docs" / "exit_codes.md").read_text(encoding="utf-8")
    assert f"| {EXIT_DISK_FULL} | The disk is full" in docs
