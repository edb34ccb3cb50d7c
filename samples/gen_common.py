"""Helpers every sample generator shares: read a spec, emit its expected file, convert with LibreOffice.

The spec/expected format is documented in samples/README.md ("Spec and expected-data format").
Generators import this module as `gen_common` (samples/ is put on sys.path by make_samples.py and by
each generator when run directly); it depends only on PyYAML and the standard library.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

SAMPLES_DIR = Path(__file__).resolve().parent
REPO_DIR = SAMPLES_DIR.parent
EXPECTED_DIR = SAMPLES_DIR / "expected"

# Order of the fields of one expected item (the PlanItem fields the ground truth fixes).
EXPECTED_ITEM_FIELDS = (
    "section_no",
    "section_title",
    "subsection_title",
    "item_no",
    "parent_item_no",
    "text",
    "unit",
    "fact_year",
    "fact_raw",
    "fact_value",
    "plan_year",
    "plan_raw",
    "plan_value",
    "mechanism",
    "deadline",
    "responsible",
    "expected_flags",
)
META_FIELDS = (
    "region",
    "district",
    "organisation",
    "year",
    "approved_by",
    "approved_date",
    "agreed_by",
    "agreed_date",
    "title",
)
FORMATS = ("docx", "pdf", "doc", "scan")


class SpecError(ValueError):
    """A spec file breaks the documented format (names the file and the entry)."""


def load_spec(path: Path | str) -> dict:
    path = Path(path)
    with path.open(encoding="utf-8") as fh:
        spec = yaml.safe_load(fh)
    for key in ("sample", "meta", "sections", "items", "outputs"):
        if key not in spec:
            raise SpecError(f"{path}: missing top-level key {key!r}")
    spec["_path"] = path
    return spec


def rel(path: Path) -> str:
    """Path relative to the repository root, with forward slashes (never a machine path)."""
    return Path(path).resolve().relative_to(REPO_DIR).as_posix()


def expected_from_spec(spec: dict) -> dict:
    """The spec minus generator hints: what the parser should produce for this plan."""
    titles = {s["section_no"]: s["title"] for s in spec["sections"]}
    items = []
    for pos, item in enumerate(spec["items"]):
        unknown = set(item) - set(EXPECTED_ITEM_FIELDS) - {"render"}
        if unknown:
            raise SpecError(f"{spec['_path']}: item #{pos} ({item.get('item_no')}): unknown keys {sorted(unknown)}")
        if item.get("section_no") is not None and item["section_no"] not in titles:
            raise SpecError(f"{spec['_path']}: item #{pos}: section {item['section_no']!r} not in sections")
        out = {}
        for field in EXPECTED_ITEM_FIELDS:
            if field == "section_title":
                out[field] = item.get(field, titles.get(item.get("section_no")))
            elif field == "expected_flags":
                out[field] = list(item.get(field) or [])
            else:
                out[field] = item.get(field)
        items.append(out)
    return {
        "sample": spec["sample"],
        "spec": rel(spec["_path"]),
        "seed": spec.get("seed"),
        "script": spec.get("script"),
        "meta": {k: spec["meta"].get(k) for k in META_FIELDS},
        "sections": [
            {"section_no": s["section_no"], "title": s["title"], "responsible": s.get("responsible")}
            for s in spec["sections"]
        ],
        "items": items,
    }


def write_bytes_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; samples are ordinary committed files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, obj) -> None:
    text = json.dumps(obj, ensure_ascii=False, indent=2) + "\n"
    write_bytes_atomic(path, text.encode("utf-8"))


def write_expected(spec: dict, path: Path | None = None) -> Path:
    path = path or EXPECTED_DIR / f"{spec['sample']}.json"
    write_json_atomic(path, expected_from_spec(spec))
    return path


def manifest_entries(spec: dict) -> list[dict]:
    """Manifest rows for every output a spec declares (paths relative to the repository root)."""
    sample = spec["sample"]
    generator = SAMPLES_DIR / f"gen_{sample.split('_')[0]}.py"
    rows = []
    for out in spec["outputs"]:
        if out["format"] not in FORMATS:
            raise SpecError(f"{spec['_path']}: output {out['file']}: format must be one of {FORMATS}")
        file = SAMPLES_DIR / out["file"]
        rows.append(
            {
                "name": manifest_name(file, out["format"]),
                "file": rel(file),
                "format": out["format"],
                "expected": rel(SAMPLES_DIR / out["expected"]),
                "spec": rel(spec["_path"]),
                "generator": rel(generator),
                "script": spec.get("script"),
            }
        )
    return rows


def manifest_name(file: Path, fmt: str) -> str:
    """`<stem>_<format>`, without repeating the format: jondor_2021.pdf/pdf -> jondor_2021_pdf,
    jondor_2021_scan.pdf/scan -> jondor_2021_scan."""
    stem = Path(file).stem
    return stem if stem.endswith(f"_{fmt}") else f"{stem}_{fmt}"


def soffice_convert(src: Path, target: str, dest: Path, timeout: float = 240) -> Path:
    """Convert `src` with LibreOffice headless (`target` e.g. "pdf", "doc:MS Word 97") into `dest`.

    Runs in a private temp dir with its own user profile, so parallel runs and a desktop LibreOffice
    do not interfere; the result is moved into place atomically.
    """
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("LibreOffice (soffice) is not installed; it is needed to regenerate PDF/DOC samples")
    with tempfile.TemporaryDirectory(prefix="reja-soffice-") as tmp:
        tmp_path = Path(tmp)
        cmd = [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(tmp_path / "out"),
            str(src),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        produced = tmp_path / "out" / f"{src.stem}.{target.split(':')[0]}"
        if proc.returncode != 0 or not produced.exists():
            raise RuntimeError(f"soffice could not convert {src.name} to {target}: {proc.stderr.strip() or proc.stdout}")
        write_bytes_atomic(dest, produced.read_bytes())
    return dest
