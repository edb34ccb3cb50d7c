"""The corpus: which documents exist (family × seed range), and generating them into a cache folder.

Two seed ranges: DEV (looked at while developing) and HELDOUT (only scored). The CI subset is the
first few DEV seeds of every family. DEV_WIDE is DEV with more seeds a family (1000 … 1000+N−1, a superset
of DEV), for finding failures the 8 DEV documents are too few to show; its seeds stay below HELDOUT's first
(`documents` refuses a range that would reach into held-out seeds). A document's files are named `<family>-<seed>-<spec hash>`, so a
changed spec (or generator version) makes new files and an unchanged one is reused.

    docs/<name>.<ext>       the document reja reads
    expected/<name>.json    the truth, from the spec
    build/                  intermediates (the DOCX/XLSX a conversion starts from, the typed PDF of a scan)
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from reja.variety.spec import draw_spec, expected_from_spec, families

REPO_DIR = Path(__file__).resolve().parents[2]
# $REJA_VARIETY_CACHE moves it (a clean-cache timing run, a shared cache on another disk)
DEFAULT_CACHE = Path(os.environ.get("REJA_VARIETY_CACHE") or REPO_DIR / ".cache" / "variety")

PER_FAMILY = 8  # documents per family per seed range
RANGES = {"dev": 1000, "heldout": 9000}  # first seed of each range
WIDE_PER_FAMILY = 40  # documents per family of the DEV_WIDE option (dev seeds 1000 … 1039)
# documents per family in the CI subset: 2, and 1 where reading costs a LibreOffice start or an OCR
CI_PER_FAMILY = {"scan": 1, "photo_jpeg": 1, "photo_pdf": 1, "photo_docx": 1, "doc_legacy": 1, "odt": 1, "rtf": 1,
                 "xls": 1, "ods": 1}

# renderer -> (base renderer, extension of the final file)
BASE = {"docx": "docx", "doc": "docx", "odt": "docx", "rtf": "docx", "pdf": "docx", "scan": "docx",
        "photo_jpeg": "docx", "photo_pdf": "docx", "photo_docx": "docx", "xlsx": "xlsx", "xls": "xlsx", "ods": "xlsx"}
EXT = {"docx": "docx", "doc": "doc", "odt": "odt", "rtf": "rtf", "pdf": "pdf", "scan": "pdf", "photo_jpeg": "jpg",
       "photo_pdf": "pdf", "photo_docx": "docx", "xlsx": "xlsx", "xls": "xls", "ods": "ods"}
IMAGE_RENDERERS = ("scan", "photo_jpeg", "photo_pdf", "photo_docx")


@dataclass(frozen=True)
class DocRef:
    family: str
    seed: int
    range: str

    @property
    def spec(self) -> dict:
        return draw_spec(self.seed, self.family)


def documents(range_name: str, family_names: list[str] | None = None, per_family: int = PER_FAMILY) -> list[DocRef]:
    start = RANGES[range_name]
    if range_name != "heldout" and start + per_family > RANGES["heldout"]:
        raise SystemExit(f"{range_name} with {per_family} seeds a family would reach the held-out seeds "
                         f"({RANGES['heldout']}…)")
    names = family_names or list(families())
    unknown = sorted(set(names) - set(families()))
    if unknown:
        raise SystemExit(f"unknown famil(ies) {unknown}; known: {sorted(families())}")
    return [DocRef(f, start + k, range_name) for f in names for k in range(per_family)]


def dev_wide_documents(family_names: list[str] | None = None, per_family: int = WIDE_PER_FAMILY) -> list[DocRef]:
    """More DEV seeds a family than `PER_FAMILY` (never a held-out one): evidence wider than the 8 DEV pages."""
    return documents("dev", family_names, per_family=per_family)


def ci_documents(family_names: list[str] | None = None) -> list[DocRef]:
    names = family_names or list(families())
    return [DocRef(f, RANGES["dev"] + k, "ci") for f in names for k in range(CI_PER_FAMILY.get(f, 2))]


def doc_name(spec: dict) -> str:
    """`<family>/plan-<seed>-<letters>`: the stem carries no word or year reja could read as metadata."""
    letters = "".join(chr(ord("a") + int(c, 16) % 26) for c in spec["hash"][:10])
    return f"{spec['family']}/plan-{spec['seed']}-{letters}"


@dataclass
class Generated:
    ref: DocRef
    name: str
    renderer: str
    file: Path
    expected: Path


def _atomic_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, ensure_ascii=False, indent=1)
    os.replace(tmp, path)


def _copy_atomic(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dest)


def renderer_version() -> str:
    """A hash of the renderers' code: a cached document made by an older renderer is made again (the spec
    hash alone kept documents of a fixed renderer bug, e.g. the autonumbered DOCX, in every old cache)."""
    digest = hashlib.sha256()
    for source in sorted((Path(__file__).parent / "renderers").glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()[:12]


def _made_by(expected: Path) -> str | None:
    try:
        return json.loads(expected.read_text(encoding="utf-8")).get("renderer_version")
    except (OSError, ValueError):
        return None


def _lookup(refs: list[DocRef], cache: Path) -> tuple[list[Generated], list[tuple[Generated, dict]]]:
    """Every document of `refs` as it is (or will be) in the cache, and those still to make with their specs."""
    docs_dir, exp_dir = cache / "docs", cache / "expected"
    out, todo = [], []
    version = renderer_version()
    for ref in refs:
        spec = ref.spec
        name = doc_name(spec)
        g = Generated(ref, name, spec["renderer"], docs_dir / f"{name}.{EXT[spec['renderer']]}", exp_dir / f"{name}.json")
        out.append(g)
        if not (g.file.exists() and g.expected.exists() and _made_by(g.expected) == version):
            todo.append((g, spec))
    return out, todo


def pending(refs: list[DocRef], cache: Path = DEFAULT_CACHE) -> list[DocRef]:
    """The refs whose document is not in the cache yet (or was made by an older renderer)."""
    return [g.ref for g, _ in _lookup(refs, cache)[1]]


def _print_prefixed(prefix: str, msg: str) -> None:
    print(f"{prefix}{msg}", flush=True)


def generate_apart(refs: list[DocRef], cache: Path = DEFAULT_CACHE, prefix: str = "") -> None:
    """Makes the missing documents of `refs` in a spawned child process, for a caller that times work right
    after: made in the timed process, the renderers leave OpenCV's thread pool (started before reja's scan
    reader limits it) and their memory behind. The images bench's first run on a fresh cache measured
    1.38–1.57× bare Tesseract with reja's CPU above its wall time, against 1.17–1.27× on the next runs."""
    import functools
    import multiprocessing

    todo = pending(refs, cache)
    if not todo:
        return
    _print_prefixed(prefix, f"generating {len(todo)} document(s) in a child process (not timed) …")
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        pool.apply(generate, (todo, cache), {"log": functools.partial(_print_prefixed, prefix)})


def generate(refs: list[DocRef], cache: Path = DEFAULT_CACHE, log=print) -> list[Generated]:
    """Make every document of `refs` that is not in the cache yet; returns all of them."""
    out, todo = _lookup(refs, cache)
    if not todo:
        return out  # the renderers (OpenCV, LibreOffice) are not even imported
    from reja.variety.renderers.docx import render_docx
    from reja.variety.renderers.office import convert_many
    from reja.variety.renderers.xlsx import render_xlsx

    version = renderer_version()
    build = cache / "build"
    for d in (cache / "docs", cache / "expected", build):
        d.mkdir(parents=True, exist_ok=True)
    log = log or (lambda _msg: None)
    log(f"generating {len(todo)} document(s) into {cache}")
    # 1. base files
    for g, spec in todo:
        base = build / f"{g.name}.{BASE[g.renderer]}"
        base.parent.mkdir(parents=True, exist_ok=True)
        (render_docx if BASE[g.renderer] == "docx" else render_xlsx)(spec, base)
    # 2. LibreOffice, one start per target format
    need: dict[str, list[Path]] = {}
    for g, _ in todo:
        target = "pdf" if g.renderer in IMAGE_RENDERERS else g.renderer
        if target not in ("docx", "xlsx"):
            need.setdefault(target, []).append(build / f"{g.name}.{BASE[g.renderer]}")
    for fmt, sources in need.items():
        log(f"  LibreOffice: {len(sources)} → {fmt}")
        convert_many(sources, fmt)
    # 3. images, and the final files into docs/
    for g, spec in todo:
        if g.renderer in IMAGE_RENDERERS:
            _render_images(g, spec, build / f"{g.name}.pdf")
        else:
            _copy_atomic(build / f"{g.name}.{EXT[g.renderer]}", g.file)
        _atomic_json(g.expected, {"name": g.name, "family": spec["family"], "seed": spec["seed"],
                                  "renderer": g.renderer, "spec_hash": spec["hash"], "renderer_version": version,
                                  **expected_from_spec(spec)})  # fmt: skip
    return out


def _render_images(g: Generated, spec: dict, typed_pdf: Path) -> None:
    from reja.variety.renderers import images
    from reja.variety.renderers.docx import picture_docx

    layout = spec["layout"]
    dpi = int(layout.get("dpi", 200))
    rng = random.Random(spec["hash"])
    pages = images.rasterise(typed_pdf, dpi)
    if g.renderer == "photo_jpeg" and len(pages) != 1:
        raise RuntimeError(f"{g.name}: a photo family needs a one-page plan, the typed PDF has {len(pages)} pages")
    g.file.parent.mkdir(parents=True, exist_ok=True)
    tmp = g.file.with_name(f".{g.file.name}.tmp")
    if g.renderer == "scan":
        stamp_text = spec["meta"]["organisation"] if layout.get("stamp", True) else None
        shots = [images.degrade_scan(p, rng, skew=float(layout.get("skew", 3.0)), stamp_text=stamp_text) for p in pages]
        images.images_pdf(shots, tmp, dpi)
    else:
        shots = [images.degrade_photo(p, rng, max_tilt=float(layout.get("perspective", 8.0))) for p in pages]
        if g.renderer == "photo_jpeg":
            tmp.write_bytes(images.jpeg_bytes(shots[0], dpi=dpi))
        elif g.renderer == "photo_pdf":
            images.images_pdf(shots, tmp, dpi)
        else:
            picture_docx([images.jpeg_bytes(s, dpi=dpi) for s in shots], tmp)
    os.replace(tmp, g.file)
