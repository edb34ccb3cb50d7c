"""Uzbek Cyrillic <-> Latin (official 1995 alphabet), as a `transliterate` language pack "uz".

Cyrillic -> Latin (`to_latin`) is rule-based and deterministic:
  х→x ҳ→h қ→q ў→oʻ ғ→gʻ (U+02BB) ш→sh ч→ch ж→j й→y щ→sh ы→i э→e;
  е→ye at word start, after a vowel and after ъ/ь, else e;  ё ю я → yo yu ya;
  ц→s at word start, word end and next to a consonant, ts between vowels (лицей→litsey);
  ъ→ʼ (U+02BC) in Uzbek words; dropped before е (Russian loans: объект→obyekt) and after ў/ғ
  (мўъжиза→moʻjiza); ь dropped, but ьо→yo (батальон→batalyon) and ь keeps е/ё/ю/я as ye/yo/yu/ya;
  сҳ→sʼh (Исҳоқ→Isʼhoq) so that it is not read as ш;  SH/CH/YO… upper case inside all-caps words.
  Words in the exception lexicon (data/translit_exceptions.yaml: сентябрь→sentabr, октябрь→oktabr,
  бюджет→budjet …) take the lexicon's stem. Latin letters pass through unchanged, so Latin and
  mixed text can be given as is; digits and punctuation are never touched.

Latin -> Cyrillic (`to_cyrillic`) is for display only; Latin hides some Cyrillic distinctions, and
these are resolved as follows (lexicon first, data/translit_exceptions.yaml `lat_to_cyr`):
  - sh is always ш; a separate с+ҳ is written sʼh in Latin, so sʼh → сҳ.
  - ts → ц only in loans: before i+vowel and in -tsey/-tsent/-tsert/-tsept/-tsikl (konstitutsiya,
    sotsiologik, litsey); s → ц only in -ksiya/-nsiya/-nsikl (aksiya, konferensiya, ensiklopediya);
    otherwise s → с except lexicon words (sex→цех, konsert→концерт, pensiya→пенсия): a ц that the
    1995 rules write as s is not recoverable in general.
  - ye → е at word start and after a vowel; e → э at word start and after a vowel (aeroport→аэропорт),
    else е; ye after a consonant → ье (pyesa→пьеса) unless the lexicon says ъе (obyekt→объект).
  - ʼ → ъ. A ь dropped in Latin is restored only for lexicon words (iyun→июнь, batalyon→батальон).
  - yo/yu/ya → ё/ю/я (ayol → аёл), but yoʻ → йў (yoʻnalish); йо/йу/йа after a vowel only from
    the lexicon (rayon → район).

The `transliterate` package only does one-to-one tables plus ordered replacements, so the pack
keeps its single-letter table in `mapping` and does the context rules in an overridden
`translit()`. It is registered after `autodiscover()` (registering earlier hides the built-in
packs), built once, and never reached through `detect_language` (which calls Uzbek Russian).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from reja.schema.data_files import package_yaml
from transliterate.base import TranslitLanguagePack, registry
from transliterate.discover import autodiscover

from .apostrophes import OKINA, TUTUQ, fold_apostrophes

# One-to-one letters (Latin, Cyrillic): equal length, the package silently truncates otherwise.
_LAT_1 = "abdfgijklmnopqrstuvxyzhABDFGIJKLMNOPQRSTUVXYZH"
_CYR_1 = "абдфгижклмнопқрстувхйзҳАБДФГИЖКЛМНОПҚРСТУВХЙЗҲ"
assert len(_LAT_1) == len(_CYR_1)

# Cyrillic letters whose Latin form is several characters (no context needed).
_CYR_MULTI = {
    "ш": "sh", "ч": "ch", "ў": "o" + OKINA, "ғ": "g" + OKINA, "щ": "sh", "ы": "i", "э": "e",
    "ё": "yo", "ю": "yu", "я": "ya", "е": "e", "ц": "s", "ъ": TUTUQ, "ь": "",
    # Russian letters occasionally seen in plans
    "г": "g", "і": "i",
}

_CYR_VOWELS = set("аеёиоуэюяўыaeiou")  # Latin vowels too: mixed OCR words ("инobatга")
_CYR_LETTERS_RE = re.compile(r"[\u0400-\u04ff]")
_WORD_RE = re.compile(r"[^\W\d_]+")


def _is_cyr(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def _is_cyr_letter(ch: str) -> bool:
    return bool(ch) and _is_cyr(ch) and ch.isalpha()


# Uzbek suffixes that may follow a stem-final ц (абзацлар, шприцлар, кварцни): ц stays "s" there
_CYR_SUFFIXES = ("лар", "ни", "нинг", "га", "да", "дан", "ли", "сиз", "чи", "ча", "ми", "дек", "гача")


class UzbekLanguagePack(TranslitLanguagePack):
    """`transliterate` pack: forward (reversed=False) is Latin→Cyrillic, reversed is Cyrillic→Latin,
    following the package's convention that packs map Latin to the other script."""

    language_code = "uz"
    language_name = "Uzbek"
    character_ranges = ((0x0400, 0x04FF),)
    mapping = (_LAT_1, _CYR_1)
    detectable = False

    def __init__(self) -> None:
        super().__init__()
        lex = package_yaml("reja.normalize", "translit_exceptions.yaml")
        c2l = lex.get("cyr_to_lat") or {}
        l2c = lex.get("lat_to_cyr") or {}
        self._c2l_words = {k.lower(): v for k, v in (c2l.get("words") or {}).items()}
        self._c2l_stems = sorted(((k.lower(), v) for k, v in (c2l.get("stems") or {}).items()),
                                 key=lambda kv: -len(kv[0]))
        self._l2c_words = {fold_apostrophes(k).lower(): v for k, v in (l2c.get("words") or {}).items()}
        self._l2c_stems = sorted(((fold_apostrophes(k).lower(), v)
                                  for k, v in (l2c.get("stems") or {}).items()),
                                 key=lambda kv: -len(kv[0]))

    # -- the package entry point ------------------------------------------------------------
    def translit(self, value, reversed=False, strict=False, fail_silently=True):  # noqa: A002
        if reversed:
            return _WORD_RE.sub(self._word_to_latin, value)
        return _WORD_RE.sub(self._word_to_cyrillic, fold_apostrophes(value))

    # -- Cyrillic -> Latin ------------------------------------------------------------------
    def _word_to_latin(self, m: re.Match[str]) -> str:
        word = m.group(0)
        if not _CYR_LETTERS_RE.search(word):
            return word
        low = word.lower()
        if low in self._c2l_words:
            return _recase(word, [self._c2l_words[low]], whole=True)
        for stem, lat in self._c2l_stems:
            if low.startswith(stem):
                rest = self._chunks_to_latin(word, len(stem))
                return _recase(word[: len(stem)], [lat], whole=True) + _apply_case(word, rest, len(stem))
        return _apply_case(word, self._chunks_to_latin(word, 0), 0)

    def _chunks_to_latin(self, word: str, start: int) -> list[str]:
        """Lower-case Latin chunk for each character of word[start:] (context rules first)."""
        w = word.lower()
        n = len(w)
        out: list[str] = []
        for i in range(start, n):
            c = w[i]
            prev = w[i - 1] if i > 0 else ""
            nxt = w[i + 1] if i + 1 < n else ""
            if not _is_cyr(c):
                out.append(word[i])  # Latin letter in a Cyrillic word: keep as typed
                continue
            if c == "е":
                out.append("ye" if (i == 0 or prev in _CYR_VOWELS or prev in "ъь") else "e")
            elif c == "ц":
                out.append("ts" if (i > 0 and prev in _CYR_VOWELS and self._ts_after_vowel(w, i)) else "s")
            elif c == "ъ":
                # Russian loans: объект, съезд → obyekt, syezd, and after a consonant before ю/ё
                # (адъютант, фотосъёмка → adyutant, fotosyomka; Arabic маъюс keeps it: maʼyus);
                # after ў/ғ the oʻ/gʻ already has an apostrophe (мўъжиза → moʻjiza); at the end of
                # a word the rules drop it (жомеъ, толеъ, мажмуъ → jome, tole, majmu)
                loan_yu = nxt in "юё" and prev not in _CYR_VOWELS
                out.append("" if (nxt == "е" or prev in "ўғ" or i == 0 or not _is_cyr_letter(nxt) or loan_yu)
                           else TUTUQ)
            elif c == "ь":
                out.append("y" if nxt and nxt in "оиу" else "")  # батальон, Ильин → batalyon, Ilyin
            elif c == "и" and i == n - 1 and i > 1 and prev in "аоу" and self._izofa(w):
                out.append("yi")  # Persian izofa after a vowel: нуқтаи назар → nuqtayi nazar
            elif c == "с" and nxt == "ҳ":
                out.append("s" + TUTUQ)  # Исҳоқ → Isʼhoq (not "Ishoq" = Ишоқ)
            elif c in _CYR_MULTI:
                out.append(_CYR_MULTI[c])
            else:
                code = self.reversed_translation_table.get(ord(c))
                out.append(chr(code) if code is not None else c)
        return out

    def _ts_after_vowel(self, w: str, i: int) -> bool:
        """ц after a vowel: "ts" between vowels (лицей) and before a consonant inside the stem
        (боцман, плацкарта, Донецк); "s" at the end and before a suffix (абзац, абзацлар)."""
        rest = w[i + 1:]
        if not rest:
            return False
        if rest[0] in _CYR_VOWELS:
            return True
        return not any(rest.startswith(suf) for suf in _CYR_SUFFIXES)

    @staticmethod
    def _izofa(w: str) -> bool:
        # a word of its own ending in а/о/у + и is rare; the izofa joins Persian pairs (нуқтаи
        # назар, таржимаи ҳол); Navoiy-type -ий endings are not affected (и is not last)
        return len(w) >= 4

    # -- Latin -> Cyrillic ------------------------------------------------------------------
    def _word_to_cyrillic(self, m: re.Match[str]) -> str:
        word = m.group(0)
        if _CYR_LETTERS_RE.search(word) and not re.search(r"[a-zA-Z]", word):
            return word
        low = word.lower()
        if low in self._l2c_words:
            return _recase(word, [self._l2c_words[low]], whole=True)
        for stem, cyr in self._l2c_stems:
            if low.startswith(stem):
                head = _recase(word[: len(stem)], [cyr], whole=True)
                return head + self._latin_rest_to_cyrillic(word[len(stem):], prev_vowel=stem[-1] in "aeiou")
        return self._latin_rest_to_cyrillic(word, prev_vowel=None)

    def _latin_rest_to_cyrillic(self, word: str, prev_vowel: bool | None) -> str:
        low_word = word.lower()
        all_caps = sum(c.isalpha() for c in word) > 1 and word.upper() == word
        out: list[str] = []
        i, n = 0, len(word)
        at_start = prev_vowel is None
        last_vowel = bool(prev_vowel)
        while i < n:
            low = low_word[i:]
            chunk, size = None, 1
            for lat, cyr in _LAT_MULTI:
                if low.startswith(lat) and (lat != "ts" or _TS_LOAN_RE.match(low)):
                    chunk, size = cyr, len(lat)
                    break
            if chunk is None and low[0] == "s" and _S_LOAN_RE.match(low_word, i):
                chunk = "ц"
            if chunk is None:
                lc = low[0]
                if lc == "y" and low.startswith("ye"):
                    # ye: е at word start / after a vowel / after ʼ (podʼyezd → подъезд); after a
                    # consonant ье (пьеса)
                    after_tutuq = bool(out) and out[-1] in ("ъ", "Ъ")
                    chunk, size = ("е" if (at_start or last_vowel or after_tutuq) else "ье"), 2
                elif lc == "e":
                    chunk = "э" if (at_start or last_vowel) else "е"
                else:
                    code = self.translation_table.get(ord(lc))
                    chunk = chr(code) if code is not None else word[i]
            src = word[i: i + size]
            if src[:1].isupper():
                if all_caps or (size > 1 and src.isupper()):
                    chunk = chunk.upper()
                else:
                    chunk = chunk[:1].upper() + chunk[1:]
            out.append(chunk)
            last_vowel = low[:size][-1:] in "aeiou" or low[:size] == "o" + OKINA
            at_start = False
            i += size
        return "".join(out)


# Latin digraphs, longest first; yoʻ before yo so yoʻnalish → йўналиш.
_LAT_MULTI = [
    ("s" + TUTUQ + "h", "сҳ"), ("yo" + OKINA, "йў"), ("o" + OKINA, "ў"), ("g" + OKINA, "ғ"),
    ("sh", "ш"), ("ch", "ч"), ("yo", "ё"), ("yu", "ю"), ("ya", "я"), ("ts", "ц"), (TUTUQ, "ъ"),
]
# ts is ц in loans: before i + vowel (konstitutsiya, sotsiologik, sotsial) and in a few stems
_TS_LOAN_RE = re.compile(r"ts(?:i[aeiouy]|ey|ent|ert|ept|ikl|it)")
# s is ц in the loan endings -ksiya/-nsiya (aksiya, konferensiya) and -nsikl (ensiklopediya);
# pensiya, versiya … are written with с and listed in the lexicon when they differ
_S_LOAN_RE = re.compile(r"(?<=[kn])s(?=iya|ion|ikl)")


def _apply_case(word: str, chunks: list[str], start: int) -> str:
    """Give each chunk the case of its source character; a digraph is all upper only when the
    word around it is upper case (ШАҲАР → SHAHAR, Шаҳар → Shahar)."""
    res = []
    n = len(word)
    for k, chunk in enumerate(chunks):
        i = start + k
        ch = word[i]
        if not chunk or not ch.isupper():
            res.append(chunk)
            continue
        if len(chunk) == 1:
            res.append(chunk.upper())
            continue
        nxt = next((word[j] for j in range(i + 1, n) if word[j].isalpha()), "")
        prv = next((word[j] for j in range(i - 1, -1, -1) if word[j].isalpha()), "")
        caps_context = nxt.isupper() if nxt else prv.isupper()
        # an all-caps abbreviation keeps its case before a lower-case suffix: АҚШда → AQSHda
        head = [c for c in word[start:i] if c.isalpha()] if start == 0 else [c for c in word[:i] if c.isalpha()]
        if head and all(c.isupper() for c in head):
            caps_context = True
        res.append(chunk.upper() if caps_context else chunk[0].upper() + chunk[1:])
    return "".join(res)


def _recase(src: str, parts: list[str], whole: bool) -> str:
    text = "".join(parts)
    letters = [c for c in src if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return text.upper()
    if letters and letters[0].isupper():
        return text[:1].upper() + text[1:]
    return text


def _register() -> None:
    """Register 'uz' after the built-in packs are discovered (earlier would hide them), so that
    `transliterate.translit(text, "uz", reversed=True)` works once this module is imported."""
    autodiscover()
    registry.register(UzbekLanguagePack)


_register()


@lru_cache(maxsize=1)
def _pack() -> UzbekLanguagePack:
    """The one pack instance every call uses (the package would build one per call)."""
    cls = registry.get("uz")
    if not (isinstance(cls, type) and issubclass(cls, UzbekLanguagePack)):
        raise RuntimeError("another 'uz' language pack is registered in transliterate")
    return cls()


def to_latin(s: str | None) -> str:
    """Uzbek text in any script → 1995 Latin; Latin parts only get their apostrophes folded."""
    if not s:
        return ""
    s = unicodedata.normalize("NFC", s)
    if _CYR_LETTERS_RE.search(s):
        s = _pack().translit(s, reversed=True)
    return fold_apostrophes(fold_new_latin(s))


# Tokens that are not Uzbek words and stay as written: URLs, e-mail addresses, domain names, and
# words with letters the Uzbek Latin alphabet does not use (w, c outside "ch": Facebook, Twitter).
_KEEP_LATIN_RE = re.compile(r"\b(?i:https?://|www\.)\S+|\S+@\S+\.\w+"
                            r"|\b[\w-]+(?:\.[\w-]+)*\.(?:uz|com|org|net|ru|info|edu|gov|io)\b"
                            r"|\b\w*(?i:w|c(?!h))\w*\b")


def to_cyrillic(s: str | None) -> str:
    """1995 Latin → Uzbek Cyrillic, for display; see the module docstring for the ambiguities.
    URLs, e-mail addresses, domain names and foreign words (with w, or c outside "ch") are kept."""
    if not s:
        return ""
    s = fold_new_latin(unicodedata.normalize("NFC", s))
    out, pos = [], 0
    for m in _KEEP_LATIN_RE.finditer(s):
        out.append(_pack().translit(s[pos:m.start()], reversed=False))
        out.append(m.group(0))
        pos = m.end()
    out.append(_pack().translit(s[pos:], reversed=False))
    return "".join(out)


# Proposed newer Latin letters → 1995 Latin.
_NEW_LATIN = {
    "ş": "sh", "ç": "ch", "ö": "o" + OKINA, "õ": "o" + OKINA, "ō": "o" + OKINA, "ŏ": "o" + OKINA,
    "ğ": "g" + OKINA, "ḡ": "g" + OKINA, "ñ": "ng",
    "ș": "sh",  # ș (U+0219, comma below) typed for ş (cedilla) by Romanian keyboard layouts
}
_NEW_LATIN_RE = re.compile("[" + "".join(_NEW_LATIN) + "".join(_NEW_LATIN).upper() + "]")


def uses_new_latin(s: str | None) -> bool:
    """Text written with the newer Latin letters (ş ç ö ğ …), e.g. a plan in the 2026 alphabet."""
    return bool(s and _NEW_LATIN_RE.search(s))


def fold_new_latin(s: str) -> str:
    """ş ç ö õ ō ŏ ğ ḡ ñ (the 2026 Latin alphabet and other proposals) → sh ch oʻ oʻ oʻ oʻ gʻ gʻ ng;
    the look-alike ș/Ș (U+0219/U+0218) folds like ş/Ş."""
    if not s or not _NEW_LATIN_RE.search(s):
        return s

    def sub(m: re.Match[str]) -> str:
        ch = m.group(0)
        lat = _NEW_LATIN[ch.lower()]
        if not ch.isupper():
            return lat
        i = m.start()
        nxt = m.string[i + 1: i + 2]
        prv = m.string[i - 1: i] if i > 0 else ""
        caps = nxt.isupper() if nxt.isalpha() else prv.isupper()
        return lat.upper() if caps else lat[0].upper() + lat[1:]

    return _NEW_LATIN_RE.sub(sub, s)
