"""Issue 23, measured: the PostgreSQL store against SQLite, the Dask executor against local jobs, and the
hours a national backfill of scanned pages would take on N workers. Re-runnable (`make bench-cluster`);
every figure is a ratio against a baseline of the same run, so a loaded machine shifts the seconds
more than the ratios. Needs Debian's postgresql and the `postgres` and `cluster` extras (`make setup`).

    python tools/measure_cluster.py --plans 200 --ocr-pages 3 --backfill-pages 30000 --workers 2 8 32 64

1. Store: N generated DOCX plans (the region generator of `reja.variety`: real districts, three years)
   imported with `reja import --jobs 2` into SQLite and into PostgreSQL (a throwaway cluster, started
   here with synchronous_commit=off: the same durability as SQLite's WAL + synchronous=NORMAL, a crash
   may lose the last commits but never leaves half a document). Also the store's writes alone: every
   stored document written again into a fresh store of each kind (`Store.write_document`). Checks that
   both give identical exports (items and documents frames, items.csv bytes).
2. Executors: the same plans imported with `--jobs 1`, `--jobs 2` and `--scheduler` on a Dask
   LocalCluster of two worker processes (one thread each; workers warmed once, as a standing cluster is).
3. OCR: the first pages of the scanned sample imported with --jobs 1: seconds per page; projected hours
   for the backfill on each worker count, with the parallel efficiency measured in 2.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests/pgcluster.py: the throwaway PostgreSQL cluster

RUN_COLUMNS = ["imported_at", "run_id", "duration_s"]


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
    import os

    logs = folder.parent / "runs"  # the run log beside a SQLite store; in the current folder for a server
    before = set(logs.glob("*.jsonl"))
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "reja.cli", "import", str(folder), "--db", db, "--quiet", *extra],
                          capture_output=True, text=True, cwd=folder.parent, env={**os.environ, "REJA_LANG": "en"})
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


def rewrite_seconds(source_db: str, target_db: str) -> float:
    """Seconds to write every stored document (with its rows) into a fresh store at target_db."""
    import pandas as pd

    from reja.store import Store

    with Store(source_db, readonly=True) as src:
        docs = src.documents()
        items = src.items(include_superseded=True)
    rows_of = {d: g.to_dict("records") for d, g in items.groupby("document_id")}
    records = [(d, rows_of.get(d["document_id"], [])) for d in docs.to_dict("records")]

    def plain(row: dict) -> dict:  # pandas' missing values and numpy scalars as the pipeline hands them over
        return {k: None if not isinstance(v, list | dict) and pd.isna(v) else (v.item() if hasattr(v, "item") else v)
                for k, v in row.items()}

    prepared = [(plain(d), [plain(r) for r in rows]) for d, rows in records]
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


def measure_executors(plans: Path, work: Path, workers: int) -> dict:
    from distributed import Client, LocalCluster

    from reja.cluster import warm_worker

    out = {"jobs1": timed_import(plans, str(work / "j1.sqlite"), "--jobs", "1"),
           "jobs2": timed_import(plans, str(work / "j2.sqlite"), "--jobs", "2")}
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster, set_as_default=False) as client:
        client.run(warm_worker)
        out[f"dask{workers}"] = timed_import(plans, str(work / "dask.sqlite"), "--scheduler", cluster.scheduler_address)
    d = out[f"dask{workers}"]["seconds"]
    out["speedup_vs_jobs1"] = round(out["jobs1"]["seconds"] / d, 2)
    out["dask_vs_jobs2"] = round(d / out["jobs2"]["seconds"], 2)
    out["parallel_efficiency"] = round(out["speedup_vs_jobs1"] / workers, 2)
    return out


def measure_ocr(work: Path, pages: int) -> dict:
    from pypdf import PdfReader, PdfWriter

    src = REPO / "samples" / "jondor_2021_scan.pdf"
    reader, writer = PdfReader(src), PdfWriter()
    for page in reader.pages[:pages]:
        writer.add_page(page)
    folder = work / "scans"
    folder.mkdir()
    with open(folder / "jondor_2021_scan_part.pdf", "wb") as fh:
        writer.write(fh)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "reja.cli", "import", str(folder), "--db", str(work / "ocr.sqlite"),
                           "--quiet", "--jobs", "1"], capture_output=True, text=True, cwd=work)
    seconds = time.perf_counter() - start
    return {"pages": pages, "seconds": round(seconds, 1), "seconds_per_page": round(seconds / pages, 2),
            "exit_code": proc.returncode}


def project(seconds_per_page: float, pages: int, workers: list[int], efficiency: float) -> list[dict]:
    """Hours for `pages` on each worker count: one page at a time per worker, `efficiency` of linear."""
    return [{"workers": n, "hours": round(pages * seconds_per_page / (n * efficiency) / 3600, 1),
             "hours_if_linear": round(pages * seconds_per_page / n / 3600, 1)} for n in workers]


def report(r: dict) -> str:
    s, e, o = r.get("store"), r.get("executors"), r.get("ocr")
    lines = [f"# measure_cluster: {r['plans']} plans, {r['at']}, load average before: {r['load_before']}", ""]
    if s:
        lines += ["## PostgreSQL vs SQLite (reja import --jobs 2)", "",
                  f"- SQLite {s['sqlite']['seconds']} s, PostgreSQL {s['postgres']['seconds']} s: "
                  f"**{s['import_ratio']}x** (target <= 1.3)",
                  f"- store writes alone ({s['exports']['documents']} documents): SQLite {s['writes_only']['sqlite_s']} s, "
                  f"PostgreSQL {s['writes_only']['postgres_s']} s: {s['writes_only']['ratio']}x",
                  f"- exports identical: frames {s['exports']['frames_identical']}, items.csv "
                  f"{s['exports']['items_csv_identical']} ({s['exports']['items_rows']} rows)"]
        lines += [f"- failed files in {k}: {v['failed']}" for k, v in s.items() if isinstance(v, dict) and v.get("failed")]
        lines += [""]
    if e:
        lines += ["## Dask LocalCluster (2 workers) vs local jobs", "",
                  f"- --jobs 1 {e['jobs1']['seconds']} s, --jobs 2 {e['jobs2']['seconds']} s, "
                  f"Dask {e[[k for k in e if k.startswith('dask')][0]]['seconds']} s",
                  f"- Dask vs --jobs 1: **{e['speedup_vs_jobs1']}x faster** (target >= 1.7); "
                  f"Dask / --jobs 2: **{e['dask_vs_jobs2']}** (target <= 1.2)"]
        lines += [f"- failed files in {k}: {v['failed']}" for k, v in e.items() if isinstance(v, dict) and v.get("failed")]
        lines += [""]
    if o:
        lines += ["## OCR and the national backfill", "",
                  f"- {o['pages']} scanned pages, --jobs 1: {o['seconds']} s = {o['seconds_per_page']} s/page",
                  f"- {r['backfill_pages']} pages at parallel efficiency {r['efficiency']}:"]
        lines += [f"  - {p['workers']} workers: {p['hours']} h (linear scaling: {p['hours_if_linear']} h)"
                  for p in r["projection"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2, help="--jobs of the SQLite vs PostgreSQL imports")
    parser.add_argument("--dask-workers", type=int, default=2)
    parser.add_argument("--ocr-pages", type=int, default=3, help="scanned pages timed (0: skip)")
    parser.add_argument("--backfill-pages", type=int, default=30000)
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 8, 16, 32, 64])
    parser.add_argument("--skip", nargs="*", default=[], choices=["store", "executors", "ocr"])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    import os

    work = Path(tempfile.mkdtemp(prefix="reja-cluster-"))
    result: dict = {"plans": args.plans, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "load_before": round(os.getloadavg()[0], 1), "backfill_pages": args.backfill_pages}
    try:
        plans = generate_plans(args.plans, work / "plans")
        if "store" not in args.skip:
            result["store"] = measure_store(plans, work, args.jobs)
            save(args.json, result)
        if "executors" not in args.skip:
            result["executors"] = measure_executors(plans, work, args.dask_workers)
            save(args.json, result)
        if args.ocr_pages and "ocr" not in args.skip:
            result["ocr"] = measure_ocr(work, args.ocr_pages)
            eff = result.get("executors", {}).get("parallel_efficiency") or 0.85
            result["efficiency"] = min(eff, 1.0)
            result["projection"] = project(result["ocr"]["seconds_per_page"], args.backfill_pages, args.workers,
                                           result["efficiency"])
        result["load_after"] = round(os.getloadavg()[0], 1)
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
