"""Versions and keys: what decides whether a file is imported, re-matched or skipped.

- `pipeline_version`: reja's version + a hash of the code that turns a file into rows.
- `data_version`: a hash of every data file that changes output.
- `import_key` (bytes + pipeline + catalogue and learned wordings): a stored document under the same
  key is what importing the file again would give, so the file is skipped.
- `parse_key` (document id, i.e. bytes, + pipeline + data): stored rows before matching under the
  same key are what reading the file again would give, so the file is re-matched, not read.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from reja.import_report import MiB


@lru_cache(maxsize=1)
def pipeline_version() -> str:
    """reja's version + a hash of the code that turns a file into rows: any change re-imports."""
    import reja

    h = hashlib.sha256()
    roots = [Path(importlib.import_module(p).__file__).parent for p in ("reja.extract", "reja.normalize", "reja.schema")]
    files = [f for root in roots for f in sorted(root.rglob("*.py"))]
    here = Path(__file__).parent  # reja/
    files += [here / n for n in ("pipeline.py", "records.py", "enrich.py", "identity.py")]
    for f in files:
        if f.exists():
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return f"{reja.__version__}+{h.hexdigest()[:12]}"


# Every package whose data/ folder changes what a file turns into: the readers' and parser's word
# lists and scan settings as much as the catalogue. A package missing here is a file that changes
# output while every input stays "skipped (unchanged)".
DATA_PACKAGES = ("reja.schema", "reja.normalize", "reja.extract", "reja.extract.scan")


def data_dirs() -> list[Path]:
    return [Path(importlib.import_module(pkg).__file__).parent / "data" for pkg in DATA_PACKAGES]


def data_hash(dirs: Iterable[Path]) -> str:
    """One content hash over every file under the given data folders (name and bytes)."""
    h = hashlib.sha256()
    for data in dirs:
        for f in sorted(data.rglob("*")) if data.is_dir() else []:
            if f.is_file():
                h.update(f"{data.parent.name}/{f.relative_to(data).as_posix()}".encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:12]


@lru_cache(maxsize=1)
def data_version() -> str:
    return data_hash(data_dirs())


def parse_key(document_id: str) -> str:
    """Bytes (in the document id) + the code that turns a file into rows + every data file the
    readers and the parser read (the scan reader's lexicon reads the catalogue's words too). Stored
    rows under the same parse key are what reading the file again would give."""
    return hashlib.sha256(f"{document_id}|{pipeline_version()}|data:{data_version()}".encode()).hexdigest()[:32]


@lru_cache(maxsize=1)
def catalogue_version() -> str:
    """The catalogue's own version string when it loads, plus a hash of every data file that
    changes output (synonyms added by clerks, a reader's word list → re-import)."""
    from reja.schema.catalogue import catalogue_version as named_version

    try:
        named = named_version()
    except Exception:  # broken catalogue data: matching is off, and the key says so
        named = "none"
    return f"{named}|data:{data_version()}"


def import_key(sha256: str, catalogue: str | None = None) -> str:
    catalogue = catalogue or catalogue_version()
    return hashlib.sha256(f"{sha256}|{pipeline_version()}|{catalogue}".encode()).hexdigest()[:32]


def document_id(source_key: str, sha256: str) -> str:
    return hashlib.sha256(f"{source_key}\0{sha256}".encode()).hexdigest()[:16]


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(MiB):
            h.update(chunk)
    return h.hexdigest()

