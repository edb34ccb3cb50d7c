"""Script detection and look-alike repair.

OCR with several language models, and people typing with the wrong keyboard layout, put Latin
letters into Cyrillic words ("инobatга") and the other way round. A word is repaired toward the
script of its unambiguous letters (letters that have no twin in the other script); a word made
only of look-alikes is decided by the line, then by the document (`context_script`).
"""

from __future__ import annotations

import re
from typing import Literal

Script = Literal["latin", "cyrillic", "mixed", "none"]

# Latin letter -> the Cyrillic letter it is mistaken for, and back.
LAT_TO_CYR_LOOKALIKE = dict(zip("aeopcxykmthABCEHKMOPTXY", "аеорсхукмтҳАВСЕНКМОРТХУ", strict=True))
CYR_TO_LAT_LOOKALIKE = {v: k for k, v in LAT_TO_CYR_LOOKALIKE.items()}

_WORD_RE = re.compile(r"[^\W\d_]+")


def _is_cyr(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def _is_lat(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z") or ("\u00c0" <= ch <= "\u024f" and ch.isalpha())


_CYR_RE = re.compile(r"[\u0400-\u04ff]")
_LAT_RE = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]")


def _counts(s: str) -> tuple[int, int]:
    return len(_CYR_RE.findall(s)), len(_LAT_RE.findall(s))


# Roman section/quarter numbers ("VI.", "II-chorak") are neutral, not Latin words.
_ROMAN_RE = re.compile(r"(?<![^\W\d_])(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})(?![^\W\d_])")


def detect_script(s: str | None) -> Script:
    """Script of a word or a cell: "latin", "cyrillic", "mixed" (both present) or "none".
    Roman numerals (I … XXXIX) do not count as Latin letters; apostrophes are not letters."""
    if not s:
        return "none"
    if "I" in s or "V" in s or "X" in s:
        s = _ROMAN_RE.sub("", s)
    cyr = _CYR_RE.search(s) is not None
    lat = _LAT_RE.search(s) is not None
    if cyr and lat:
        return "mixed"
    if cyr:
        return "cyrillic"
    if lat:
        return "latin"
    return "none"


def _unambiguous(word: str) -> tuple[int, int]:
    cyr = sum(1 for ch in word if _is_cyr(ch) and ch not in CYR_TO_LAT_LOOKALIKE)
    lat = sum(1 for ch in word if _is_lat(ch) and ch not in LAT_TO_CYR_LOOKALIKE)
    return cyr, lat


def dominant_script(s: str | None) -> Literal["latin", "cyrillic"] | None:
    """The script of most unambiguous letters in `s` (a line or a document), or None on a tie."""
    if not s:
        return None
    cyr, lat = _unambiguous(s)
    if cyr == lat:
        cyr, lat = _counts(s)  # only look-alikes: count them all
    if cyr > lat:
        return "cyrillic"
    if lat > cyr:
        return "latin"
    return None


def _to_cyrillic_run(run: str) -> str:
    if all(ch in LAT_TO_CYR_LOOKALIKE for ch in run):
        return "".join(LAT_TO_CYR_LOOKALIKE[ch] for ch in run)
    from .translit import to_cyrillic  # local: translit imports the data loader, keep this light

    out = to_cyrillic(run)
    return "".join(LAT_TO_CYR_LOOKALIKE.get(ch, ch) for ch in out)


def _to_latin_run(run: str) -> str:
    if all(ch in CYR_TO_LAT_LOOKALIKE for ch in run):
        return "".join(CYR_TO_LAT_LOOKALIKE[ch] for ch in run)
    from .translit import to_latin

    return to_latin(run)


_LAT_RUN_RE = re.compile(r"[A-Za-z\u00c0-\u024f]+")
_CYR_RUN_RE = re.compile(r"[\u0400-\u04ff]+")


def _repair_word(word: str, target: str) -> str:
    if target == "cyrillic":
        return _LAT_RUN_RE.sub(lambda m: _to_cyrillic_run(m.group(0)), word)
    return _CYR_RUN_RE.sub(lambda m: _to_latin_run(m.group(0)), word)


def repair_lookalikes(s: str, context_script: str | None = None) -> tuple[str, bool]:
    """Repair words that mix scripts; returns (text, changed).

    `s` is one line or cell; `context_script` ("latin"/"cyrillic") is the document's script,
    used when neither the word nor the line decides.
    """
    if not s or detect_script(s) != "mixed":
        return s, False
    line_script: str | None = None
    line_done = False
    changed = False

    def fix(m: re.Match[str]) -> str:
        nonlocal line_script, line_done, changed
        word = m.group(0)
        if detect_script(word) != "mixed":
            return word
        cyr, lat = _unambiguous(word)
        if cyr > lat:
            target = "cyrillic"
        elif lat > cyr:
            target = "latin"
        else:
            if not line_done:
                line_script, line_done = dominant_script(s), True
            target = line_script or context_script
            if target not in ("latin", "cyrillic"):
                return word  # undecidable: leave as written
        new = _repair_word(word, target)
        if new != word:
            changed = True
        return new

    out = _WORD_RE.sub(fix, s)
    return out, changed
