"""Cost of the scan reader against bare Tesseract on the same page images.

    python -m reja.extract.scan.measure samples/jondor_2021_scan.pdf [--pages 1,2] [--jobs 1]

Prints (and with --json, emits) seconds per page for: `tesseract page.png out -l <model>` run on
each page image as loaded (the baseline), read_scan without cache, read_scan with a warm cache;
the ratio read_scan / tesseract; and the grid found per page.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .rasterize import page_count, page_pngs
from .reader import read_scan
from .settings import load_settings


def measure(path: Path, pages: list[int] | None = None, jobs: int = 1, lang: str | None = None) -> dict:
    n = page_count(path)
    wanted = pages or list(range(1, n + 1))
    with tempfile.TemporaryDirectory(prefix="reja-measure-") as tmp:
        tmpdir = Path(tmp)
        cache = tmpdir / "cache"
        t0 = time.perf_counter()
        doc = read_scan(path, pages=wanted, jobs=jobs, cache_dir=cache)
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        read_scan(path, pages=wanted, jobs=jobs, cache_dir=cache)
        warm = time.perf_counter() - t0
        model = lang or ("uzb_cyrl" if any("uzb_cyrl chosen" in w for w in doc.warnings) else "uzb")
        images = page_pngs(path, tmpdir, wanted, dpi=load_settings().dpi)
        t0 = time.perf_counter()
        for f in images:
            subprocess.run(["tesseract", str(f), str(f.with_suffix("")), "-l", model], check=True,
                           capture_output=True)
        bare = time.perf_counter() - t0
    k = len(wanted)
    grids = {p: [(t.n_rows, t.n_cols) for t in doc.tables if t.page == p] for p in wanted}
    return {
        "file": path.name,
        "pages": k,
        "jobs": jobs,
        "model": model,
        "tesseract_s_per_page": round(bare / k, 2),
        "read_scan_s_per_page": round(cold / k, 2),
        "read_scan_cached_s_per_page": round(warm / k, 3),
        "ratio_vs_tesseract": round(cold / bare, 2) if bare else None,
        "cache_speedup": round(cold / warm, 1) if warm else None,
        "pages_with_grid": sum(1 for v in grids.values() if v),
        "grids": {str(p): v for p, v in grids.items()},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", type=Path)
    ap.add_argument("--pages", help="1-based, comma-separated")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    pages = [int(x) for x in args.pages.split(",")] if args.pages else None
    res = measure(args.file, pages, args.jobs)
    if args.json:
        json.dump(res, sys.stdout, ensure_ascii=False)
        print()
    else:
        for k, v in res.items():
            print(f"{k:28} {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
