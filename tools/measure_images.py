"""How well reja reads images (issue 18): the image families of the variety corpus, scored.

    python tools/measure_images.py [--range dev|dev-wide|heldout|ci] [--family scan ...] [--limit N]
                                   [--per-family N] [--jobs 2] [--json out.json]

--range dev-wide: the DEV seeds widened to --per-family seeds a family (default 40, seeds 1000 …; a superset
of dev and never a held-out seed), to find failures the 8 DEV documents are too few to show.

Per family (scan: 150–300 dpi, noise, stamps; photo_jpeg / photo_pdf / photo_docx: phone photos) and
per document: failed files, item recall, values exact (fact and plan both equal the spec, over
matched items that have a value in the spec or in reja's reading), and wrong values WITHOUT a flag
about the figures (every wrong value must carry one; `reja.schema.flags.VALUE_DOUBT_CODES` says which
flags count: a `no_section` on the row does not), and right values under such a flag ("flag-ok": the
flags' noise, a clerk's time spent on a value that was right). Expected data comes from the corpus' spec (expected/*.json);
generate the documents first (`make variants` or `python -m reja.variety generate --family scan …`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from reja.evaluate import match_items, values_equal
from reja.variety.corpus import (
    DEFAULT_CACHE,
    IMAGE_RENDERERS,
    WIDE_PER_FAMILY,
    dev_wide_documents,
    documents,
    generate,
)

VALUE_FIELDS = ("fact_value", "plan_value")


def score(doc_file: Path, expected_file: Path) -> dict:
    from reja.schema.flags import doubts_a_value

    from reja.pipeline import parse_file

    exp = json.loads(expected_file.read_text(encoding="utf-8"))
    out = {"name": exp["name"], "family": exp["family"], "expected": len(exp["items"]), "matched": 0,
           "values": 0, "values_ok": 0, "wrong_unflagged": [], "wrong": [], "flagged_right": [], "missed": [],
           "error": None, "pages": 0,
           "seconds": 0.0}
    started = time.perf_counter()
    try:
        plan = parse_file(doc_file)
    except Exception as exc:  # noqa: BLE001 - a failed file is a score, not a crashed run
        out["error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
        out["seconds"] = time.perf_counter() - started
        return out
    out["seconds"] = time.perf_counter() - started
    out["pages"] = plan.page_count or 0
    pairs = match_items(exp["items"], plan.items)
    out["matched"] = len(pairs)
    found = {i for i, _ in pairs}
    out["missed"] = [f"{e.get('item_no')}: {e.get('text', '')[:60]}" for i, e in enumerate(exp["items"]) if i not in found]
    for i, j in pairs:
        e, p = exp["items"][i], plan.items[j]
        if all(e.get(f) is None and getattr(p, f) is None for f in VALUE_FIELDS):
            continue  # a row without values says nothing about reading numbers
        out["values"] += 1
        if all(values_equal(e.get(f), getattr(p, f)) for f in VALUE_FIELDS):
            out["values_ok"] += 1
            if doubts_a_value(p.flags):  # a right value in doubt: the clerk's time (noise of the flags)
                out["flagged_right"].append(f"{e.get('item_no')}: {sorted(str(f) for f in p.flags)}")
            continue
        got = {f: getattr(p, f) for f in VALUE_FIELDS}
        want = {f: e.get(f) for f in VALUE_FIELDS}
        out["wrong"].append(f"{e.get('item_no')}: expected {want}, got {got}, flags {sorted(str(f) for f in p.flags)}")
        if not doubts_a_value(p.flags):  # a flag about the figures, not any flag (schema.flags)
            out["wrong_unflagged"].append(f"{e.get('item_no')}: expected {want}, got {got}")
    return out


def _doc_line(r: dict) -> str:
    head = f"{r['name']}: items {r['matched']}/{r['expected']}, values {r['values_ok']}/{r['values']}"
    if r["error"]:
        head += f", FAILED {r['error']}"
    details = [f"    missed {m}" for m in r["missed"]] + [f"    wrong {w}" for w in r["wrong"]]
    return "\n".join([head, *details])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--range", default="dev", choices=("dev", "dev-wide", "heldout", "ci"))
    ap.add_argument("--per-family", type=int, default=WIDE_PER_FAMILY, help="dev-wide: seeds a family")
    ap.add_argument("--family", action="append", help="an image family (default: all of them)")
    ap.add_argument("--limit", type=int, default=0, help="at most this many documents per family")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    families = args.family or list(IMAGE_RENDERERS)
    if args.range == "dev-wide":
        refs = dev_wide_documents(families, args.per_family)
    else:
        refs = documents("dev" if args.range == "ci" else args.range, families)
    if args.limit:
        kept: dict[str, int] = {}
        limited = []
        for r in refs:
            kept[r.family] = kept.get(r.family, 0) + 1
            if kept[r.family] <= args.limit:
                limited.append(r)
        refs = limited
    generated = generate(refs, cache=args.cache, log=lambda m: print(m, file=sys.stderr))  # reuses what exists
    # seed by seed across the families: a run stopped early has scored every family alike
    jobs = [(g.file, g.expected) for g in sorted(generated, key=lambda g: (g.ref.seed, families.index(g.ref.family)))]
    results = []
    with ProcessPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
        for r in pool.map(score, *zip(*jobs, strict=True)) if jobs else []:
            results.append(r)
            print(_doc_line(r), file=sys.stderr, flush=True)  # as they come: a long run shows its failures early

    print(f"{'family':12} {'files':>5} {'failed':>6} {'recall':>7} {'values':>7} {'unflagged':>9} {'flag-ok':>7} {'s/page':>7}")
    for fam in families:
        rs = [r for r in results if r["family"] == fam]
        if not rs:
            continue
        exp = sum(r["expected"] for r in rs)
        vals = sum(r["values"] for r in rs)
        pages = sum(r["pages"] for r in rs) or 1
        print(f"{fam:12} {len(rs):5d} {sum(bool(r['error']) for r in rs):6d} "
              f"{sum(r['matched'] for r in rs) / max(exp, 1):7.3f} {sum(r['values_ok'] for r in rs) / max(vals, 1):7.3f} "
              f"{sum(len(r['wrong_unflagged']) for r in rs):9d} {sum(len(r.get('flagged_right', ())) for r in rs):7d} "
              f"{sum(r['seconds'] for r in rs) / pages:7.1f}")
    for r in results:
        if r["error"] or r["wrong_unflagged"] or r["matched"] < r["expected"]:
            print(f"  {r['name']}: matched {r['matched']}/{r['expected']}, values {r['values_ok']}/{r['values']}"
                  + (f", FAILED {r['error']}" if r["error"] else "")
                  + "".join(f"\n    unflagged {w}" for w in r["wrong_unflagged"][:5]))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if any(r["error"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
