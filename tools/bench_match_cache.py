"""Is the shared match cache (reja/match_cache.py) a win for the batch import?

    .venv/bin/python tools/bench_match_cache.py [--per-family 4] [--jobs 1] [--repeat 2]

Imports the same typed plans of the variety corpus (dev seeds for batch A, the next seeds for batch
B) into fresh stores, without the cache (as reja.batch runs today) and with it installed as the
batch would install it (in the parent, before the children fork):
- A off / A on: one batch, cold cache (repeated wordings shared between the documents' children);
- B after A: batch B into a store whose cache batch A filled (wordings other districts already used).
Reported: CPU seconds of the forked children (each document is read, parsed and matched in one),
which a busy machine inflates less than wall time, and the wall time; the ratio on/off is the
figure. Stored rows must be the same with and without the cache (checked).
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

TYPED = ("docx_classic", "docx_cyrillic", "docx_russian", "docx_borderless", "docx_autonum",
         "docx_unnumbered", "docx_columns", "docx_latin2026", "xlsx", "pdf_typed")


def _docs(first_seed: int, per_family: int, dest: Path) -> list[Path]:
    from reja.variety.corpus import DocRef, generate

    refs = [DocRef(f, first_seed + k, "dev") for f in TYPED for k in range(per_family)]
    return [g.file for g in generate(refs, dest, log=None)]


@contextmanager
def _cache_on(db: Path):
    """What the batch would do: install the store's shared cache in the parent before the children
    fork (they inherit it), scoped to this reja's code and data versions; close it after."""
    from reja.batch import catalogue_version, pipeline_version
    from reja.match_cache import install

    cache = install(db, scope=f"{pipeline_version()}|{catalogue_version()}")
    try:
        yield
    finally:
        cache.close()


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _import(files: list[Path], db: Path, jobs: int) -> tuple[float, float]:
    from reja.batch import run_import

    cpu, t0 = _children_cpu(), time.perf_counter()
    run_import(files, db=db, jobs=jobs, progress=False)
    return _children_cpu() - cpu, time.perf_counter() - t0


def _rows(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return sorted(conn.execute("SELECT text, section_id, unit_id, indicator_id, flags FROM items").fetchall(),
                      key=repr)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-family", type=int, default=4)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=2, help="runs per mode (the fastest counts)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="reja-bench-cache-") as tmp:
        tmp = Path(tmp)
        batch_a = _docs(1000, args.per_family, tmp / "a")
        batch_b = _docs(1000 + args.per_family, args.per_family, tmp / "b")
        print(f"{len(batch_a)} + {len(batch_b)} typed plans, jobs={args.jobs}, best of {args.repeat}")
        best: dict[str, tuple[float, float]] = {}
        rows: dict[str, list] = {}
        for k in range(args.repeat):
            for mode in ("A off", "A on", "B off", "B after A"):
                run = tmp / f"run{k}-{mode.replace(' ', '_')}"
                run.mkdir()
                db = run / "reja.sqlite"
                if mode == "B after A":  # the cache a first batch left behind
                    with _cache_on(db):
                        _import(batch_a, db, args.jobs)
                    db_b = run / "b.sqlite"
                    (run / "reja.sqlite.match-cache.sqlite").rename(run / "b.sqlite.match-cache.sqlite")
                    for sfx in ("-wal", "-shm"):
                        p = run / f"reja.sqlite.match-cache.sqlite{sfx}"
                        if p.exists():
                            p.rename(run / f"b.sqlite.match-cache.sqlite{sfx}")
                    db = db_b
                files = batch_a if mode.startswith("A") else batch_b
                if mode.endswith("off"):
                    t = _import(files, db, args.jobs)
                else:
                    with _cache_on(db):
                        t = _import(files, db, args.jobs)
                rows[mode] = _rows(db)
                if mode not in best or t[0] < best[mode][0]:
                    best[mode] = t
        for mode, (cpu, wall) in best.items():
            print(f"  {mode:10} children CPU {cpu:7.2f} s   wall {wall:7.2f} s")
        for on, off in (("A on", "A off"), ("B after A", "B off")):
            print(f"  {on} / {off}: CPU x{best[on][0] / best[off][0]:.3f}, wall x{best[on][1] / best[off][1]:.3f}; "
                  f"same rows: {rows[on] == rows[off]}")
        same = rows["A on"] == rows["A off"] and rows["B after A"] == rows["B off"]
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
