"""Versions and keys: what decides whether a file is imported, re-matched or skipped.

- `pipeline_version`: reja's version + a hash of the code that turns a file into rows.
- `data_version`: a hash of every data file that changes output.
- `import_key` (bytes + pipeline + catalogue and learned wordings): a stored document under the same
  key is what importing the file again would give, so the file is skipped.
- `parse_key` (document id, i.e. bytes, + pipeline + the data the readers and the parser read):
  stored rows before matching under the same key are what reading the file again would give, so the
  file is re-matched, not read. An edit to a data file matching alone reads (`schema.data_files`:
  the catalogue's sections and indicators, thresholds, match vocabulary) changes the import key
  only: every file is re-matched, none is read.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from reja.import_report import MiB
from reja.schema import data_files
from reja.schema.data_files import DATA_PACKAGES


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


def data_dirs() -> list[Path]:
    """The data folder of every package whose data changes output (`schema.data_files.DATA_PACKAGES`)."""
    return [data_files.data_dir(pkg) for pkg in DATA_PACKAGES]


def data_hash(dirs: Iterable[Path], parse_only: bool = False) -> str:
    """One content hash over every file under the given data folders (name and bytes); `parse_only`:
    leave out the files matching alone reads (`schema.data_files.match_only`)."""
    files = [(f"{data.parent.name}/{f.relative_to(data).as_posix()}", f)
             for data in dirs for f in (sorted(data.rglob("*")) if data.is_dir() else [])
             if f.is_file() and not (parse_only and data_files.match_only(f))]
    return data_files.content_hash(files)[:12]


@lru_cache(maxsize=1)
def data_version() -> str:
    return data_hash(data_dirs())


@lru_cache(maxsize=1)
def parse_data_version() -> str:
    return data_hash(data_dirs(), parse_only=True)


def parse_key(document_id: str) -> str:
    """Bytes (in the document id) + the code that turns a file into rows + every data file the
    readers and the parser read (all but the match-only files; the scan reader takes the catalogue's
    words from its own snapshot). Stored rows under the same parse key are what reading the file
    again would give."""
    return hashlib.sha256(f"{document_id}|{pipeline_version()}|data:{parse_data_version()}".encode()).hexdigest()[:32]


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


def match_scope() -> str:
    """What a stored match depends on besides the catalogue's own version (`reja.match_cache`): the
    code and every data file (the normaliser's tables make the match keys, the vocabulary the stems)."""
    return f"{pipeline_version()}|data:{data_version()}"


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

