"""Functions on the pipeline path over the issue 16 bounds: cyclomatic complexity over 15, or over 60 lines.

radon (`radon cc -j`) over the given folders and files (default: PIPELINE_PATH below); each function or method once, worst first.

    .venv/bin/python tools/measure_complexity.py [FOLDER ...] [--list]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_COMPLEXITY = 15
MAX_LINES = 60
# The pipeline path of issue 16: the readers, the parser, the matchers and the catalogue, and reja's
# modules a file goes through on `reja import` / `reja rematch` (schedule, read, enrich, key, store, apply
# corrections). Reports, review and benches are not on it.
PIPELINE_PATH = [
    "extract", "normalize", "schema",
    *(f"reja/{name}.py" for name in (
        "cli", "inputs", "files", "batch", "executor", "worker", "cluster", "pipeline", "records", "enrich",
        "identity", "keys", "learned", "match_cache", "rematch", "import_store", "import_report",
        "import_progress", "store", "db", "corrections",
    )),
]  # fmt: skip


def functions(folders: list[str]) -> list[tuple[str, str, int, int]]:
    """(file, qualified name, complexity, lines) of every function and method under `folders`."""
    radon = Path(sys.executable).with_name("radon")
    out = subprocess.run([str(radon), "cc", "-j", *folders], capture_output=True, text=True, check=True, cwd=ROOT)
    found: dict[tuple[str, str, int], tuple[int, int]] = {}

    def walk(path: str, blocks: list[dict]) -> None:
        for b in blocks:
            if b["type"] in ("function", "method"):
                name = f"{b['classname']}.{b['name']}" if b.get("classname") else b["name"]
                found[(path, name, b["lineno"])] = (b["complexity"], b["endline"] - b["lineno"] + 1)
            walk(path, b.get("methods", []) if b["type"] == "class" else b.get("closures", []))

    for path, blocks in json.loads(out.stdout).items():
        walk(path, blocks)
    return [(path, name, cc, lines) for (path, name, _), (cc, lines) in found.items()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="*", default=PIPELINE_PATH)
    ap.add_argument("--list", action="store_true", help="name every function over a bound")
    args = ap.parse_args(argv)
    rows = functions(args.folders)
    complex_ = sorted((r for r in rows if r[2] > MAX_COMPLEXITY), key=lambda r: -r[2])
    long_ = sorted((r for r in rows if r[3] > MAX_LINES), key=lambda r: -r[3])
    print(f"{len(rows)} functions; over complexity {MAX_COMPLEXITY}: {len(complex_)}; over {MAX_LINES} lines: {len(long_)}")
    if args.list:
        for path, name, cc, _lines in complex_:
            print(f"  complexity {cc:3d}  {path} {name}")
        for path, name, _cc, lines in long_:
            print(f"  lines {lines:4d}  {path} {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
