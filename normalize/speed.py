"""Throughput of the text normaliser, for `make bench`: characters per second of normalize_text."""

from __future__ import annotations

import time
from collections.abc import Iterable

from .cell import normalize_text


def normalizer_speed(cells: Iterable[str], repeat: int = 3, with_key: bool = False) -> dict[str, float]:
    """Run normalize_text over `cells` `repeat` times (after one warm-up pass that loads the data
    files); return {"cells", "chars", "seconds" (best pass), "chars_per_s"}."""
    texts = [c for c in cells if c]
    chars = sum(len(c) for c in texts)
    for c in texts:  # warm-up: YAML data, regexes, the transliteration pack
        normalize_text(c)
    best = float("inf")
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        for c in texts:
            n = normalize_text(c)
            if with_key:
                _ = n.key
        best = min(best, time.perf_counter() - start)
    return {"cells": float(len(texts)), "chars": float(chars), "seconds": best,
            "chars_per_s": chars / best if best > 0 else float("inf")}
