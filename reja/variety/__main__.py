"""python -m reja.variety — generate the variety corpus and score reja on it.

    python -m reja.variety generate [--range dev|heldout|ci|all] [--family NAME ...]
    python -m reja.variety eval [--range dev|heldout|ci|all] [--family NAME ...] [--jobs N]
                                [--write-docs] [--json PATH] [--ratchet] [--details]
    python -m reja.variety report --json-in dev.json heldout.json [--write-docs]

`eval` prints a table per family and per format for each range; --write-docs writes docs/variants.md;
--ratchet raises the per-family floors of the CI subset in reja/variety/data/floors.yaml to the
current scores (never lowers one); exit status 1 when a CI-subset family is below its floor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

import yaml

from reja.schema.data_files import read_yaml
from reja.variety import corpus
from reja.variety import evaluate as ev

FLOORS = Path(__file__).resolve().parent / "data" / "floors.yaml"
DOCS_MD = corpus.REPO_DIR / "docs" / "variants.md"


def load_floors(path: Path = FLOORS) -> dict[str, dict[str, float]]:
    if not path.exists():
        return {}
    return (read_yaml(path) or {}).get("floors") or {}


def write_floors(floors: dict, path: Path = FLOORS) -> None:
    head = (
        "# Per-family floors of the variety corpus's CI subset (tests/variety/test_floors.py enforces them).\n"
        "# Written by `python -m reja.variety eval --range ci --ratchet`, which only ever raises a floor (lowers a\n"
        "# ceiling: files_failed, wrong_auto). Lowering one by hand needs a reason in the commit message.\n"
    )
    body = yaml.safe_dump({"floors": {k: floors[k] for k in sorted(floors)}}, sort_keys=True, allow_unicode=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(head + body, encoding="utf-8")
    os.replace(tmp, path)


def _refs(range_name: str, families: list[str] | None) -> list[corpus.DocRef]:
    if range_name == "ci":
        return corpus.ci_documents(families)
    return corpus.documents(range_name, families)


def _ranges(arg: str) -> list[str]:
    return ["dev", "heldout"] if arg == "all" else [arg]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m reja.variety", description=__doc__.splitlines()[0])
    p.add_argument("command", choices=["generate", "eval", "report"])
    p.add_argument("--json-in", type=Path, nargs="+", default=[],
                   help="report: score files written by eval --json (ranges run as separate processes)")
    p.add_argument("--range", default="all", choices=["dev", "heldout", "ci", "all"])
    p.add_argument("--family", action="append", help="only this family (repeatable)")
    p.add_argument("--cache", type=Path, default=corpus.DEFAULT_CACHE, help="folder of generated documents")
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--write-docs", action="store_true", help="write docs/variants.md")
    p.add_argument("--json", type=Path, help="write per-document scores as JSON")
    p.add_argument("--ratchet", action="store_true", help="raise the CI-subset floors to the current scores")
    p.add_argument("--details", action="store_true", help="print each failed file and its error")
    args = p.parse_args(argv)

    results: dict[str, list[ev.DocScore]] = {}
    timings: dict[str, float] = {}
    commits: set[str] = set()
    if args.command == "report":
        for path in args.json_in:
            data = json.loads(path.read_text(encoding="utf-8"))
            for rng, docs in data.get("scores", data).items():
                results[rng] = [ev.DocScore(**d) for d in docs]
            timings.update(data.get("timings", {}))
            commits.add(data.get("commit", "unknown"))
    else:
        commits.add(_commit())
    for rng in _ranges(args.range) if args.command != "report" else []:
        started = time.perf_counter()
        generated = corpus.generate(_refs(rng, args.family), args.cache)
        timings[f"{rng}_generate"] = time.perf_counter() - started
        if args.command == "generate":
            print(f"{rng}: {len(generated)} documents in {args.cache}")
            continue
        started = time.perf_counter()
        results[rng] = ev.score_all(generated, jobs=args.jobs)
        timings[f"{rng}_score"] = time.perf_counter() - started
    if args.command == "generate":
        return 0

    problems: list[str] = []
    md = []
    for rng, docs in results.items():
        fam = ev.by(docs, lambda d: d.family)
        fmt = ev.by(docs, lambda d: d.renderer)
        total = {"TOTAL": ev.aggregate(docs)}
        label = {"dev": "DEV seed range", "heldout": "HELD-OUT seed range", "ci": "CI subset"}[rng]
        print(ev.table({**fam, **total}, f"{label}: per family"))
        print()
        print(ev.table({**fmt, **total}, f"{label}: per format"))
        print()
        md += [ev.table({**fam, **total}, f"{label}: per family", markdown=True), "",
               ev.table({**fmt, **total}, f"{label}: per format", markdown=True), ""]
        if args.details:
            for d in docs:
                if d.error:
                    print(f"  failed: {d.name}: {d.error}")
        if rng == "ci":
            floors = load_floors()
            for name, scores in fam.items():
                if name not in floors and not args.ratchet:
                    problems.append(f"{name}: no floors in {FLOORS.name} (run with --ratchet once)")
                problems += ev.violations(name, scores, floors.get(name, {}))
            if args.ratchet:
                new = {**floors, **{n: ev.ratchet(floors.get(n, {}), s) for n, s in fam.items()}}
                write_floors(new)
                print(f"floors ratcheted in {FLOORS.relative_to(corpus.REPO_DIR)}")
    for k, v in timings.items():
        print(f"{k}: {v:.0f} s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        scores = {r: [vars(d) for d in docs] for r, docs in results.items()}
        args.json.write_text(json.dumps({"scores": scores, "timings": timings, "commit": _commit()},
                                        ensure_ascii=False, indent=1),
                             encoding="utf-8")
    if args.write_docs:
        _write_docs(md, timings, args, list(results), ", ".join(sorted(commits)))
    if problems and not args.ratchet:
        print("\nbelow the floors:")
        for prob in problems:
            print(f"  - {prob}")
        return 1
    return 0


RANGE_NAMES = {"dev": "the DEV range", "heldout": "the HELD-OUT range", "ci": "the CI subset"}


def _commit() -> str:
    import subprocess

    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10,
                             cwd=corpus.REPO_DIR)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _write_docs(md: list[str], timings: dict[str, float], args, md_ranges: list[str], commit: str) -> None:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    metrics = "\n".join(f"- `{ev.SHORT[m]}` — {MEANING[m]}" for m in ev.METRICS)
    text = "\n".join([
        "# Variety corpus: how reja does on plans as they really arrive",
        "",
        f"Generated by `make eval-variants` (`python -m reja.variety eval --range all --write-docs`; here "
        f"`{'report' if args.command == 'report' else 'eval'}` of {', '.join(RANGE_NAMES.get(r, r) for r in md_ranges)}) on "
        f"{dt.datetime.now().strftime('%Y-%m-%d %H:%M')}, machine: {platform.node() or 'unknown'} "
        f"({platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, load average {load:.0f} "
        f"when written), code at commit {commit}. Seconds per page depend on the load. Do not edit by hand.",
        "",
        "Documents are drawn from seeds (reja/variety/spec.py), rendered in layout families "
        "(reja/variety/data/families.yaml) and scored against the spec (reja/variety/evaluate.py). "
        "The DEV range is the one looked at while developing; the HELD-OUT range is only scored.",
        "",
        "Columns:",
        metrics,
        "",
        *md,
        "Run times: " + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()),
        "",
    ])
    tmp = DOCS_MD.with_name(f".{DOCS_MD.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, DOCS_MD)
    print(f"written {DOCS_MD.relative_to(corpus.REPO_DIR)}")


MEANING = {
    "files_failed": "share of files reja could not parse at all (error); lower is better",
    "item_recall": "expected items found / expected items",
    "item_precision": "found items that are expected / items reja returned",
    "values_exact": "fact and plan values equal to the spec, over matched items",
    "text_exact": "activity text equal after whitespace normalisation, over matched items",
    "parent_exact": "parent item number equal (sub-items: 9.1 under 9, rows under \"Shundan:\"), over matched items",
    "section_exact": "section number equal, over matched items",
    "unit_exact": "unit equal as written, over matched items",
    "deadline_exact": "deadline equal as written, over matched items",
    "district_id": "plans whose region/district resolve to the spec's gazetteer district id",
    "year": "plans whose year is the spec's",
    "indicator_f1": "pairwise indicator agreement across plans (same activity → same stored indicator), F1",
    "wrong_auto": "auto-accepted indicators that are wrong (incl. an indicator for a must-not-match activity), "
                  "share of auto-accepted; lower is better",
    "flagged": "share of rows reja flags for review",
    "flag_noise": "share of rows flagged although every scored field and the indicator were right (a clerk's time "
                  "spent on no error); lower is better",
    "hidden": "share of rows with a wrong field or indicator, or not in the spec, that carry no flag; lower is better",
    "sec_per_page": "seconds of parse_file per page (per document when the page count is unknown)",
}


if __name__ == "__main__":
    sys.exit(main())
