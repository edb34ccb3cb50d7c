"""A national-size store, generated straight into SQLite, and what reja's commands cost on it (issue 22).

    python -m reja.bench.national generate --db big.sqlite            # ≈ 11,700 plans, ≈ 1.1 M current rows
    python -m reja.bench.national measure --db big.sqlite --work tmp/  # import one more plan, export, compare …

Generating does not parse 11,000 files (hours): the sample plans are imported once by the real pipeline
(`reja import`) into a scratch store, and their rows are the templates. Each generated plan is one
gazetteer district or city and one year (every place × the years from 1970 on, so places, regions and
years are all distinct, not copies of two plans); its rows are one template's rows with that place's
names and ids, the year, values scaled by a per-plan factor, and row keys from `reja.records` (the same
function the import uses). A share of plans gets a second, superseded file (a re-send), and the store gets
clerks' corrections on current rows plus some orphaned ones (rows that are gone), as a centre's store
accumulates them. Written with the store's own field lists, so the columns are the import's.

Measuring runs each command as a fresh process (`reja import`, `reja export`, `reja compare`, `reja
review export`) and reports wall seconds and the process tree's peak resident memory; the same commands
on a small store (the templates' plans alone) in the same run give the ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
TEMPLATE_FILES = ("izboskan_2025.docx", "jondor_2021.docx")
FIRST_YEAR = 1970
LAST_YEAR = 2026


def template_rows(work: Path) -> tuple[list[dict], list[list[dict]]]:
    """The sample plans imported by the real pipeline: (documents, rows per document)."""
    from reja.store import Store

    src = work / "templates"
    src.mkdir(parents=True, exist_ok=True)
    for name in TEMPLATE_FILES:
        shutil.copyfile(SAMPLES / name, src / name)
    db = work / "templates.sqlite"
    subprocess.run([sys.executable, "-m", "reja.cli", "import", str(src), "--db", str(db), "--quiet"],
                   check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    with Store(db, readonly=True) as store:
        docs = [dict(r) for r in store.conn.execute("SELECT * FROM documents WHERE status != 'failed' ORDER BY source_file")]
        rows = [[dict(r) for r in store.conn.execute("SELECT * FROM items WHERE document_id = ? ORDER BY item_index",
                                                     (d["document_id"],))] for d in docs]  # fmt: skip
    if not docs or not all(rows):
        raise RuntimeError(f"the template plans ({', '.join(TEMPLATE_FILES)}) did not import")
    return docs, rows


def _places() -> list[dict]:
    from reja.schema.gazetteer import gazetteer_rows

    regions = {r["region_id"]: r for r in gazetteer_rows() if r["kind"] == "region"}
    return [{**r, "region": regions[r["region_id"]]} for r in gazetteer_rows() if r["kind"] != "region"]


def generate(db: Path, *, plans: int | None = None, resend_share: float = 0.1, corrections: int = 2000,
             orphans: int = 50, seed: int = 22, work: Path | None = None, log=print) -> dict:  # fmt: skip
    """Write the store; returns what was written (plans, documents, rows, current rows, corrections)."""
    from reja.corrections import INSERT_CORRECTION
    from reja.corrections import connect as corrections_table
    from reja.records import assign_row_keys
    from reja.schema.dataset import DOCUMENT_FIELDS, ITEM_FIELDS
    from reja.store import Store, _sql_value

    started = time.perf_counter()
    rng = random.Random(seed)
    own = work is None
    work = Path(tempfile.mkdtemp(prefix="reja-national-")) if own else work
    try:
        tdocs, trows = template_rows(work)
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)
    places = _places()
    keys = [(p, y) for y in range(FIRST_YEAR, LAST_YEAR + 1) for p in places]
    if plans is not None:
        keys = keys[:plans]
    db.unlink(missing_ok=True)
    Store(db).close()  # the real schema, indexes and view
    corrections_table(db).close()  # and the corrections table as reja.corrections makes it
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA synchronous = OFF")
    doc_names = [f.name for f in DOCUMENT_FIELDS]
    item_names = [f.name for f in ITEM_FIELDS]
    doc_sql = f"INSERT INTO documents ({', '.join(doc_names)}) VALUES ({', '.join('?' * len(doc_names))})"
    item_sql = f"INSERT INTO items ({', '.join(item_names)}) VALUES ({', '.join('?' * len(item_names))})"
    n_docs = n_rows = n_current = 0
    current_keys: list[tuple[str, dict]] = []
    con.execute("BEGIN")
    for i, (place, year) in enumerate(keys):
        t = rng.choices(range(len(tdocs)), weights=[2, 3][: len(tdocs)] + [1] * max(len(tdocs) - 2, 0))[0]
        versions = 2 if rng.random() < resend_share else 1
        ids = [f"gen{i:06d}v{v}" for v in range(versions)]
        for v, doc_id in enumerate(ids):
            current = v == versions - 1
            district = place["name_latn"]
            region = place["region"]["name_latn"]
            fmt = ("pdf", "docx")[v == versions - 1]
            source = f"{region}/{year}/{district.replace(' ', '_')}_{year}.{fmt}"
            mtime = dt.datetime(min(year + 1, 2026), 1, 10 + v, tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")
            factor = rng.uniform(0.5, 3.0)
            rows = []
            for r in trows[t]:
                row = dict(r)
                row.update(document_id=doc_id, source_file=source, region=region, district=district, year=year,
                           region_id=place["region_id"], district_id=place["district_id"],
                           region_latin=region, region_cyrillic=place["region"]["name_cyrl"],
                           district_latin=district, district_cyrillic=place["name_cyrl"],
                           fact_year=year - 1 if r["fact_year"] else None, plan_year=year if r["plan_year"] else None)  # fmt: skip
                for col in ("fact_value", "plan_value"):
                    if r[col] is not None:
                        row[col] = round(r[col] * factor)
                        row[col.replace("value", "raw")] = str(int(row[col]))
                rows.append(row)
            assign_row_keys(rows, f"id:{place['district_id']}")
            n_flagged = sum(1 for r in rows if r["status"] != "ok")
            doc = dict(tdocs[t])
            doc.update(document_id=doc_id, source_file=source, source_key=f"/centre/inbox/{source}",
                       sha256=f"{i:032x}{v:032x}", file_mtime=mtime, region=region, district=district, year=year,
                       region_id=place["region_id"], district_id=place["district_id"], n_items=len(rows),
                       n_flagged=n_flagged, status="partial" if n_flagged else "ok",
                       plan_key=f"{place['district_id']}|{year}", superseded_by=None if current else ids[-1],
                       source_format=fmt, run_id="generated")  # fmt: skip
            con.execute(doc_sql, [_sql_value(doc.get(n)) for n in doc_names])
            con.executemany(item_sql, ([_sql_value(row.get(n)) for n in item_names] for row in rows))
            n_docs += 1
            n_rows += len(rows)
            if current:
                n_current += len(rows)
                if rng.random() < 0.2:
                    current_keys.extend((row["row_key"], row) for row in rng.sample(rows, 3))
        if i % 500 == 499:
            con.execute("COMMIT")
            con.execute("BEGIN")
            log(f"[national] {i + 1} plans, {n_rows} rows, {time.perf_counter() - started:.0f} s")
    at = "2026-01-15T09:00:00.000000Z"
    picked = rng.sample(current_keys, min(corrections, len(current_keys)))
    for key, row in picked:
        before = row["plan_value"]
        context = {"source_file": row["source_file"], "district": row["district"], "year": row["year"],
                   # the plan's value the clerk replaced, as reja.corrections remembers it (a text)
                   "item_no": row["item_no"], "source": None if before is None else str(int(before))}  # fmt: skip
        con.execute(INSERT_CORRECTION, (key, "plan_value", None if before is None else str(int(before)),
                                        str(int((before or 0) + 1)), "Generated clerk", at, None, "web", None,
                                        json.dumps(context, ensure_ascii=False)))  # fmt: skip
    for k in range(orphans):  # rows that are gone (a re-sent plan reworded them): kept and reported
        context = {"source_file": f"gone/{k}.docx", "district": "Nowhere", "year": 1969, "item_no": str(k)}
        con.execute(INSERT_CORRECTION, (f"{k:016x}", "plan_value", "1", "2", "Generated clerk", at, None, "web",
                                        None, json.dumps(context)))  # fmt: skip
    con.execute("COMMIT")
    con.execute("ANALYZE")
    con.close()
    return {"plans": len(keys), "documents": n_docs, "rows": n_rows, "current_rows": n_current,
            "corrections": len(picked), "orphaned_corrections": orphans,
            "seconds": round(time.perf_counter() - started, 1), "size_mb": round(db.stat().st_size / 2**20)}  # fmt: skip


_WRAPPER = """
import json, resource, subprocess, sys, time
start = time.monotonic()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
print(json.dumps({"seconds": time.monotonic() - start, "exit_code": rc.returncode, "stderr": rc.stderr[-400:],
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def timed(cmd: list[str]) -> dict:
    """One command in a fresh process: wall seconds, exit code, peak RSS of its process tree (MiB)."""
    out = subprocess.run([sys.executable, "-c", _WRAPPER, *cmd], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["seconds"] = round(result["seconds"], 2)
    result["peak_rss_mb"] = round(result["peak_rss_mb"], 1)
    if result["exit_code"] in (0, 3):
        result.pop("stderr")
    return result


FIRST_IMPORT = "first import after an upgrade"
WARM_UP_PLAN = "jondor_2021_resent.docx"


REVIEW_INDEX = "review page, index built once"
REVIEW_PAGE = "review page, first load"
# `reja review serve` builds its index of the store once (reja.review.index: every region-year read,
# corrected and checked), before it listens; the step drops an index left by an earlier run first
_REVIEW_INDEX = ("import sys; from reja import db as d; from reja.review.index import ReviewIndex, ROWS, PLACES, META; "
                 "c = d.connect(sys.argv[1]); [c.execute(f'DROP TABLE IF EXISTS {t}') for t in (ROWS, PLACES, META)]; "
                 "c.close(); i = ReviewIndex(sys.argv[1]); i.refresh(); print(i.counts()['total'])")
# then a fresh server's first pages on that index: the list, its second page, a flagged row (its
# region-year read, corrected and checked) and the next filter; prints the rows in the store
_REVIEW_LOAD = """
import re, sys
from fastapi.testclient import TestClient
from reja.review.web import ReviewSettings, create_app
client = TestClient(create_app(ReviewSettings(db=sys.argv[1], clerk="bench")), base_url="http://127.0.0.1")
first = client.get("/")
assert first.status_code == 200, first.status_code
assert client.get("/?page=2").status_code == 200
key = re.search(r'href="/row/([0-9a-f]+)', first.text)
if key:
    assert client.get(f"/row/{key.group(1)}?status=flagged").status_code == 200
assert client.get("/?status=&year=2024").status_code == 200
print(client.app.state.index.counts()["total"])
"""

COMPARE_PLANS = 400  # the unfiltered compare: every plan of a store of this many plans
COMPARE_ALL = f"compare, {COMPARE_PLANS} plans unfiltered"


def commands(db: Path, work: Path, one_plan: Path, python: str = sys.executable,
             plans_store: Path | None = None) -> dict[str, list[str]]:  # fmt: skip
    """The commands measured on a store, by name (`plans_store`: the store of COMPARE_PLANS plans the
    unfiltered compare reads instead of the national one)."""
    reja = [python, "-m", "reja.cli"]
    return {
        # the store was generated by some reja version: the first import re-identifies every older
        # document once (`Store.reidentify`); the next one is the steady state a centre lives in
        FIRST_IMPORT: [*reja, "import", str(one_plan.with_name(WARM_UP_PLAN)), "--db", str(db), "--quiet"],
        "import one more plan": [*reja, "import", str(one_plan), "--db", str(db), "--quiet"],
        "export": [*reja, "export", "--db", str(db), "--out", str(work / "export")],
        "compare --region": [*reja, "compare", "--db", str(db), "--region", "Andijon", "--years", "2024", "2025",
                             "--out", str(work / "compare_region")],  # fmt: skip
        "compare --district": [*reja, "compare", "--db", str(db), "--district", "Jondor", "--years", "2021", "2025",
                               "--out", str(work / "compare_district")],  # fmt: skip
        "review export": [*reja, "review", "export", str(work / "review.xlsx"), "--db", str(db)],
        REVIEW_INDEX: [python, "-c", _REVIEW_INDEX, str(db)],
        REVIEW_PAGE: [python, "-c", _REVIEW_LOAD, str(db)],
        COMPARE_ALL: [*reja, "compare", "--db", str(plans_store or db), "--out", str(work / "compare_all")],
    }


def measure(db: Path, work: Path, *, only: list[str] | None = None, python: str = sys.executable,
            log=print) -> dict:  # fmt: skip
    """Each command on the national store, and on a small store of the template plans in the same run
    (`python`: the interpreter that runs reja, e.g. an older checkout's, for a before/after)."""
    work.mkdir(parents=True, exist_ok=True)
    inbox = work / "inbox"
    inbox.mkdir(exist_ok=True)
    one_plan = inbox / "izboskan_2025_resent.docx"
    shutil.copyfile(SAMPLES / "izboskan_2025.docx", one_plan)
    shutil.copyfile(SAMPLES / "jondor_2021.docx", inbox / WARM_UP_PLAN)
    if only and "import one more plan" in only and FIRST_IMPORT not in only:
        only = [FIRST_IMPORT, *only]  # the steady state is measured after the one-time re-identification
    if only and REVIEW_PAGE in only and REVIEW_INDEX not in only:
        only = [*only, REVIEW_INDEX]  # the page reads the index `reja review serve` builds before it listens
    small = work / "small.sqlite"
    if not small.exists():
        tdir = work / "tpl"
        tdir.mkdir(exist_ok=True)
        template_rows(tdir)
        shutil.copyfile(tdir / "templates.sqlite", small)
    big = work / "national.sqlite"  # a copy: importing one more plan must not change the generated store
    if not only or set(only) - {COMPARE_ALL}:
        shutil.copyfile(db, big)
    plans_store = work / f"p{COMPARE_PLANS}.sqlite"
    if (not only or COMPARE_ALL in only) and not plans_store.exists():
        generate(plans_store, plans=COMPARE_PLANS, log=log)
    results = {}
    for name in commands(big, work, one_plan):
        if only and name not in only:
            continue
        row = {}
        for label, store in (("small", small), ("national", big)):
            plans = plans_store if label == "national" else None  # the small store compares its own plans
            cmd = commands(store, work / label, one_plan, python, plans)[name]
            (work / label).mkdir(exist_ok=True)
            row[label] = timed(cmd)
            log(f"[national] {name} on {label}: {row[label]}")
        results[name] = row
    return results


def markdown(results: dict) -> str:
    """The measured commands as a table: seconds and peak memory on both stores, and their ratio."""
    lines = ["| command | small store s | national store s | × | small MiB | national MiB | × |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, r in results.items():
        s, n = r["small"], r["national"]
        lines.append(f"| {name} | {s['seconds']} | {n['seconds']} | {n['seconds'] / max(s['seconds'], 0.01):.1f} | "
                     f"{s['peak_rss_mb']} | {n['peak_rss_mb']} | {n['peak_rss_mb'] / max(s['peak_rss_mb'], 1):.1f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reja.bench.national", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate", help="write a national-size store")
    g.add_argument("--db", type=Path, required=True)
    g.add_argument("--plans", type=int, help=f"plans (default: every gazetteer place × {FIRST_YEAR}–{LAST_YEAR})")
    g.add_argument("--seed", type=int, default=22)
    m = sub.add_parser("measure", help="time reja's commands on a generated store")
    m.add_argument("--db", type=Path, required=True)
    m.add_argument("--work", type=Path, required=True, help="scratch folder (copies of the store, outputs)")
    m.add_argument("--only", action="append", help="one command by name (repeatable)")
    m.add_argument("--python", default=sys.executable, help="interpreter that runs reja (default: this one)")
    m.add_argument("--md", type=Path, help="also write the results as a markdown table")
    args = ap.parse_args(argv)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    if args.cmd == "generate":
        print(json.dumps(generate(args.db, plans=args.plans, seed=args.seed, log=log), indent=2))
    else:
        results = measure(args.db, args.work, only=args.only, python=args.python, log=log)
        print(json.dumps(results, indent=2, ensure_ascii=False))
        if args.md:
            from reja.bench.report import write_atomic

            write_atomic(args.md, markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
