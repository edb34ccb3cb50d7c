"""Match keys: the one normalised form every comparison in reja uses.

match_key(s) = clean_text → spaced hyphens joined → Latin (transliteration, newer Latin letters folded) → apostrophes
folded → abbreviations expanded (data/abbreviations.yaml) → lower case → punctuation removed →
whitespace collapsed. The tutuq (ʼ) is dropped from keys because plans omit it as often as they
write it ("manaviy"/"maʼnaviy"); the ʻ of oʻ/gʻ stays, it is part of the letter.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ._data import load_yaml
from .apostrophes import APOSTROPHE_VARIANTS, OKINA, TUTUQ, fold_apostrophes
from .text import clean_text, join_spaced_hyphens
from .translit import to_latin


@lru_cache(maxsize=1)
def _abbreviations() -> tuple[re.Pattern[str], dict[str, str]]:
    raw = load_yaml("abbreviations.yaml")["abbreviations"]
    table = {fold_apostrophes(to_latin(k)): v.lower() for k, v in raw.items()}
    alts = "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
    # the abbreviation in upper case, alone or followed by a lower-case suffix: AKMga, TAKMning
    pattern = re.compile(rf"(?<![^\W\d_])({alts})(?=[a-z{OKINA}{TUTUQ}]*(?![^\W\d_]))")
    return pattern, table


def expand_abbreviations(latin: str) -> str:
    """Expand the known abbreviations in a Latin text (case-sensitive: "AKM", not "akm")."""
    pattern, table = _abbreviations()
    return pattern.sub(lambda m: table[m.group(1)], latin)


_STRAY_APOS_RE = re.compile(f"(?<![og]){OKINA}|[{re.escape(APOSTROPHE_VARIANTS.replace(OKINA, ''))}]")
_PUNCT_RE = re.compile(rf"[^\w\s{OKINA}]|_")
_WS_RE = re.compile(r"\s+")


def match_key(s: str | None) -> str:
    """Normalised Latin, lower case, without punctuation; idempotent."""
    if not s:
        return ""
    t = fold_apostrophes(to_latin(join_spaced_hyphens(clean_text(s))))
    t = expand_abbreviations(t)
    t = t.lower()
    # keep ʻ only as part of oʻ/gʻ; every other apostrophe-like mark goes (idempotence: a stray
    # ʻ after another letter would turn into ʼ on a second pass)
    t = _STRAY_APOS_RE.sub("", t)
    t = _PUNCT_RE.sub(" ", t)
    return _WS_RE.sub(" ", t).strip()
