"""Regenerate every sample and the manifest: `make samples` (needs LibreOffice for PDF/DOC/scan).

Runs gen_izboskan.main() and, when it exists, gen_jondor.main(); then builds expected/manifest.json
from the `outputs` of every spec/*.yaml (format: samples/README.md). `--manifest-only` skips the
generators (use it after editing a spec's outputs when LibreOffice is not at hand).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_common  # noqa: E402

GENERATORS = ("gen_izboskan", "gen_jondor")


def run_generators() -> None:
    for name in GENERATORS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # the generator exists but one of its imports is missing: say so
                raise
            print(f"skip {name}: not present")
            continue
        print(f"run {name}")
        # generators take an argv list (gen_izboskan) or nothing; call both kinds the same way
        if inspect.signature(module.main).parameters:
            module.main([])
        else:
            module.main()


def build_manifest() -> Path:
    entries = []
    for spec_path in sorted((gen_common.SAMPLES_DIR / "spec").glob("*.yaml")):
        spec = gen_common.load_spec(spec_path)
        for entry in gen_common.manifest_entries(spec):
            if not (gen_common.REPO_DIR / entry["file"]).exists():
                print(f"warning: {entry['file']} declared in {entry['spec']} does not exist")
            entries.append(entry)
    names = [e["name"] for e in entries]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise gen_common.SpecError(f"duplicate manifest names: {dupes}")
    path = gen_common.EXPECTED_DIR / "manifest.json"
    gen_common.write_json_atomic(path, {"samples": entries})
    print(f"wrote {gen_common.rel(path)} ({len(entries)} samples)")
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest-only", action="store_true", help="only rebuild expected/manifest.json")
    args = parser.parse_args(argv)
    if not args.manifest_only:
        run_generators()
    build_manifest()


if __name__ == "__main__":
    main()
