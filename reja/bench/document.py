"""One typed document's whole import against the raw reader's own walk of the same file (issue 22),
in CPU seconds measured in the same run, so the ratio holds on a loaded machine:

- DOCX: `reja import` of the file (read, parse, match to the catalogue, checks, store write) against
  python-docx opening it and reading the text of every cell of every table;
- typed PDF: the same import against pdfplumber's `extract_tables()` on every page.

    python -m reja.bench.document                       # samples/*.docx and typed samples/*.pdf
    python -m reja.bench.document --file other.docx     # more files (e.g. from a variety corpus build)

The import runs in this process (`reja.batch.run_import`, one job, a new store each time) after one
warm-up import, so the figure is a document's cost inside a batch, not the interpreter's start; the
CPU of the reading child is counted (`getrusage` of this process and its children). It is given with
the store's match cache empty (every row matched from scratch) and warm (the same wordings seen
before, as in a centre's store). Each figure is the best of `--repeat` runs (the least disturbed one).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
from pathlib import Path

from reja.bench.speed import best_of

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
LIMITS = {"docx": 10.0, "pdf": 1.5}  # the targets: whole import ≤ 10× / ≤ 1.5× the raw walk
RAW = {"docx": "python-docx: every table cell's text", "pdf": "pdfplumber: extract_tables() on every page"}


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def best_cpu(fn, repeat: int) -> float:
    """Fewest CPU seconds (this process and its children: the import reads in a forked child) of `repeat` runs."""
    return best_of(fn, repeat, clock=_cpu)


def docx_table_walk(path: Path) -> int:
    """python-docx's walk of every table cell; returns the cells read."""
    from docx import Document

    cells = 0
    for table in Document(str(path)).tables:
        for row in table.rows:
            for cell in row.cells:
                _ = cell.text
                cells += 1
    return cells


def pdf_extract_tables(path: Path) -> int:
    """pdfplumber's tables of every page; returns the rows found."""
    import pdfplumber

    rows = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            rows += sum(len(t) for t in page.extract_tables())
    return rows


MATCH_CACHE = ".match-cache.sqlite"  # beside the store: the matcher's decisions by wording (reja.match_cache)


def whole_import(path: Path, work: Path, *, warm: bool = False) -> int:
    """`reja import` of one file into a new store; returns the rows stored. `warm`: the store's match
    cache from the previous import is kept (a plan whose wordings the centre has seen), else it
    starts empty (every row matched from scratch)."""
    from reja.batch import run_import
    from reja.store import Store

    for entry in list(work.iterdir()) if work.exists() else []:
        if not (warm and MATCH_CACHE in entry.name):
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    (work / "in").mkdir(parents=True)
    shutil.copyfile(path, work / "in" / path.name)
    db = work / "reja.sqlite"
    run_import([work / "in" / path.name], db=db, jobs=1, progress=False, ocr_cache=False)
    with Store(db, readonly=True) as store:
        return int(store.conn.execute("SELECT COUNT(*) FROM items").fetchone()[0])


def typed_samples() -> list[Path]:
    return sorted(p for p in SAMPLES.glob("*.docx")) + sorted(p for p in SAMPLES.glob("*.pdf") if "scan" not in p.name)


def bench_file(path: Path, repeat: int = 3) -> dict:
    fmt = path.suffix.lower().lstrip(".")
    raw = docx_table_walk if fmt == "docx" else pdf_extract_tables
    with tempfile.TemporaryDirectory(prefix="reja-bench-doc-") as tmp:
        work = Path(tmp) / "run"
        rows = whole_import(path, work)  # warm-up: catalogue, matchers and modules loaded once
        cold = best_cpu(lambda: whole_import(path, work), repeat)
        warm = best_cpu(lambda: whole_import(path, work, warm=True), repeat)
    raw(path)
    raw_s = best_cpu(lambda: raw(path), repeat)
    ratio, ratio_warm = cold / max(raw_s, 1e-6), warm / max(raw_s, 1e-6)
    return {"file": path.name, "format": fmt, "rows": rows, "reja_cpu_s": round(cold, 3),
            "reja_warm_cpu_s": round(warm, 3), "raw": RAW[fmt], "raw_cpu_s": round(raw_s, 3), "ratio": round(ratio, 1),
            "ratio_warm": round(ratio_warm, 1), "limit": LIMITS[fmt], "within": ratio <= LIMITS[fmt]}  # fmt: skip


def markdown(results: list[dict]) -> str:
    lines = ["| file | rows | reja import CPU s (match cache empty / warm) | raw reader | raw CPU s | × (empty / warm) "
             "| target |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        lines.append(f"| {r['file']} | {r['rows']} | {r['reja_cpu_s']} / {r['reja_warm_cpu_s']} | {r['raw']} | "
                     f"{r['raw_cpu_s']} | {r['ratio']} / {r['ratio_warm']} | ≤ {r['limit']}"
                     f"{'' if r['within'] else ' (over)'} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reja.bench.document", description=__doc__.splitlines()[0])
    ap.add_argument("--file", type=Path, action="append", help="a DOCX or typed PDF (repeatable; default samples/)")
    ap.add_argument("--samples", action="store_true", help="the samples too when --file is given")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--md", type=Path, help="also write the table as markdown")
    args = ap.parse_args(argv)
    files = (typed_samples() if not args.file or args.samples else []) + list(args.file or [])
    results = []
    for path in files:
        results.append(bench_file(path, repeat=args.repeat))
        print(f"[bench] {json.dumps(results[-1], ensure_ascii=False)}", file=sys.stderr, flush=True)
    print(markdown(results))
    if args.md:
        from reja.bench.report import write_atomic

        write_atomic(args.md, markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
