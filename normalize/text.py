"""Text clean-up for every text cell: invisible characters, odd spaces, stray markup, hyphenated
line breaks (see docs/conventions.md, "Items"): "28-\nyanvardagi" → "28-yanvardagi",
"Biblio-\ngrafik" → "Bibliografik", "axborot-\nkutubxona" → "axborot-kutubxona".

`clean_text` keeps the text as written otherwise: no case change, no apostrophe folding, no
transliteration (those belong to the normalised Latin form, `keys.match_key`/`to_latin`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from reja.schema.data_files import package_yaml

# Characters that carry no text: soft hyphen, zero-width space/joiners, word joiner, BOM.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e"), None)
# Unicode spaces that are not " " (NBSP, thin, narrow NBSP, figure, en/em spaces, ideographic...).
_SPACES = {ord(c): " " for c in "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
           "\u2009\u200a\u202f\u205f\u3000\t\r\v\f\x85\u2028\u2029"}

# Markup left by converters: HTML-ish tags. Block tags stand between words -> a space; inline
# tags (<i>, <b>) sit inside words sometimes -> nothing.
_BLOCK_TAG_RE = re.compile(r"</?(?:p|br|li|ul|ol|div|tr|td|th|table|h[1-6])\b[^<>]*>", re.I)
_INLINE_TAG_RE = re.compile(r"</?(?:i|b|u|em|strong|span|sup|sub|font|a)\b[^<>]*>", re.I)
# Markdown bold left by a converter ("**VI. Фонд …**"); a single * is a list mark and stays.
_MD_BOLD_RE = re.compile(r"\*\*")

_WORD_CHARS = r"[^\W\d_]"
# "word-\nword" (hyphen at a line end), possibly with spaces around the newline.
_HYPHEN_NL_RE = re.compile(rf"({_WORD_CHARS}+|\d)-[ ]*\n[ ]*(?=({_WORD_CHARS}+))")
# "word- word" on one line: the trace of a line break in the source ("Ахборот- кутубхона").
_HYPHEN_SPACE_RE = re.compile(r"(?<=(\w))- +(?=(\w))")
# "WORD -WORD" only for known compound halves: " -word" is otherwise a list mark ("; -босма").
_SPACE_HYPHEN_RE = re.compile(rf"({_WORD_CHARS}+) +-(?=({_WORD_CHARS}+))")
# "PQ-\n201": a hyphen at a line end before a digit joins a code or number range; hyphen kept.
_HYPHEN_NL_DIGIT_RE = re.compile(r"(?<=\w)-[ ]*\n[ ]*(?=\d)")
# " -\nМаънавий": a list mark that the line wrap left alone at a line end belongs to the next word.
# Undecidable from the text ("- ахборот" wraps the same way); the plans write list marks tight to
# the word more often ("-Абонемент -Умумий ўқув зали"), and the typed samples score better so.
_LIST_MARK_NL_RE = re.compile(r"(^|(?<=\s))-[ ]*\n[ ]*(?=\w)")
# "nomda/\nnusxa": a narrow cell wrapped after the slash of a compound unit; the slash joins its words.
_SLASH_NL_RE = re.compile(r"(?<=\w)/[ ]*\n[ ]*(?=\w)")
_WS_RE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _compound_halves() -> frozenset[str]:
    """Words that form hyphenated compounds (axborot-kutubxona); lower case, both scripts."""
    words = package_yaml("reja.normalize", "hyphen_compounds.yaml")["words"]
    return frozenset(w.lower() for w in words)


@lru_cache(maxsize=1)
def _month_words() -> frozenset[str]:
    """Month names with their case endings (data/months.yaml), both scripts and Russian: "Mart-\naprel" is
    a span of months broken at its dash, not one word."""
    from .translit import to_latin

    data = package_yaml("reja.normalize", "months.yaml")
    names = {to_latin(str(n)).lower() for forms in data["months"].values() for n in forms}
    return frozenset(n + suffix for n in names for suffix in data["suffixes"])


def is_month_word(word: str) -> bool:
    """A month name with one of its endings ("yanvargacha", "январгача", "dekabrda"), either script or Russian."""
    from .translit import to_latin

    return word.isalpha() and to_latin(word).lower() in _month_words()


def _stands_as_word(half: str) -> bool:
    h = half.lower()
    if h in _compound_halves() or is_month_word(h):
        return True
    # allow a few inflections of a known half: "kutubxonalar", "ахборотнинг"
    return any(h.startswith(w) and len(w) >= 4 for w in _compound_halves())


def _join_nl(m: re.Match[str]) -> str:
    left, right = m.group(1), m.group(2)
    if left[-1].isdigit() or left.isupper() or right[:1].isupper():
        return left + "-"  # "28-\nyanvardagi", "PDF-\nформат", "Ахборот-\nКутубхона"
    if _stands_as_word(left) and _stands_as_word(right):
        return left + "-"  # a real compound broken at its hyphen
    return left  # a word broken by hyphenation: "Biblio-\ngrafik" -> "Bibliografik"


def _join_space(m: re.Match[str]) -> str:
    # joined when the next word starts lower case or with a digit ("2024- yil", "I- чорак",
    # "ахборот- кутубхона"); "Direktor- Xizmat" is more likely a dash between names.
    left, right = m.group(1), m.group(2)
    if right.islower() or right.isdigit() or left.isdigit():
        return "-"
    return m.group(0)


def _join_space_hyphen(m: re.Match[str]) -> str:
    left, right = m.group(1), m.group(2)
    if _stands_as_word(left) and _stands_as_word(right):
        return left + "-"
    return m.group(0)


def clean_text(s: str | None) -> str:
    """Clean one cell or paragraph of text; idempotent. `None` gives ""."""
    if not s:
        return ""
    s = unicodedata.normalize("NFC", s)
    s = s.translate(_INVISIBLE).translate(_SPACES)
    s = _BLOCK_TAG_RE.sub(" ", s)
    s = _INLINE_TAG_RE.sub("", s)
    s = _MD_BOLD_RE.sub("", s)
    if "-" in s:
        s = _HYPHEN_NL_RE.sub(_join_nl, s)
        s = _HYPHEN_NL_DIGIT_RE.sub("-", s)
        s = _LIST_MARK_NL_RE.sub("-", s)
    if "/" in s:
        s = _SLASH_NL_RE.sub("/", s)
    return _WS_RE.sub(" ", s).strip()


def join_spaced_hyphens(s: str) -> str:
    """Join hyphens that a lost line break left next to a space: "ахборот- кутубхона",
    "2024- yil", "АХБОРОТ -КУТУБХОНА" → "ахборот-кутубхона", "2024-yil", "АХБОРОТ-КУТУБХОНА".

    Not part of `clean_text`: the item text keeps these as written (docs/conventions.md joins
    only hyphens at a line end); the normalised Latin form and match keys use it. Idempotent.
    """
    # joining can bring new pairs together ("a- b- c"); a few rounds reach the fixed point
    for _ in range(4):
        if "-" not in s:
            break
        joined = _SPACE_HYPHEN_RE.sub(_join_space_hyphen, _HYPHEN_SPACE_RE.sub(_join_space, s))
        if joined == s:
            break
        s = joined
    return s
