"""Which data files change what: reading a file, or only matching its rows.

Every file under a package's `data/` folder changes output. Most are read by the readers and the
parser (column roles, units, place names, plan words, scan settings, the normaliser's tables): an
edit to one means every file must be read again, so they make up the parse key (`reja.keys`). The
files named in `MATCH_ONLY` are read by matching alone — the catalogue's sections and indicators,
its thresholds and the matcher's vocabulary: an edit to one re-matches the stored rows, without
reading a file (issue 16).

The scan reader's word lists (`reja.extract.scan.lexicon`) take the catalogue's words from a
snapshot, `extract/scan/data/catalogue_strings.json`, written by
`python -m reja.extract.scan.lexicon --write-snapshot`; a catalogue edit reaches the scan reader
(and re-reads the files) only when the snapshot is written again.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

# libyaml's safe loader when PyYAML was built with it (~10x faster than the pure-Python one; a photo's
# profile spent ~5 s in pure-Python parsing), the pure-Python safe loader otherwise. Both are safe.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YAMLError = yaml.YAMLError

# every package whose data/ folder changes what a file turns into (a package missing here is a file
# that changes output while every input stays "skipped (unchanged)")
DATA_PACKAGES = ("reja.schema", "reja.normalize", "reja.extract", "reja.extract.scan")

# file names (unique across the data folders): read by matching only
MATCH_ONLY = frozenset({"sections.yaml", "indicators.yaml", "match_thresholds.yaml", "match_vocabulary.yaml"})


def data_dir(package: str) -> Path:
    return Path(importlib.import_module(package).__file__).parent / "data"


def parse_yaml(text: str) -> Any:
    """The one YAML loader of reja's data files (safe; libyaml when available)."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader


def read_yaml(path: Path) -> Any:
    """Parse the YAML file `path`; OSError and YAMLError are raised as they are."""
    return parse_yaml(Path(path).read_text(encoding="utf-8"))


@cache
def package_yaml(package: str, name: str) -> Any:
    """`<package>/data/<name>`, parsed once a process; a missing or broken file is a packaging error,
    raised as is. The result is shared: callers must not change it."""
    return read_yaml(data_dir(package) / name)


def content_hash(files: Iterable[tuple[str, Path]]) -> str:
    """The one content hash over data files: for each (name, path), in the order given, the name and
    the file's bytes. A renamed, added, removed or edited file changes it."""
    h = hashlib.sha256()
    for name, path in files:
        h.update(name.encode())
        h.update(Path(path).read_bytes())
    return h.hexdigest()


def match_only(path: Path) -> bool:
    """Is this data file read by matching alone (see the module doc)?"""
    return path.name in MATCH_ONLY


def parse_yaml_files(packages: tuple[str, ...] = ("reja.schema", "reja.normalize", "reja.extract")) -> list[Path]:
    """The YAML data files of `packages` that the readers and the parser may read (not match-only)."""
    return [f for pkg in packages for f in sorted(data_dir(pkg).glob("*.yaml")) if not match_only(f)]


def match_only_files() -> list[Path]:
    return [f for pkg in DATA_PACKAGES for f in sorted(data_dir(pkg).glob("*")) if match_only(f)]
