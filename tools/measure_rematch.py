"""How long re-matching takes after a clerk's correction, against reading every file again (issue 16).

N plans are generated into a temporary folder and imported: DOCX of the variety corpus's docx families
(seeds from 5000 on) and, with `--scans K`, K of them scanned PDFs of its `scan` family (made in the
variety cache, `$REJA_VARIETY_CACHE`, and copied; OCR'd on the first import). Then a clerk teaches one wording (a learned synonym), and in the same
run, on two copies of that store:

- `reja import` of the same folder: every plan is re-matched from its stored rows, none is read;
- `reja import --force`: every plan is read and parsed again (the baseline);
- `reja rematch` (from the store alone) on a third copy.

The re-matched store must equal the fully re-imported one (items and documents, run fields aside).
Timings are noisy on a shared machine: read the ratio, and re-run on a quiet one.

    python tools/measure_rematch.py --n 200 --scans 8 --jobs 2 [--json out.json] [--profile rematch.prof]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

VOLATILE = ["imported_at", "run_id", "duration_s"]
FIRST_SEED = 5000


def generate(n: int, dest: Path, scans: int = 0) -> list[Path]:
    """n plans, each its own district-and-seed document: n - scans DOCX (the docx families in turn) and
    `scans` scanned PDFs of the variety `scan` family."""
    from reja.variety import corpus
    from reja.variety.renderers.docx import render_docx
    from reja.variety.spec import draw_spec, families

    names = [f for f, fam in families().items() if fam["renderer"] == "docx"]
    dest.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(n - scans):
        spec = draw_spec(FIRST_SEED + i, names[i % len(names)])
        files.append(render_docx(spec, dest / f"plan{i:04d}.docx"))
    refs = [corpus.DocRef("scan", FIRST_SEED + k, "rematch") for k in range(scans)]
    for k, made in enumerate(corpus.generate(refs, corpus.DEFAULT_CACHE, log=None)):
        files.append(Path(shutil.copy(made.file, dest / f"scan{k:04d}.pdf")))
    return files


def teach(db: Path) -> tuple[str, str]:
    """A clerk sets the activity of one matched row to another catalogue entry."""
    from reja.schema.catalogue import load_catalogue

    from reja import corrections
    from reja.api import load_items

    items = load_items(db)
    row = items[items.indicator_id.notna()].iloc[0]
    other = next(i for i in load_catalogue().indicators if i != row.indicator_id)
    corrections.record(db, row.row_key, "indicator_id", row.indicator_id, other, who="measure",
                       context=corrections.row_context(row))  # fmt: skip
    return row.text, other


def tables(db: Path):
    from reja.api import load_documents, load_items

    items = load_items(db, include_superseded=True, corrections=False)
    docs = load_documents(db).drop(columns=VOLATILE)
    return (items.sort_values(["source_file", "item_index"]).reset_index(drop=True),
            docs.sort_values("source_file").reset_index(drop=True))  # fmt: skip


def copy_store(db: Path, dest: Path) -> Path:
    with sqlite3.connect(db) as src, sqlite3.connect(dest) as out:
        src.backup(out)
    return dest


def timed(fn, *args, profile: Path | None = None, **kwargs):
    prof = cProfile.Profile() if profile else None
    start = time.monotonic()
    if prof:
        prof.enable()
    result = fn(*args, **kwargs)
    if prof:
        prof.disable()
        prof.dump_stats(profile)
    return result, round(time.monotonic() - start, 2)


def measure(n: int, jobs: int, work: Path, profile: Path | None = None, scans: int = 0) -> dict:
    import pandas as pd

    from reja.batch import run_import
    from reja.rematch import rematch_store

    folder = work / "plans"
    _, gen_s = timed(generate, n, folder, scans)
    db = work / "reja.sqlite"
    first, first_s = timed(run_import, [folder], db=db, jobs=jobs)
    teach(db)
    full_db, store_db = copy_store(db, work / "full.sqlite"), copy_store(db, work / "store.sqlite")

    again, rematch_s = timed(run_import, [folder], db=db, jobs=jobs, profile=profile)
    full, full_s = timed(run_import, [folder], db=full_db, jobs=jobs, force=True)
    from_store, store_s = timed(rematch_store, store_db)

    equal = True
    for mine, theirs in zip(tables(db), tables(full_db), strict=True):
        try:
            pd.testing.assert_frame_equal(mine, theirs)
        except AssertionError as exc:
            equal = False
            print(f"re-matched store differs from the full re-import: {str(exc)[:400]}", file=sys.stderr)
    return {
        "plans": n, "scans": scans, "jobs": jobs, "generate_s": gen_s,
        "first_import_s": first_s, "first_import": first.counts(),
        "rematch_import_s": rematch_s, "rematch_import": again.counts(),
        "full_reimport_s": full_s, "full_reimport": full.counts(),
        "rematch_command_s": store_s, "rematch_command": len(from_store.rematched),
        "ratio_rematch_to_full": round(rematch_s / full_s, 3) if full_s else None,
        "equal_to_full_reimport": equal,
        "items": int(len(tables(db)[0])),
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="plans (default 200)")
    ap.add_argument("--scans", type=int, default=0, help="of the plans, this many scanned PDFs (default 0)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", type=Path, help="write the figures here too")
    ap.add_argument("--profile", type=Path, help="cProfile of the re-matching import (pstats file)")
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    args = ap.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="reja-rematch-"))
    try:
        result = measure(args.n, args.jobs, work, args.profile, min(args.scans, args.n))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    text = json.dumps(result, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    ok = result["equal_to_full_reimport"] and result["rematch_import"]["rematched"] == result["plans"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
