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

import importlib
from pathlib import Path

# every package whose data/ folder changes what a file turns into (a package missing here is a file
# that changes output while every input stays "skipped (unchanged)")
DATA_PACKAGES = ("reja.schema", "reja.normalize", "reja.extract", "reja.extract.scan")

# file names (unique across the data folders): read by matching only
MATCH_ONLY = frozenset({"sections.yaml", "indicators.yaml", "match_thresholds.yaml", "match_vocabulary.yaml"})


def data_dir(package: str) -> Path:
    return Path(importlib.import_module(package).__file__).parent / "data"


def match_only(path: Path) -> bool:
    """Is this data file read by matching alone (see the module doc)?"""
    return path.name in MATCH_ONLY


def parse_yaml_files(packages: tuple[str, ...] = ("reja.schema", "reja.normalize", "reja.extract")) -> list[Path]:
    """The YAML data files of `packages` that the readers and the parser may read (not match-only)."""
    return [f for pkg in packages for f in sorted(data_dir(pkg).glob("*.yaml")) if not match_only(f)]


def match_only_files() -> list[Path]:
    return [f for pkg in DATA_PACKAGES for f in sorted(data_dir(pkg).glob("*")) if match_only(f)]
