"""Imports on a Dask cluster (issue 23): a two-worker LocalCluster (processes) reads the files, the
client writes the store. The same statuses, exit codes, rows, isolation and time limit as the local
executor; results written in the order the files were given."""

import json
from pathlib import Path

import pandas as pd
import pytest
from distributed import Client, LocalCluster

from reja.api import load_documents, load_items
from reja.batch import BatchLimits, run_import
from reja.cluster import DaskExecutor

# document columns that say when and in which run a file was imported, not what it holds
RUN_COLUMNS = ["imported_at", "run_id", "duration_s"]


@pytest.fixture(scope="module")
def dask_client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster, set_as_default=False) as client:
        yield client


@pytest.fixture
def batch(tmp_path, fp) -> Path:
    """Plans of three districts, a corrupt file, a parser bug, a reader that kills its process and a
    file that hangs past the time limit."""
    folder = tmp_path / "plans"
    for name, district, n in (("a_asaka", "Asaka", 4), ("b_baliqchi", "Baliqchi", 3), ("c_shahrixon", "Shahrixon", 5)):
        fp.write(folder / f"{name}.docx", fp.spec(district=f"{district} tumani", n=n, flagged=(2,)))
    (folder / "d_corrupt.docx").write_bytes(b"not a plan")
    (folder / "e_bug.docx").write_bytes(b"BUG")
    (folder / "f_crash.docx").write_bytes(b"CRASH")
    fp.write(folder / "g_hangs.docx", fp.spec(district="Paxtaobod tumani", n=2, sleep=120))
    return folder


LIMITS = BatchLimits(timeout_s=6)


def test_dask_import_gives_what_the_local_import_gives(tmp_path, batch, fp, dask_client):
    local = run_import([batch], db=tmp_path / "local.sqlite", parse=fp.fake_parse, limits=LIMITS, jobs=2)
    lines: list[str] = []
    # three files a task: the corrupt file, the parser bug and the killed reader share one, and the
    # others of that task are not hurt by them
    remote = run_import([batch], db=tmp_path / "dask.sqlite", parse=fp.fake_parse, limits=LIMITS,
                        executor=DaskExecutor(dask_client, parcel=3), on_status=lines.append)
    outcome = {Path(f.source_file).stem: (f.status, f.error_code) for f in remote.files}
    assert outcome == {"a_asaka": ("partial", None), "b_baliqchi": ("partial", None), "c_shahrixon": ("partial", None),
                       "d_corrupt": ("failed", "corrupt_file"), "e_bug": ("failed", "internal_error"),
                       "f_crash": ("failed", "worker_crashed"), "g_hangs": ("failed", "too_large")}
    assert outcome == {Path(f.source_file).stem: (f.status, f.error_code) for f in local.files}
    assert remote.exit_code == local.exit_code == 4
    assert "reading took longer than 6 s" in next(f.reason for f in remote.files if f.source_file.endswith("g_hangs.docx"))
    # written in the order given (the client is the only writer), whatever order the workers finish in
    assert [Path(f.source_file).stem for f in remote.files] == sorted(outcome)
    assert [ln.split()[0] for ln in lines] == ["partial"] * 3 + ["failed"] * 4
    items = [load_items(db) for db in (tmp_path / "local.sqlite", tmp_path / "dask.sqlite")]
    pd.testing.assert_frame_equal(items[0], items[1])
    assert len(items[1]) == 4 + 3 + 5
    docs = [load_documents(db).drop(columns=RUN_COLUMNS) for db in (tmp_path / "local.sqlite", tmp_path / "dask.sqlite")]
    pd.testing.assert_frame_equal(docs[0], docs[1])


def test_a_second_run_on_the_cluster_skips_what_is_stored(tmp_path, fp, dask_client):
    folder = tmp_path / "plans"
    fp.write(folder / "asaka.docx", fp.spec(district="Asaka tumani", n=3))
    db = tmp_path / "reja.sqlite"
    first = run_import([folder], db=db, parse=fp.fake_parse, executor=DaskExecutor(dask_client))
    again = run_import([folder], db=db, parse=fp.fake_parse, executor=DaskExecutor(dask_client))
    assert [f.status for f in first.files] == ["partial"]  # the made-up section matches no catalogue section
    assert [f.status for f in again.files] == ["skipped"] and again.exit_code == first.exit_code == 3


def test_import_command_takes_a_scheduler(tmp_path, fp, runner, dask_client):
    from reja.cli import app

    fp.write(tmp_path / "plans" / "asaka.docx", fp.spec(district="Asaka tumani", n=3, flagged=(1,)))
    address = dask_client.scheduler.address
    result = runner.invoke(app, ["import", str(tmp_path / "plans"), "--db", str(tmp_path / "r.sqlite"),
                                 "--scheduler", address])
    assert result.exit_code == 3, result.output
    assert "partial" in result.output and "asaka.docx — 3 items" in result.output


def test_no_scheduler_there_is_a_usage_error(tmp_path, fp, runner, monkeypatch):
    import reja.cluster
    from reja.cli import app

    monkeypatch.setattr(reja.cluster.DaskExecutor.__init__, "__defaults__", (None, 2))
    fp.write(tmp_path / "plans" / "asaka.docx", fp.spec(district="Asaka tumani", n=3))
    result = runner.invoke(app, ["import", str(tmp_path / "plans"), "--db", str(tmp_path / "r.sqlite"),
                                 "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "no Dask scheduler at tcp://127.0.0.1:9" in result.output
    assert not (tmp_path / "r.sqlite").exists()


def test_a_worker_that_dies_costs_only_the_file_that_killed_it(tmp_path, fp):
    """A fault that takes the worker process itself down (not only the reading child): Dask gives up on
    the task (no retries here); the parcel's other files are read again on their own and stored."""
    import dask

    folder = tmp_path / "plans"
    fp.write(folder / "a_asaka.docx", fp.spec(district="Asaka tumani", n=2))
    (folder / "b_kills_worker.docx").write_bytes(b"KILLPARENT")
    fp.write(folder / "c_baliqchi.docx", fp.spec(district="Baliqchi tumani", n=3))
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster, set_as_default=False) as client:
        executor = DaskExecutor(client, parcel=3)
        report = run_import([folder], db=tmp_path / "r.sqlite", parse=fp.fake_parse, executor=executor)
    outcome = [(Path(f.source_file).stem, f.status, f.error_code, f.n_items) for f in report.files]
    assert outcome == [("a_asaka", "partial", None, 2), ("b_kills_worker", "failed", "worker_crashed", 0),
                       ("c_baliqchi", "partial", None, 3)]
    assert "died on the cluster" in report.files[1].reason
    assert executor.stats["resent_alone"] == 3 and report.exit_code == 4


def test_a_hung_worker_costs_its_file_and_is_restarted(tmp_path, fp):
    """A worker stopped as a whole (SIGSTOP: its heartbeat stops too, and its reading child can no longer
    be timed out by it): the client gives the task up `timeout + hang_grace` after the worker said it
    started, the file fails as too_large saying so, the worker is restarted by its nanny and the batch
    goes on on both workers. Dask alone would wait for its worker-ttl (60 s here, 5 min by default)."""
    import os
    import time

    import dask

    folder = tmp_path / "plans"
    fp.write(folder / "a_asaka.docx", fp.spec(district="Asaka tumani", n=2))
    (folder / "b_hangs.docx").write_bytes(b"HANGPARENT")
    for name in ("c_baliqchi", "d_bogot", "e_buloqboshi"):
        fp.write(folder / f"{name}.docx", fp.spec(district=f"{name[2:].title()} tumani", n=3, sleep=1))
    with dask.config.set({"distributed.scheduler.worker-ttl": "60s"}), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster, set_as_default=False) as client:
        before = set(client.run(os.getpid).values())
        executor = DaskExecutor(client, parcel=1, hang_grace=2)
        start = time.monotonic()
        report = run_import([folder], db=tmp_path / "r.sqlite", parse=fp.fake_parse, executor=executor,
                            limits=BatchLimits(timeout_s=3))
        seconds = time.monotonic() - start
        outcome = [(Path(f.source_file).stem, f.status, f.error_code) for f in report.files]
        assert outcome == [("a_asaka", "partial", None), ("b_hangs", "failed", "too_large"),
                           ("c_baliqchi", "partial", None), ("d_bogot", "partial", None),
                           ("e_buloqboshi", "partial", None)]
        assert "stopped answering" in report.files[1].reason and report.exit_code == 4
        assert executor.stats["hung_tasks"] == 1 and seconds < 45
        client.wait_for_workers(2, timeout=30)
        after = set(client.run(os.getpid).values())
    assert len(before - after) == 1  # the hung worker's process was replaced
    hung = (before - after).pop()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and Path(f"/proc/{hung}").exists():
        time.sleep(0.2)
    assert not Path(f"/proc/{hung}").exists() or "Z" in Path(f"/proc/{hung}/stat").read_text().split()[2]


def test_workers_read_with_the_client_s_ocr_cache_and_tell_pages(tmp_path, fp, dask_client, monkeypatch):
    """The reader options on a worker are the local import's (the OCR cache beside the store, none with
    --no-ocr-cache); a scan's pages read on a worker reach the progress line."""
    monkeypatch.delenv("REJA_OCR_CACHE", raising=False)
    log = tmp_path / "options.jsonl"
    fp.write(tmp_path / "in" / "scan.pdf", {**fp.spec(n=2), "pages": 3, "sleep": 1, "options_log": str(log)})
    seen = lambda: [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]  # noqa: E731

    run_import([tmp_path / "in"], db=tmp_path / "local" / "reja.sqlite", parse=fp.fake_parse)
    local = seen()
    log.unlink()
    executor, pages = DaskExecutor(dask_client), []
    executor.on_pages = lambda task, done, total: pages.append((Path(task["display"]).name, done, total))
    db = tmp_path / "dask" / "reja.sqlite"
    run_import([tmp_path / "in"], db=db, parse=fp.fake_parse, executor=executor)
    assert local == [{"ocr_cache": str(tmp_path / "local" / "ocr-cache")}]
    # one file, two worker threads: as `--jobs 2` locally, the idle one may read pages (`jobs`)
    assert seen() == [{"ocr_cache": str(tmp_path / "dask" / "ocr-cache"), "jobs": "2"}]
    assert pages == [("scan.pdf", 1, 3), ("scan.pdf", 2, 3), ("scan.pdf", 3, 3)]
    assert list((tmp_path / "dask" / "ocr-cache").iterdir()) == []  # the client's marker is gone

    log.unlink()
    run_import([tmp_path / "in"], db=tmp_path / "nocache.sqlite", parse=fp.fake_parse, executor=executor,
               ocr_cache=False)
    assert seen() == [{"ocr_cache": "False", "jobs": "2"}]  # not absent: the reader would take $REJA_OCR_CACHE


def test_a_scan_alone_on_the_cluster_has_its_pages_read_by_the_idle_worker_too(tmp_path, fp, dask_client):
    """One file, two workers: the worker reading it and the idle one share its pages (the first pages
    here, the last there), they come back in page order, the progress line counts them as locally. Two
    files on two workers: no sharing, each file's pages where the file is read."""
    import os

    log = tmp_path / "pages.jsonl"
    fp.write(tmp_path / "one" / "scan.pdf", {**fp.spec(n=2), "pages": 6, "page_sleep": 1.5, "pages_log": str(log)})
    executor, progress = DaskExecutor(dask_client), []
    executor.on_pages = lambda task, done, total: progress.append((done, total))
    report = run_import([tmp_path / "one"], db=tmp_path / "one.sqlite", parse=fp.fake_parse, executor=executor)
    pages = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    workers = set(dask_client.run(os.getpid).values())
    assert [f.status for f in report.files] == ["partial"], report.files[0].reason
    assert [p["page"] for p in pages] == [1, 2, 3, 4, 5, 6] and all(p["file_here"] for p in pages)
    assert {p["parent"] for p in pages} == workers  # both workers read pages of the one file
    reader = pages[0]["pid"]  # the child reading the file reads from the first page on, the helper from the last
    assert pages[-1]["pid"] != reader and pages[-1]["parent"] != pages[0]["parent"]
    assert progress == [(0, 6)] * (progress[:1] == [(0, 6)]) + [(k, 6) for k in range(1, 7)]

    log.unlink()
    for name in ("a", "b"):
        fp.write(tmp_path / "two" / f"{name}.pdf", {**fp.spec(n=2, district=f"{name} tumani"), "pages": 3,
                                                    "page_sleep": 0.2, "pages_log": str(log)})
    run_import([tmp_path / "two"], db=tmp_path / "two.sqlite", parse=fp.fake_parse, executor=DaskExecutor(dask_client))
    pages = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    by_file = {name: {p["pid"] for p in pages if p["file"] == name} for name in ("a.pdf", "b.pdf")}
    assert len(pages) == 6 and all(len(readers) == 1 for readers in by_file.values())  # each file's own child


def test_a_worker_that_cannot_see_the_client_s_cache_folder_uses_its_own(tmp_path):
    from reja.cluster import _visible_options

    options = {"ocr_cache": str(tmp_path / "cache"), "ocr_cache_marker": ".reja-client-1234"}
    assert _visible_options(options) == {}  # another machine: $REJA_OCR_CACHE of the worker, if set
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / ".reja-client-1234").touch()
    assert _visible_options(options) == {"ocr_cache": str(tmp_path / "cache")}
    assert _visible_options({"ocr_cache": False}) == {"ocr_cache": False}  # --no-ocr-cache: on every worker


def test_small_files_travel_in_parcels_of_consecutive_files():
    from reja.cluster import PARCEL_BYTES, parcel_size, parcels

    sizes = [10, 10, PARCEL_BYTES, 10, 10, 10, PARCEL_BYTES - 5, 10]
    assert parcels(list(range(8)), sizes, 3) == [[0, 1], [2], [3, 4, 5], [6], [7]]
    assert parcel_size(files=60, threads=2) == 7 and parcel_size(files=7, threads=2) == 1
    assert parcel_size(files=10_000, threads=2) == 8


def test_the_client_loads_no_reader_when_the_cluster_reads(tmp_path, fp, dask_client, monkeypatch):
    import reja.worker

    calls = []
    monkeypatch.setattr(reja.worker, "warm_up", lambda: calls.append(1))
    fp.write(tmp_path / "in" / "a.docx", fp.spec(n=2))
    report = run_import([tmp_path / "in"], db=tmp_path / "r.sqlite", parse=fp.fake_parse, executor=DaskExecutor(dask_client))
    assert [f.status for f in report.files] == ["partial"] and calls == []
    run_import([tmp_path / "in"], db=tmp_path / "local.sqlite", parse=fp.fake_parse)
    assert calls == [1]  # the local children inherit what the parent loaded
