"""Scan reader settings, read from `data/scan.yaml` (data, not code)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from reja.schema.data_files import package_yaml

# The resolution the pixel sizes written in this package's code are tuned for (a speck of 30 px², a
# small crop of 200 px): at another working dpi they scale by dpi / REFERENCE_DPI. Not the working
# resolution, which is `dpi` in data/scan.yaml.
REFERENCE_DPI = 300


@dataclass(frozen=True)
class ScanSettings:
    dpi: int  # the working resolution: PDF pages are rendered and images scaled to it (data/scan.yaml)
    cell_psm: int = 6
    language_sample_cells: int = 12
    language_min_cells: int | None = None
    language_decided_ratio: float = 1.5
    warp_try_tilt: float = 2.5
    warp_try_gain: float = 1.1
    language_candidates: tuple[str, ...] = ("uzb", "uzb_cyrl")
    cell_retry_confidence: float = 55
    word_retry_confidence: float = 50
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


@lru_cache(maxsize=1)
def load_settings() -> ScanSettings:
    raw = package_yaml("reja.extract.scan", "scan.yaml") or {}
    known = {k: v for k, v in raw.items() if k in ScanSettings.__dataclass_fields__}
    for key in ("language_candidates", "case_by_height"):
        if key in known:
            known[key] = tuple(known[key])
    if "confusable_letters" in known:
        known["confusable_letters"] = tuple(tuple(p) for p in known["confusable_letters"])
    return ScanSettings(**known)
