"""Issue 23, measured: the PostgreSQL store against SQLite, the Dask executor against local jobs, and the
hours a national backfill of scanned pages would take on N workers. Re-runnable (`make bench-cluster`);
every figure is a ratio against a baseline of the same run, or CPU seconds, so a loaded machine shifts
the seconds more than the ratios. Needs Debian's postgresql and the `postgres` and `cluster` extras
(`make setup`).

    python tools/measure_cluster.py --plans 60 --scans 12 --scan-pages 3 --long-scans 2 --long-scan-pages 9 \
        --skip store --json bench-out/cluster.json

1. Store: N generated DOCX plans (the region generator of `reja.variety`: real districts, three years)
   imported with `reja import --jobs 2` into SQLite and into PostgreSQL (a throwaway cluster, started
   here with synchronous_commit=off: the same durability as SQLite's WAL + synchronous=NORMAL, a crash
   may lose the last commits but never leaves half a document). Also the store's writes alone: every
   stored document written again into a fresh store of each kind (`Store.write_document`). Checks that
   both give identical exports (items and documents frames, items.csv bytes).
2. Executors, up to three batches in the same run: the typed plans of 1, a scans batch (`--scans` PDFs
   cut from the scanned sample, each its title page and `--scan-pages`-1 pages of its own, so OCR
   dominates) and a batch of `--long-scans` long ones (`--long-scan-pages` each: few files, many pages),
   each imported with `--jobs 1`, `--jobs 2` and `--scheduler` on a Dask LocalCluster of two worker
   processes (one thread each; workers warmed once, as a standing cluster is), `--repeat` times in turn
   (the median run of each is reported). The local baselines run with NO cluster alive and with the
   environment this script started with (a Dask Nanny writes its workers' settings, MALLOC_TRIM_THRESHOLD_
   among them, into its own process's environment); the cluster is started after them for the Dask runs
   and closed again. Each run gets a fresh store and OCR cache. Wall seconds and their ratios (meaningful on a quiet machine only), and CPU
   seconds (the command with its reading children, the workers with theirs, the scheduler and nannies
   in this process), which a loaded machine hardly changes: their difference per file is Dask's cost.
   Also Dask's own round trip (an empty task, one at a time) and the run log's executor figures, and
   what two slots could give at best: the command's serial start-up (CPU of an import of nothing) plus
   the files' own seconds under `--jobs 1` handed in order to two slots (a last long file read alone).
3. The backfill: hours for `--backfill-pages` scanned pages on each `--workers` count from the scans
   batch's CPU per page on the workers plus Dask's CPU per file (15 pages a plan).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests/pgcluster.py: the throwaway PostgreSQL cluster

RUN_COLUMNS = ["imported_at", "run_id", "duration_s"]
# the environment the commands run with, taken before any Dask cluster starts: a Nanny writes its workers'
# settings (MALLOC_TRIM_THRESHOLD_=65536, OMP_NUM_THREADS=1, …) into this process's os.environ, and the
# local baselines would inherit them
ENV = dict(os.environ)


def generate_plans(n: int, dest: Path) -> Path:
    """n DOCX plans of real districts (regions in gazetteer order, years 2023–2025)."""
    from reja.variety.region import draw_region
    from reja.variety.renderers.docx import render_docx
    from reja.variety.spec import _places

    dest.mkdir(parents=True, exist_ok=True)
    regions = sorted({p["region_id"] for p in _places()[0] if p.get("region_id")})
    made = 0
    for region in regions:
        for spec in draw_region(region, [2023, 2024, 2025], missing_last_year=0, bad_totals_per_year=0,
                                below_fact_per_year=0).specs:
            if made >= n:
                return dest
            render_docx(spec, dest / f"plan-{made:04d}.docx")
            made += 1
    return dest


def timed_import(folder: Path, db: str, *extra: str) -> dict:
    """One `reja import` (English messages); a run with failed files is recorded with their reasons, not hidden."""

    logs = (folder.parent if "://" in db else Path(db).parent) / "runs"  # beside a SQLite store; else the current folder
    before = set(logs.glob("*.jsonl"))
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "reja.cli", "import", str(folder), "--db", db, "--quiet", *extra],
                          capture_output=True, text=True, cwd=folder.parent, env={**ENV, "REJA_LANG": "en"})
    seconds = time.perf_counter() - start
    out = {"seconds": round(seconds, 2), "exit_code": proc.returncode,
           "summary": (proc.stdout.strip().splitlines() or [proc.stderr.strip()[-300:]])[0]}
    if proc.returncode not in (0, 3):  # which files failed and why, from the run log
        failed = []
        for log in set(logs.glob("*.jsonl")) - before:
            for line in log.read_text(encoding="utf-8").splitlines():
                event = json.loads(line)
                if event.get("event") == "file" and event.get("status") == "failed":
                    failed.append(f"{Path(event['source_file']).name}: {event.get('reason')}")
        out["failed"] = failed
    return out


def timed_python(code: str, *args: str) -> dict:
    """`python -c code args…` timed like `timed_import` (its exit code as the import's)."""

    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env={**ENV, "REJA_LANG": "en"})
    return {"seconds": round(time.perf_counter() - start, 2), "exit_code": proc.returncode,
            "summary": proc.stderr.strip()[-300:] if proc.returncode not in (0, 3) else ""}


def rewrite_seconds(source_db: str, target_db: str) -> float:
    """Seconds to write every stored document (with its rows) into a fresh store at target_db."""
    import pandas as pd
    from reja.schema.dataset import ITEM_FIELDS

    from reja.records import ItemRow
    from reja.store import Store

    with Store(source_db, readonly=True) as src:
        docs = src.documents()
        items = src.items(include_superseded=True)
    rows_of = {d: g.to_dict("records") for d, g in items.groupby("document_id")}
    records = [(d, rows_of.get(d["document_id"], [])) for d in docs.to_dict("records")]

    def plain(row: dict) -> dict:  # pandas' missing values and numpy scalars as the pipeline hands them over
        return {k: None if not isinstance(v, list | dict) and pd.isna(v) else (v.item() if hasattr(v, "item") else v)
                for k, v in row.items()}

    def item(row: dict) -> ItemRow:  # a stored row as the pipeline's typed row (flags a list again)
        values = plain(row)
        values = {k: int(v) if k in ints and isinstance(v, float) else v for k, v in values.items() if k in columns}
        return ItemRow.from_record({**values, "flags": [f for f in (values["flags"] or "").split("; ") if f]})

    ints = {f.name for f in ITEM_FIELDS if f.kind == "integer"}
    columns = {f.name for f in ITEM_FIELDS}
    prepared = [(plain(d), [item(r) for r in rows]) for d, rows in records]
    with Store(target_db) as store:
        start = time.perf_counter()
        for doc, rows in prepared:
            store.write_document(doc, rows)
        return time.perf_counter() - start


def same_exports(a: str, b: str, work: Path) -> dict:
    import pandas as pd

    from reja.api import load_documents, load_items
    from reja.export import export_dataset

    items = [load_items(db) for db in (a, b)]
    docs = [load_documents(db).drop(columns=RUN_COLUMNS) for db in (a, b)]
    out = {"items_rows": len(items[0]), "documents": len(docs[0])}
    try:
        pd.testing.assert_frame_equal(items[0], items[1])
        pd.testing.assert_frame_equal(docs[0], docs[1])
        out["frames_identical"] = True
    except AssertionError as exc:
        out["frames_identical"] = False
        out["difference"] = str(exc)[:500]
    csv = [export_dataset(db, work / f"export{i}")["items.csv"].read_bytes() for i, db in enumerate((a, b))]
    out["items_csv_identical"] = csv[0] == csv[1]
    return out


def measure_store(plans: Path, work: Path, jobs: int) -> dict:
    from tests.pgcluster import TempCluster

    cluster = TempCluster(fast=False)
    try:
        import psycopg

        with psycopg.connect(cluster.url(), autocommit=True) as con:  # SQLite WAL + NORMAL's durability
            con.execute("ALTER SYSTEM SET synchronous_commit = off")
            con.execute("SELECT pg_reload_conf()")
        lite = str(work / "store.sqlite")
        pg = cluster.create_database()
        runs = {"sqlite": timed_import(plans, lite, "--jobs", str(jobs)),
                "postgres": timed_import(plans, pg, "--jobs", str(jobs))}
        runs["import_ratio"] = round(runs["postgres"]["seconds"] / runs["sqlite"]["seconds"], 2)
        runs["writes_only"] = {"sqlite_s": round(rewrite_seconds(lite, str(work / "rewrite.sqlite")), 2),
                               "postgres_s": round(rewrite_seconds(lite, cluster.create_database()), 2)}
        w = runs["writes_only"]
        w["ratio"] = round(w["postgres_s"] / w["sqlite_s"], 2) if w["sqlite_s"] else None
        runs["exports"] = same_exports(lite, pg, work)
        return runs
    finally:
        cluster.stop()


def make_scans(dest: Path, files: int, pages: int) -> Path:
    """`files` PDFs cut from the scanned sample: each its title page and pages-1 pages of its own, taken
    in turn from the sample's other pages (after the last one, from the first again: every run is
    --no-ocr-cache, so a page in two files is read twice, as two different pages would be)."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(REPO / "samples" / "jondor_2021_scan.pdf")
    dest.mkdir(parents=True, exist_ok=True)
    rest = list(range(1, len(reader.pages)))
    if pages - 1 > len(rest):
        raise SystemExit(f"the sample has {len(reader.pages)} pages: a scan of at most {len(reader.pages)}")
    for n in range(files):
        writer = PdfWriter()
        own = [rest[(n * (pages - 1) + k) % len(rest)] for k in range(pages - 1)]
        for i in [0, *own]:
            writer.add_page(reader.pages[i])
        with open(dest / f"scan-{n:02d}.pdf", "wb") as fh:
            writer.write(fh)
    return dest


def _rusage(who) -> float:
    import resource

    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def worker_cpu() -> float:
    """On a worker: CPU seconds of the worker process and of the reading children it has reaped."""
    import resource

    return _rusage(resource.RUSAGE_SELF) + _rusage(resource.RUSAGE_CHILDREN)


def noop(x):
    return x


def round_trip_ms(client, n: int = 30) -> float:
    """Median milliseconds of an empty task, submitted and awaited one at a time."""
    import statistics

    times = []
    for i in range(n):
        start = time.perf_counter()
        client.submit(noop, i, pure=False).result()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 2)


def executor_stats(log_dir: Path) -> dict:
    """The run log's "executor" event (where a Dask run's time went on the workers)."""
    for log in sorted(log_dir.glob("runs/*.jsonl")):
        for line in log.read_text(encoding="utf-8").splitlines():
            event = json.loads(line)
            if event.get("event") == "executor":
                return {k: v for k, v in event.items() if k not in ("at", "event")}
    return {}


def file_seconds(log_dir: Path) -> list[float]:
    """Each read file's own seconds (the reading child's, from the run log), in the order given."""
    out = []
    for log in sorted(log_dir.glob("runs/*.jsonl")):
        for line in log.read_text(encoding="utf-8").splitlines():
            event = json.loads(line)
            if event.get("event") == "file" and event.get("status") != "skipped":
                out.append(float(event.get("seconds") or 0.0))
    return out


def slots_makespan(seconds: list[float], slots: int) -> float:
    """When the last of `slots` parallel slots is done, each file going in order to the first free slot
    (as `--jobs` and the cluster's window hand them out)."""
    import heapq

    free = [0.0] * slots
    for s in seconds:
        heapq.heappush(free, heapq.heappop(free) + s)
    return max(free)


def startup_cpu(work: Path) -> float:
    """CPU seconds of `reja import` with nothing to read (interpreter, imports, store, run log): the
    command's serial part that no --jobs spreads."""
    import resource

    empty = work / "empty"
    empty.mkdir(parents=True, exist_ok=True)
    before = _rusage(resource.RUSAGE_CHILDREN)
    timed_import(empty, str(work / "empty.sqlite"))
    return round(_rusage(resource.RUSAGE_CHILDREN) - before, 2)


PARCEL1 = """
import sys
from reja.batch import run_import
from reja.cluster import DaskExecutor
executor = DaskExecutor(sys.argv[3], parcel=1)
try:
    report = run_import([sys.argv[1]], db=sys.argv[2], executor=executor, ocr_cache=False, progress=False)
finally:
    executor.close()
sys.exit(report.exit_code)
"""


def _cpu_now(client) -> tuple[float, float, float]:
    """CPU seconds so far: this process's reaped children (the commands), the cluster's workers with their
    children (0 with no cluster), this process (scheduler and nannies when a cluster is alive)."""
    import resource

    workers = sum(client.run(worker_cpu).values()) if client is not None else 0.0
    return _rusage(resource.RUSAGE_CHILDREN), workers, _rusage(resource.RUSAGE_SELF)


def _one_run(name: str, args, folder: Path, store: Path, client, scheduler: str | None) -> dict:
    import os

    store.mkdir(parents=True)
    load = round(os.getloadavg()[0], 1)
    cpu0 = _cpu_now(client)
    if args is None:
        run = timed_python(PARCEL1, str(folder), str(store / "reja.sqlite"), scheduler)
    else:
        run = timed_import(folder, str(store / "reja.sqlite"), *args, "--no-ocr-cache")
    command, workers, services = (round(b - a, 2) for a, b in zip(cpu0, _cpu_now(client), strict=True))
    run["cpu_s"] = {"command": command, "workers": workers, "scheduler_nannies": services}
    run["load_before"] = load
    if name.startswith("dask"):
        run["executor"] = executor_stats(store)
    if name == "jobs1":
        run["file_seconds"] = file_seconds(store)
    return run


def _cluster(workers: int):
    """A LocalCluster of `workers` processes (one thread each) and its client, workers warmed (as a standing
    cluster is), and its own idle CPU per second (heartbeats: taken off the Dask runs' CPU)."""
    from distributed import Client, LocalCluster

    from reja.cluster import warm_worker

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0")
    client = Client(cluster, set_as_default=False)
    client.run(warm_worker)
    time.sleep(1)
    before, start = _cpu_now(client), time.perf_counter()
    time.sleep(5)
    after = _cpu_now(client)
    idle = (after[1] - before[1] + after[2] - before[2]) / (time.perf_counter() - start)
    return cluster, client, idle


def measure_batch(folder: Path, work: Path, workers: int, files: int, pages: int | None, repeat: int = 1) -> dict:
    """The batch imported with --jobs 1, --jobs 2 and on a fresh cluster (typed plans also one file a task,
    as before parcels), `repeat` times in turn: wall and CPU seconds (each configuration's median run),
    ratios. The local baselines run with NO cluster alive (its heartbeats and a Nanny's environment would
    slow them) and the cluster is started after them, for the Dask runs only. No OCR cache: every page is
    read cold (a title page shared by two scans would be OCR'd once locally but twice by two workers)."""
    import statistics

    out: dict = {"files": files, "pages": pages, "repeat": repeat}
    local = (("jobs1", ["--jobs", "1"]), ("jobs2", ["--jobs", "2"]))
    remote: tuple = (("dask", ["--scheduler", ""]),)
    if pages is None:  # typed plans travel in parcels; scans (one file a task already) need no second Dask run
        remote += (("dask_parcel1", None),)
    runs: dict[str, list[dict]] = {name: [] for name, _args in local + remote}
    idle_rates = []
    for r in range(repeat):
        for name, args in local:
            runs[name].append(_one_run(name, args, folder, work / f"{name}-{r}", None, None))
        cluster, client, idle = _cluster(workers)
        try:
            idle_rates.append(idle)
            for name, args in remote:
                args = ["--scheduler", cluster.scheduler_address] if args else None
                run = _one_run(name, args, folder, work / f"{name}-{r}", client, cluster.scheduler_address)
                run["idle_cpu_per_s"] = idle
                runs[name].append(run)
        finally:
            client.close()
            cluster.close()
    configs = [name for name, _args in local + remote]
    for name in configs:
        ordered = sorted(runs[name], key=lambda run: run["seconds"])
        out[name] = dict(ordered[(len(ordered) - 1) // 2])  # the median run (the lower one of an even count)
        out[name]["seconds_all"] = [run["seconds"] for run in runs[name]]
    out["idle_cluster_cpu_per_s"] = round(statistics.median(idle_rates), 3)
    for name in configs:
        c = out[name]["cpu_s"]
        total = c["command"] + ((c["workers"] + c["scheduler_nannies"] - out[name].get("idle_cpu_per_s", 0)
                                 * out[name]["seconds"]) if name.startswith("dask") else 0)  # fmt: skip
        c["total"] = round(total, 2)
        out[name]["cpu_s_per_file"] = round(total / files, 3)
        if pages:
            out[name]["cpu_s_per_page"] = round(total / pages, 3)
    j1, j2, d = (out[k]["seconds"] for k in ("jobs1", "jobs2", "dask"))
    out["speedup_vs_jobs1"] = round(j1 / d, 2)
    out["dask_vs_jobs2"] = round(d / j2, 2)
    out["jobs2_speedup"] = round(j1 / j2, 2)
    # why --jobs 2 is not 2x: the command's serial start-up, and files that do not split evenly over two
    # slots (the last long file read alone); the bound both leave, from --jobs 1's own figures
    lengths = out["jobs1"].pop("file_seconds")
    for name in configs:
        out[name].pop("file_seconds", None)
    serial = out["startup_cpu_s"] = startup_cpu(work)
    one, two = serial + sum(lengths), serial + slots_makespan(lengths, 2)
    out["two_slots_bound"] = {"serial_s": serial, "files_s": round(sum(lengths), 2), "makespan_2_s": round(two - serial, 2),
                              "speedup": round(one / two, 2) if two else None,
                              "speedup_no_serial": round(sum(lengths) / (two - serial), 2) if two > serial else None}
    for name in [c for c in configs if c.startswith("dask")]:
        extra = (out[name]["cpu_s"]["total"] - out["jobs1"]["cpu_s"]["total"]) / files
        out[f"{name}_extra_cpu_s_per_file"] = round(extra, 3)
    return out


def measure_executors(batches: dict[str, tuple[Path, int, int | None]], work: Path, workers: int, repeat: int = 1) -> dict:
    ENV.pop("REJA_OCR_CACHE", None)  # each run its own fresh cache beside its store: cold OCR
    out: dict = {"workers": workers}
    cluster, client, _idle = _cluster(workers)
    try:
        out["round_trip_ms"] = round_trip_ms(client)
    finally:
        client.close()
        cluster.close()
    for name, (folder, files, pages) in batches.items():
        out[name] = measure_batch(folder, work / f"runs-{name}", workers, files, pages, repeat)
    return out


def project(scans: dict, pages: int, workers: list[int]) -> dict:
    """Hours for `pages` scanned pages (15 a plan) on each worker count, from the scans batch on the
    cluster: the reading children's CPU per page (reader, OCR, matching) and the rest of the run's CPU
    per file (client, scheduler, worker processes; with this batch's start-up in it, so an upper bound);
    one core per worker, linear in workers."""
    d = scans["dask"]
    readers = d["executor"].get("reader_cpu_s") or d["cpu_s"]["total"]
    per_page = readers / scans["pages"]
    per_file = max(0.0, d["cpu_s"]["total"] - readers) / scans["files"]
    cpu_h = (pages * per_page + pages / 15 * per_file) / 3600
    efficiency = scans["speedup_vs_jobs1"] / 2  # this run's, on this machine (meaningless under load)
    return {"cpu_s_per_page": round(per_page, 2), "other_cpu_s_per_file": round(per_file, 3), "cpu_hours": round(cpu_h, 1),
            "efficiency_this_run": round(efficiency, 2),
            "by_workers": [{"workers": n, "hours": round(cpu_h / n, 1),
                            "hours_at_this_run_efficiency": round(cpu_h / (n * efficiency), 1) if efficiency else None}
                           for n in workers]}  # fmt: skip


def report(r: dict) -> str:
    s, e = r.get("store"), r.get("executors")
    lines = [f"# measure_cluster: {r['plans']} plans, {r['at']}, load average before: {r['load_before']}, "
             f"after: {r.get('load_after')}", ""]
    if s:
        lines += ["## PostgreSQL vs SQLite (reja import --jobs 2)", "",
                  f"- SQLite {s['sqlite']['seconds']} s, PostgreSQL {s['postgres']['seconds']} s: "
                  f"**{s['import_ratio']}x** (target <= 1.3)",
                  f"- store writes alone ({s['exports']['documents']} documents): SQLite {s['writes_only']['sqlite_s']} s, "
                  f"PostgreSQL {s['writes_only']['postgres_s']} s: "
                  f"{str(s['writes_only']['ratio']) + 'x' if s['writes_only']['ratio'] else 'n/a (too few documents)'}",
                  f"- exports identical: frames {s['exports']['frames_identical']}, items.csv "
                  f"{s['exports']['items_csv_identical']} ({s['exports']['items_rows']} rows)"]
        lines += [f"- failed files in {k}: {v['failed']}" for k, v in s.items() if isinstance(v, dict) and v.get("failed")]
        lines += [""]
    if e:
        lines += [f"## Dask LocalCluster ({e['workers']} workers, 1 thread each) vs local jobs", "",
                  f"Dask's round trip for an empty task: {e['round_trip_ms']} ms.", "",
                  "| batch | files | pages | --jobs 1 s | --jobs 2 s | Dask s | Dask vs jobs1 (>= 1.7) | Dask / jobs2 (<= 1.2) "
                  "| jobs2 vs jobs1 | CPU s/file jobs1 | CPU s/file Dask | Dask extra CPU s/file | same, one file a task |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        batches = [k for k in e if isinstance(e[k], dict) and "jobs1" in e[k]]
        for name in batches:
            b = e[name]
            parcel1 = (f"{b['dask_parcel1_extra_cpu_s_per_file']} ({b['dask_parcel1']['seconds']} s)"
                       if "dask_parcel1" in b else "")
            lines.append(f"| {name} | {b['files']} | {b['pages'] or ''} | {b['jobs1']['seconds']} | {b['jobs2']['seconds']} "
                         f"| {b['dask']['seconds']} | **{b['speedup_vs_jobs1']}x** | **{b['dask_vs_jobs2']}** "
                         f"| {b['jobs2_speedup']}x | {b['jobs1']['cpu_s_per_file']} | {b['dask']['cpu_s_per_file']} "
                         f"| {b['dask_extra_cpu_s_per_file']} | {parcel1} |")
        lines += [""]
        for name in batches:
            b = e[name]
            x = b["dask"].get("executor", {})
            runs = [k for k in ("jobs1", "jobs2", "dask", "dask_parcel1") if k in b]
            cpu = ", ".join(f"{k} {b[k]['cpu_s']}" for k in runs)
            lines += [f"- {name}: CPU s {cpu}; the idle cluster's own CPU {b['idle_cluster_cpu_per_s']} s/s (taken off)",
                      "  - wall s of every run (jobs 1 and 2 with no cluster alive, then the cluster's): "
                      + ", ".join(f"{k} {b[k].get('seconds_all', [b[k]['seconds']])}" for k in runs)
                      + "; load before the median runs: " + ", ".join(f"{k} {b[k].get('load_before')}" for k in runs)]
            t = b.get("two_slots_bound")
            if t:
                lines += [f"  - two slots at best: the command's serial start-up {t['serial_s']} s CPU (an import of "
                          f"nothing), files {t['files_s']} s one after the other, {t['makespan_2_s']} s on two slots in "
                          f"order: **{t['speedup']}x** ({t['speedup_no_serial']}x without the start-up)"]
            if x:
                lines += [f"  - Dask executor: {x.get('parcels')} tasks for {x.get('files')} files, worker time around "
                          f"the documents {x.get('worker_overhead_s_per_file')} s/file (wall), readers' CPU "
                          f"{x.get('reader_cpu_s')} s, the task threads' own CPU {x.get('worker_thread_cpu_s')} s "
                          f"(writing the bytes, forking, collecting), submit-to-result {x.get('round_trip_s')} s in all "
                          f"(queueing included)"]
            lines += [f"  - failed files in {k}: {b[k].get('failed') or b[k]['summary']}"
                      for k in runs if b[k]["exit_code"] not in (0, 3)]
        lines += [""]
    p = r.get("projection")
    if p:
        lines += [f"## National backfill: {r['backfill_pages']} scanned pages (15 a plan)", "",
                  f"- reading CPU per page {p['cpu_s_per_page']} s on the workers, the rest {p['other_cpu_s_per_file']} s "
                  f"per file (client, scheduler, worker processes, start-up included): "
                  f"{p['cpu_hours']} CPU-hours",
                  f"- one core per worker, store writes aside; 'this run' divides by this run's Dask efficiency on "
                  f"the scans ({p['efficiency_this_run']} of linear; under load it says nothing):"]
        lines += [f"  - {w['workers']} workers: {w['hours']} h (this run's efficiency: {w['hours_at_this_run_efficiency']} h)"
                  for w in p["by_workers"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=200, help="generated typed plans (store and executors)")
    parser.add_argument("--jobs", type=int, default=2, help="--jobs of the SQLite vs PostgreSQL imports")
    parser.add_argument("--dask-workers", type=int, default=2)
    parser.add_argument("--scans", type=int, default=4, help="scanned PDFs in the scans batch (0: none)")
    parser.add_argument("--scan-pages", type=int, default=3, help="pages of each")
    parser.add_argument("--long-scans", type=int, default=0, help="a second scans batch of this many long scans (0: none)")
    parser.add_argument("--long-scan-pages", type=int, default=9, help="pages of each long scan")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each configuration per batch, in turn (jobs 1, jobs 2, then the cluster): medians")
    parser.add_argument("--backfill-pages", type=int, default=30000)
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 8, 16, 32, 64])
    parser.add_argument("--skip", nargs="*", default=[], choices=["store", "executors"])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    import os

    work = Path(tempfile.mkdtemp(prefix="reja-cluster-"))
    result: dict = {"plans": args.plans, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "load_before": [round(x, 1) for x in os.getloadavg()], "backfill_pages": args.backfill_pages}
    try:
        plans = generate_plans(args.plans, work / "plans")
        if "store" not in args.skip:
            result["store"] = measure_store(plans, work, args.jobs)
            save(args.json, result)
        if "executors" not in args.skip:
            batches = {"typed": (plans, args.plans, None)} if args.plans else {}
            if args.scans:
                scans = make_scans(work / "scans" / "in", args.scans, args.scan_pages)
                batches["scans"] = (scans, args.scans, args.scans * args.scan_pages)
            if args.long_scans:
                long = make_scans(work / "long" / "in", args.long_scans, args.long_scan_pages)
                batches["long_scans"] = (long, args.long_scans, args.long_scans * args.long_scan_pages)
            result["executors"] = measure_executors(batches, work / "executors", args.dask_workers, args.repeat)
            save(args.json, result)
            if "scans" in result["executors"]:
                result["projection"] = project(result["executors"]["scans"], args.backfill_pages, args.workers)
        result["load_after"] = [round(x, 1) for x in os.getloadavg()]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(report(result))
    save(args.json, result)
    return 0


def save(path: Path | None, result: dict) -> None:
    """The figures so far (a stage that fails later does not lose the earlier ones)."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
