"""python -m reja.bench — run the whole benchmark and write docs/benchmarks.md (see reja.bench)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from reja.evaluate import REPO_DIR

from .accuracy import bench_document, pool_by_format
from .corpus import QUICK_SAMPLE, load_samples
from .images import bench_images
from .layouts import bench_layouts
from .machine import describe_machine
from .normaliser import bench_normaliser
from .report import render_markdown, write_atomic, write_json
from .scale import DEFAULT_SIZES, bench_scale

DEFAULT_OUT = REPO_DIR / "docs" / "benchmarks.md"


def run(*, quick: bool = False, samples: list[str] | None = None, tools: bool = True, repeat: int = 3,
        sizes: tuple[int, ...] = DEFAULT_SIZES, jobs: tuple[int, ...] = (1, 2), log=print) -> dict:  # fmt: skip
    started = time.perf_counter()
    machine = describe_machine()
    chosen = load_samples(samples or ([QUICK_SAMPLE] if quick else None))
    docs = [bench_document(s, tools_enabled=tools, repeat=repeat, log=log) for s in chosen]
    log("[bench] normaliser …")
    normaliser = bench_normaliser(chosen, repeat=repeat)
    if quick:
        layouts = {"skipped": "--quick smoke run"}
    else:
        log("[bench] typed layouts (XLSX, borderless PDF) …")
        layouts = bench_layouts(repeat=repeat, log=log)
    if quick:
        images = {"skipped": "--quick smoke run"}
    else:
        log("[bench] scans and phone photos against bare tesseract, peak memory …")
        images = bench_images(log=log)
    if quick or not sizes:
        scale = {"skipped": "--quick smoke run" if quick else "no batch sizes given (--sizes)"}
    else:
        log(f"[bench] scale: batches {', '.join(map(str, sizes))} × --jobs {', '.join(map(str, jobs))} …")
        scale = bench_scale(tuple(sizes), tuple(jobs))
    return {
        "quick": quick,
        "machine": machine,
        "documents": docs,
        "formats": pool_by_format(docs),
        "layouts": layouts,
        "images": images,
        "normaliser": normaliser,
        "scale": scale,
        "seconds_total": time.perf_counter() - started,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reja.bench", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help=f"smoke run: {QUICK_SAMPLE} only, no scale run")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="markdown report (default docs/benchmarks.md)")
    ap.add_argument("--json", type=Path, metavar="PATH", help="also write the results as JSON")
    ap.add_argument("--sample", action="append", help="manifest name (repeatable); default all")
    ap.add_argument("--tools", choices=("auto", "none"), default="auto",
                    help="comparison tools: run those installed (auto) or none")
    ap.add_argument("--repeat", type=int, default=3, help="warm runs per typed document (best is reported)")
    ap.add_argument("--sizes", type=int, nargs="*", default=list(DEFAULT_SIZES), help="batch sizes of the scale run")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="--jobs values of the scale run")
    args = ap.parse_args(argv)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    result = run(quick=args.quick, samples=args.sample, tools=args.tools == "auto", repeat=args.repeat,
                 sizes=tuple(args.sizes), jobs=tuple(args.jobs), log=log)  # fmt: skip
    write_atomic(args.out, render_markdown(result))
    log(f"[bench] report written to {args.out}")
    if args.json:
        write_json(args.json, result)
        log(f"[bench] results written to {args.json}")
    failed = [d["name"] for d in result["documents"] if d["reja"].get("error")]
    if failed:
        log(f"[bench] reja failed on: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
