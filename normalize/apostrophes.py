"""Apostrophe folding for Uzbek Latin.

Plans type the Uzbek apostrophes in every possible way (' ‘ ’ ` ´ ʻ ʼ). In normalised text there
are only two: U+02BB (ʻ, "turned comma") after o/g, where it forms the letters oʻ and gʻ, and
U+02BC (ʼ, "tutuq belgisi") everywhere else (maʼnaviy, sanʼat, Isʼhoq). gʻ can end a word (togʻ).

Only an apostrophe that follows a letter is folded: one after a space or at the start is a
quotation mark ('Kitob'), and so is one after a letter other than o/g that ends a word (the tutuq
never ends a word); both are left as written.
"""

from __future__ import annotations

import re

OKINA = "\u02bb"  # ʻ  used in oʻ, gʻ
TUTUQ = "\u02bc"  # ʼ  the separating apostrophe

# Every character seen standing for an Uzbek apostrophe (ASCII, typographic quotes, accents,
# modifier letters, primes).
APOSTROPHE_VARIANTS = "'\u2018\u2019`\u00b4\u02bb\u02bc\u02b9\u2032\u02c8"

_APOS_RE = re.compile(f"(?<=[^\\W\\d_])[{re.escape(APOSTROPHE_VARIANTS)}]")


def _fold(m: re.Match[str]) -> str:
    prev = m.string[m.start() - 1]
    if prev in APOSTROPHE_VARIANTS:
        return m.group(0)  # ʻ and ʼ count as letters for the regex; two marks in a row stay
    if prev in "oOgG":
        return OKINA
    nxt = m.string[m.end(): m.end() + 1]
    # the tutuq never ends a word (S7), so a mark after a letter and before a non-letter is a
    # closing quote: 'Kitob'
    return TUTUQ if nxt.isalpha() and nxt not in APOSTROPHE_VARIANTS else m.group(0)


def fold_apostrophes(s: str) -> str:
    """Return `s` with every apostrophe after a letter replaced by ʻ (after o/g) or ʼ.

    Idempotent: folding a folded string changes nothing.
    """
    if not s:
        return s
    return _APOS_RE.sub(_fold, s)
