"""The parser's and readers' settings as one validated object, built from the data files (issue 16).

Like pdfplumber's `TableSettings`: every threshold that changes what a file turns into is a field
here, read from a data file, checked once (a wrong type, an out-of-range value or an unknown key is
a `SettingsError` naming the file and the key), and handed down by the pipeline (`parse_file` →
`parse_plan` → the header and item builders; the scan reader takes `scan`) instead of each module
reading its own constant. The files are part of the parse key (`reja.keys`), so a changed setting
reads every file again.

- `header`: the column-role scores of a header cell (extract/data/plan_words.yaml `header_scores`).
- `low_ocr_confidence`: an item whose lowest OCR cell confidence is below it is flagged, by the parser
  and the scan reader's flags alike (plan_words.yaml).
- `scan`: the scan reader's settings (extract/scan/data/scan.yaml), among them the working `dpi`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from reja.schema.data_files import package_yaml

# The resolution the pixel sizes written in this package's code are tuned for (a speck of 30 px², a
# small crop of 200 px): at another working dpi they scale by dpi / REFERENCE_DPI. Not the working
# resolution, which is `dpi` in extract/scan/data/scan.yaml.
REFERENCE_DPI = 300


@dataclass(frozen=True)
class ScanSettings:
    dpi: int  # the working resolution: PDF pages are rendered and images scaled to it (extract/scan/data/scan.yaml)
    native_min_dpi: int | None = None  # an image at this resolution or more is read at its own, not scaled to `dpi`
    cell_psm: int = 6
    language_sample_cells: int = 12
    language_min_cells: int | None = None
    language_decided_ratio: float = 1.5
    language_sure_score: float | None = None
    warp_try_tilt: float = 2.5
    warp_try_gain: float = 1.0
    warp_try_sliver: float = 0.1
    language_candidates: tuple[str, ...] = ("uzb", "uzb_cyrl")
    cell_retry_confidence: float = 55
    word_retry_confidence: float = 50
    odd_capitals_retry_confidence: float = 100
    retry_margin: float = 10
    retry_min_confidence: float = 80
    paragraph_min_confidence: float = 50
    paragraph_min_word_confidence: float = 60
    orientation: bool | str = True  # True: when the page looks sideways; "always"; False
    symbol_fallback: dict = field(default_factory=dict)
    output_map: dict = field(default_factory=dict)
    model_lacks: dict = field(default_factory=dict)
    quote_style: dict = field(default_factory=dict)
    case_by_height: tuple[str, ...] = ()
    confusable_letters: tuple = ()
    number_recheck_confidence: float = 88
    number_cells: dict = field(default_factory=dict)

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:16]


class SettingsError(ValueError):
    """A settings file holds an unknown key or a value of the wrong kind."""


def scan_settings_from(raw: dict | None) -> ScanSettings:
    """Checked settings from scan.yaml's mapping: an unknown key (a typo would silently keep the
    default) or a dpi out of 72..1200 is a SettingsError."""
    raw = dict(raw or {})
    raw.pop("version", None)
    unknown = sorted(set(raw) - set(ScanSettings.__dataclass_fields__))
    if unknown:
        raise SettingsError(f"scan.yaml: unknown settings {unknown}")
    dpi = raw.get("dpi")
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not 72 <= dpi <= 1200:
        raise SettingsError(f"scan.yaml dpi: expected a whole number from 72 to 1200, got {dpi!r}")
    known = raw
    for key in ("language_candidates", "case_by_height"):
        if key in known:
            known[key] = tuple(known[key])
    if "confusable_letters" in known:
        known["confusable_letters"] = tuple(tuple(p) for p in known["confusable_letters"])
    return ScanSettings(**known)


@lru_cache(maxsize=1)
def load_settings() -> ScanSettings:
    return scan_settings_from(package_yaml("reja.extract.scan", "scan.yaml"))



@dataclass(frozen=True)
class HeaderScores:
    """rapidfuzz scores (0..100) of a header cell against a column role's labels."""

    match: float  # a header cell names a role (a header row needs two such cells)
    subheader: float  # a cell of the row under a header row names a role
    guess: float  # a header no role claims gets its nearest role from here on (flagged column_review)


@dataclass(frozen=True)
class ParseSettings:
    header: HeaderScores
    low_ocr_confidence: float
    scan: ScanSettings

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, default=str).encode()).hexdigest()[:16]


def _score(raw: Any, where: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 <= raw <= 100:
        raise SettingsError(f"{where}: expected a number from 0 to 100, got {raw!r}")
    return float(raw)


def header_scores_from(raw: Any, where: str = "plan_words.yaml header_scores") -> HeaderScores:
    if not isinstance(raw, dict) or set(raw) != {"match", "subheader", "guess"}:
        raise SettingsError(f"{where}: expected exactly match, subheader and guess, got {raw!r}")
    scores = HeaderScores(**{k: _score(v, f"{where}.{k}") for k, v in raw.items()})
    if not scores.guess <= scores.subheader <= scores.match:
        raise SettingsError(f"{where}: expected guess <= subheader <= match, got {raw!r}")
    return scores


def settings_from(plan_words: dict, scan: dict) -> ParseSettings:
    """Validated settings from the parsed data files (tests build them from edited copies)."""
    return ParseSettings(
        header=header_scores_from(plan_words.get("header_scores")),
        low_ocr_confidence=_score(plan_words.get("low_ocr_confidence"), "plan_words.yaml low_ocr_confidence"),
        scan=scan_settings_from(scan),
    )


# the data files the settings are built from: (package, file name)
SETTINGS_FILES = (("reja.extract", "plan_words.yaml"), ("reja.extract.scan", "scan.yaml"))


@lru_cache(maxsize=1)
def load_parse_settings() -> ParseSettings:
    """The settings of this installation's data files, read and checked once a process."""
    return settings_from(*(package_yaml(package, name) for package, name in SETTINGS_FILES))
