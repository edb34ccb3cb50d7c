"""Build schema/data/gazetteer.csv from the `uzsoato-registry` package's SOATO fixture.

One-off, re-runnable: the package is MIT-licensed and carries the State Statistics Committee's 2021
SOATO classifier as a Django fixture. It is NOT a reja dependency (it pulls in Django); fetch it with

    pip download --no-deps uzsoato-registry -d <tmpdir>
    python tools/build_gazetteer.py <tmpdir>/uzsoato_registry-<version>.tar.gz

(a path to an unpacked `soato/fixtures/soato.json` works too). Hand-kept aliases for renamed
districts and official spellings come from schema/data/gazetteer_aliases.csv and are merged into the
`aliases` column. The output is written atomically.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "schema" / "data"
OUT = DATA / "gazetteer.csv"
ALIASES = DATA / "gazetteer_aliases.csv"
FIXTURE = "soato/fixtures/soato.json"

COLUMNS = ["kind", "region_id", "district_id", "name_latn", "name_cyrl", "name_rus", "aliases"]

# The registry's Russian names contain Latin look-alikes ("Жондоpский" with a Latin p); the Russian
# column must be pure Cyrillic to match anything.
_LATIN_TO_CYR = str.maketrans("aceopxyACEHKMOPTXB", "асеорхуАСЕНКМОРТХВ")


def read_fixture(src: Path) -> list[dict]:
    if src.suffixes[-2:] == [".tar", ".gz"] or src.suffix == ".tgz":
        with tarfile.open(src) as tar:
            member = next(m for m in tar.getmembers() if m.name.endswith(FIXTURE))
            return json.load(io.TextIOWrapper(tar.extractfile(member), encoding="utf-8"))
    return json.loads(src.read_text(encoding="utf-8"))


def _is_group(code: str) -> bool:
    # "1703200" = "Andijon viloyatining tumanlari", "1703400" = "... shaharlari": headings, not places
    return code.endswith("00") and code[4] in "234"


def build_rows(records: list[dict]) -> list[dict]:
    regions = {r["pk"]: r["fields"] for r in records if r["model"] == "soato.region"}
    rows: list[dict] = []
    for f in sorted(regions.values(), key=lambda f: f["soato"]):
        rows.append({"kind": "region", "region_id": f["soato"], "district_id": "",
                     "name_latn": f["name"], "name_cyrl": f["name_cyr"],
                     "name_rus": f["name_rus"].translate(_LATIN_TO_CYR), "aliases": ""})
    districts = [r["fields"] for r in records if r["model"] == "soato.district"]
    for f in sorted(districts, key=lambda f: f["soato"]):
        code = f["soato"]
        if _is_group(code):
            continue
        kind = "district" if code[4] == "2" else "city"
        rows.append({"kind": kind, "region_id": regions[f["region"]]["soato"], "district_id": code,
                     "name_latn": f["name"].strip(), "name_cyrl": f["name_cyr"].strip(),
                     "name_rus": f["name_rus"].strip().translate(_LATIN_TO_CYR), "aliases": ""})
    return rows


def merge_aliases(rows: list[dict], alias_path: Path) -> None:
    by_id = {r["district_id"] or r["region_id"]: r for r in rows}
    with alias_path.open(encoding="utf-8", newline="") as fh:
        for n, rec in enumerate(csv.DictReader(fh), start=2):
            row = by_id.get(rec["soato"])
            if row is None:
                raise SystemExit(f"{alias_path.name} line {n}: SOATO {rec['soato']} is not in the registry")
            names = [a for a in row["aliases"].split("|") if a]
            if rec["alias"] not in names:
                names.append(rec["alias"])
            row["aliases"] = "|".join(names)


def write_atomic(rows: list[dict], out: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=out.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    rows = build_rows(read_fixture(Path(argv[1])))
    merge_aliases(rows, ALIASES)
    write_atomic(rows, OUT)
    kinds = {k: sum(r["kind"] == k for r in rows) for k in ("region", "district", "city")}
    print(f"wrote {OUT.relative_to(ROOT)}: {len(rows)} rows {kinds}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
