"""Import throughput and memory for `make bench` (issue 7): N copies of the sample plans imported with
`--jobs 1` and `--jobs 2`, reported as plans per minute and peak resident memory.

Each measured import runs as a fresh `reja import` in a wrapper process, so the peak memory is that
run's alone: the wrapper reports `getrusage(RUSAGE_CHILDREN).ru_maxrss`, the largest resident set
of any process of the import (the parent writer or one document's worker). Measuring two batch sizes
shows whether memory grows with the batch (it should not: each document is read in its own process).

    python -m reja.bench_import --n 200 --jobs 1 2 --sizes 20
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

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
# typed plans only by default: a scan costs 5–17 s per page and would dominate the figure
DEFAULT_PATTERNS = ("*.docx", "*.pdf", "*.doc")

_WRAPPER = """
import json, resource, subprocess, sys, time
start = time.monotonic()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
print(json.dumps({"seconds": time.monotonic() - start, "exit_code": rc,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def sample_files(samples_dir: Path = SAMPLES, patterns: tuple[str, ...] = DEFAULT_PATTERNS) -> list[Path]:
    files = sorted({p for pat in patterns for p in samples_dir.glob(pat) if "scan" not in p.name})
    if not files:
        raise FileNotFoundError(f"no sample plans ({', '.join(patterns)}) in {samples_dir}")
    return files


def make_batch(n: int, samples: list[Path], dest: Path) -> Path:
    """n copies of the samples, cycled, each under its own name (so none is skipped as unchanged)."""
    dest.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        src = samples[i % len(samples)]
        shutil.copyfile(src, dest / f"{i:04d}_{src.name}")
    return dest


def measure(folder: Path, db: Path, jobs: int) -> dict:
    cmd = [sys.executable, "-c", _WRAPPER, sys.executable, "-m", "reja.cli", "import", str(folder),
           "--db", str(db), "--jobs", str(jobs), "--quiet"]  # fmt: skip
    result = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])
    import sqlite3

    con = sqlite3.connect(db)
    by_status = dict(con.execute("SELECT status, COUNT(*) FROM documents GROUP BY status").fetchall())
    con.close()
    plans = sum(by_status.values())
    return {
        "plans": plans,
        "jobs": jobs,
        "by_status": by_status,
        "seconds": round(result["seconds"], 2),
        "plans_per_minute": round(plans / result["seconds"] * 60, 1) if result["seconds"] else None,
        "peak_rss_mb": round(result["peak_rss_mb"], 1),
        "exit_code": result["exit_code"],
    }


def bench_import(
    n: int = 200,
    jobs: tuple[int, ...] = (1, 2),
    sizes: tuple[int, ...] = (),
    samples_dir: Path = SAMPLES,
    patterns: tuple[str, ...] = DEFAULT_PATTERNS,
    workdir: Path | None = None,
) -> dict:
    """Import n copies of the samples once per `jobs` value (plus each extra batch size in `sizes`,
    to see memory against batch size). Returns {"samples": [...], "runs": [...]}."""
    samples = sample_files(samples_dir, patterns)
    own = workdir is None
    work = Path(tempfile.mkdtemp(prefix="reja-bench-")) if own else Path(workdir)
    runs = []
    try:
        for size in sorted({*sizes, n}):
            folder = make_batch(size, samples, work / f"batch_{size}")
            for j in jobs:
                db = work / f"bench_{size}_j{j}.sqlite"
                db.unlink(missing_ok=True)
                runs.append({"batch": size, **measure(folder, db, j)})
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)
    return {"samples": [p.name for p in samples], "runs": runs, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def format_table(result: dict) -> str:
    lines = ["| batch | jobs | plans | seconds | plans/min | peak RSS MiB | statuses |", "|---|---|---|---|---|---|---|"]
    for r in result["runs"]:
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(r["by_status"].items()))
        lines.append(f"| {r['batch']} | {r['jobs']} | {r['plans']} | {r['seconds']} | {r['plans_per_minute']} | "
                     f"{r['peak_rss_mb']} | {statuses} |")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="plans in the batch")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--sizes", type=int, nargs="*", default=[], help="extra (smaller) batch sizes")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    result = bench_import(args.n, tuple(args.jobs), tuple(args.sizes))
    print(json.dumps(result, indent=2) if args.json else f"samples: {', '.join(result['samples'])}\n" + format_table(result))


if __name__ == "__main__":
    main()
