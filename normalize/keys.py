"""Match keys: the one normalised form every comparison in reja uses.

match_key(s) = clean_text → spaced hyphens joined → Latin (transliteration, newer Latin letters folded) → apostrophes
folded → abbreviations expanded (data/abbreviations.yaml) → lower case → punctuation removed →
whitespace collapsed. The tutuq (ʼ) is dropped from keys because plans omit it as often as they
write it ("manaviy"/"maʼnaviy"); the ʻ of oʻ/gʻ stays, it is part of the letter.
"""

from __future__ import annotations

import re
from functools import lru_cache

from reja.schema.data_files import package_yaml
from reja.schema.sub_items import sub_item_labels

from .apostrophes import APOSTROPHE_VARIANTS, OKINA, TUTUQ, fold_apostrophes
from .text import clean_text, join_spaced_hyphens
from .translit import to_latin


@lru_cache(maxsize=1)
def _abbreviations() -> tuple[re.Pattern[str], dict[str, str]]:
    raw = package_yaml("reja.normalize", "abbreviations.yaml")["abbreviations"]
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


@lru_cache(maxsize=32768)  # the same cell text is keyed by the parser, the enrichment and the matcher
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


# ------------------------------------------------------------------ comparison keys (matching only)
@lru_cache(maxsize=1)
def _vocabulary() -> dict:
    return package_yaml("reja.normalize", "match_vocabulary.yaml")


def vocabulary() -> dict:
    """The comparison-key vocabulary (data/match_vocabulary.yaml), as read; callers must not change it."""
    return _vocabulary()


@lru_cache(maxsize=1)
def _suffix_rules() -> tuple[tuple[str, ...], int, int]:
    voc = _vocabulary()
    sufs = tuple(sorted({match_key(s) for s in voc["suffixes"]}, key=len, reverse=True))
    return sufs, int(voc.get("min_stem", 4)), int(voc.get("max_strips", 3))


@lru_cache(maxsize=1)
def _suffix_after() -> dict[str, tuple[str, ...]]:
    """Endings taken only after a stem ending in one of the given letters (the dative -ga is -ka after k,
    -qa after q: "kitobxonlikka", not "malaka"; the converb -b after -la: "tayyorlab", not "kitob")."""
    return {match_key(k): tuple(match_key(x) for x in ([v] if isinstance(v, str) else v))
            for k, v in (_vocabulary().get("suffix_after") or {}).items()}


@lru_cache(maxsize=1)
def _keep_words() -> frozenset[str]:
    return frozenset(match_key(w) for w in _vocabulary().get("keep_words") or [])


@lru_cache(maxsize=20000)
def stem_word(word: str) -> str:
    """A match-key word without its Uzbek endings: "kitobxonlarning" → "kitobxon", "berilishi" → "ber".

    Light suffix stripping (data/match_vocabulary.yaml): longest ending first, a few times, never
    below `min_stem` letters; digits and short words stay as they are.
    """
    suffixes, min_stem, max_strips = _suffix_rules()
    after = _suffix_after()
    if len(word) <= min_stem or not word.isalpha() or word in _keep_words():
        return word
    stripped = False
    for _ in range(max_strips):
        for suf in suffixes:
            if word.endswith(suf) and len(word) - len(suf) >= min_stem and (
                    suf not in after or word[: -len(suf)].endswith(after[suf])):
                word = word[: -len(suf)]
                stripped = True
                break
        else:
            break
    if stripped:  # a stem's last consonant as the bare word has it ("savodxonligi" → "savodxonlik")
        for end, bare in _stem_endings():
            if word.endswith(end):
                return word[: -len(end)] + bare
    return word


@lru_cache(maxsize=1)
def _stem_endings() -> tuple[tuple[str, str], ...]:
    return tuple((match_key(k), match_key(v)) for k, v in (_vocabulary().get("stem_endings") or {}).items())


@lru_cache(maxsize=1)
def _letter_folds() -> tuple[re.Pattern[str], dict[str, str]] | None:
    folds = {match_key(k): match_key(v) for k, v in (_vocabulary().get("letter_folds") or {}).items()}
    if not folds:
        return None
    return re.compile("|".join(re.escape(k) for k in sorted(folds, key=len, reverse=True))), folds


def fold_letters(word: str) -> str:
    """Spelling variants of one sound written as one (data/match_vocabulary.yaml `letter_folds`):
    "nostasionar" = "nostatsionar"."""
    rule = _letter_folds()
    return word if rule is None else rule[0].sub(lambda m: rule[1][m.group(0)], word)


def _stem_tokens(key: str) -> tuple[str, ...]:
    return tuple(stem_word(fold_letters(w)) for w in key.split())


@lru_cache(maxsize=1)
def _synonyms() -> tuple[dict[tuple[str, ...], tuple[str, ...]], int]:
    """Stemmed member phrase → stemmed canonical phrase (the class's first member)."""
    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    rule = _vocabulary().get("synonyms_without_okina") or {}
    bare = bool(rule.get("enabled"))
    kept = {match_key(w) for w in rule.get("except") or []}
    for cls in _vocabulary().get("synonym_classes") or []:
        canon = _stem_tokens(match_key(cls[0]))
        for member in cls:
            key = match_key(member)
            # "toldirish" for "to'ldirish": a member's oʻ/gʻ typed without the mark (`synonyms_without_okina`)
            for variant in dict.fromkeys((key, key.replace(OKINA, "") if bare and key not in kept else key)):
                toks = _stem_tokens(variant)
                if toks and toks != canon:
                    table.setdefault(toks, canon)
    longest = max((len(k) for k in table), default=1)
    # a canonical phrase holding a member of another class ("taqdim etish": etish is qilish) is written
    # as that class writes it, so "topshirish" (→ taqdim etish) meets "taqdim etish" itself (→ taqdim qilish)
    refold: dict[tuple[str, ...], tuple[str, ...]] = {}
    for canon in set(table.values()):
        others = {k: v for k, v in table.items() if v != canon}
        folded = _fold_tokens(canon, others, longest)
        if folded != canon:
            refold[canon] = folded
    table = {k: refold.get(v, v) for k, v in table.items()}
    # a canonical phrase that holds a member of its own class ("veb sayt": sayt is veb-sayt, "tahlil qilish":
    # tahlil is tahlil qilish) is read whole, not as its words ("veb veb sayt", "tahlil qil qil")
    for canon in {c for c in table.values() if len(c) > 1}:
        if canon not in table and any((w,) in table for w in canon):
            table[canon] = canon
    return table, max((len(k) for k in table), default=1)


def _fold_tokens(toks: tuple[str, ...], table: dict[tuple[str, ...], tuple[str, ...]], longest: int) -> tuple[str, ...]:
    """Stemmed tokens with every synonym phrase replaced by its class's canonical phrase (longest first)."""
    out: list[str] = []
    i = 0
    while i < len(toks):
        for n in range(min(longest, len(toks) - i), 0, -1):
            canon = table.get(tuple(toks[i: i + n]))
            if canon is not None:
                out.extend(canon)
                i += n
                break
        else:
            out.append(toks[i])
            i += 1
    return tuple(out)


@lru_cache(maxsize=1)
def _sub_item_prefixes() -> tuple[str, ...]:
    keys = {match_key(p) for p in sub_item_labels()}
    return tuple(sorted((k for k in keys if k), key=len, reverse=True))


def sub_item_prefixes() -> tuple[str, ...]:
    """The sub-item markers' match keys, longest first ("shu jumladan", "в том числе" …)."""
    return _sub_item_prefixes()


def strip_sub_item_prefix(key: str) -> str:
    """"shu jumladan kitoblar" → "kitoblar": the marker says "of which", not what is counted."""
    for p in _sub_item_prefixes():
        if key.startswith(p + " "):
            return key[len(p) + 1:]
    return key


@lru_cache(maxsize=50000)
def stem_key(key: str) -> str:
    """The comparison key of a match key: sub-item marker dropped, words stemmed, synonyms folded.

    "Kitobxonlarni qayd etish" and "Foydalanuvchilarni ro'yxatga olish" both give
    "foydalanuvchi roʻyxat olish"-like keys that differ only where the wording really differs.
    Only the catalogue matcher uses it; row keys keep `match_key`.
    """
    table, longest = _synonyms()
    return " ".join(_fold_tokens(tuple(_stem_tokens(strip_sub_item_prefix(key))), table, longest))
