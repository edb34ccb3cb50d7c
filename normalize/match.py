"""Fuzzy matching of headings, activities and units to the catalogue, with explainable scores.

Every text is compared in one key space: look-alike letters repaired (`repair_lookalikes`), then
`match_key` (Cyrillic and Latin meet, apostrophes folded, abbreviations expanded), a word one typo
from the matcher's vocabulary read as that word (`spell_key`), then stemmed with synonyms folded. A
catalogue entry is compared through each of its labels (names, synonyms, Russian labels; also a
label's name before a closing parenthesis, `_head_labels`, and each activity a label joins with
va/hamda, `_clause_labels`) with two rapidfuzz scorers averaged:

- `token_set_ratio`: word-order free, and a label fully contained in a longer text scores 100
  (plans append mechanisms and sub-lists to the activity);
- `WRatio`: whole-string similarity that is robust to dropped letters and OCR damage, and scales
  down partial matches of very different lengths, so a short label hidden in an unrelated long
  text does not reach 100 on token_set alone.

Evidence on top of text similarity, each stated in `reason`:
- the section constrains which indicators are candidates; an indicator outside the section can
  still be proposed, but only for review;
- the row's unit: one of the indicator's units (+), same kind of unit (0), a different kind (-);
- the parent item: a sub-item (9.1 under 9) favours the breakdowns of the parent's indicator (+),
  and of any indicator the parent itself breaks down ("журнал" under 1.2 purchase: purchase and
  journals both break down the acquisition total); a breakdown named by a generic word
  (`parent_required` in the thresholds file: "журнал", "yangi") without that support is pushed
  down and never auto-accepted, unless the text is one of its labels whole, of two words or more,
  counting people in its section ("Qayta ro'yxatdan o'tganlar | nafar": `parent_required_whole`);
- the runner-up: if a different entry scores within `margin` of the best, the match goes to review;
- a name that joins two activities ("…nashrlarini muqovalash va kitoblarni ta'mirlash": verbal nouns
  joined by va/hamda): a text naming one of them whole misses none of the label's words (`_clauses`);
- a label's general word ("resurslar") is said by a text that names a kind of it ("kitoblar"), not the other
  way round (`kinds_of`);
- a text that says it is a total ("…to'ldirish jami"): entries with a label that says so too gain
  `total_word.bonus` over those whose labels never do (`_total_word_support`);
- a short name, a noun or two and a generic verb ("Фойдаланувчиларга ресурслар бериш сони"), that no entry
  scores up to review (with `short_text.below_auto`, up to auto): an entry whose labels use every word, the verb
  too, gains `short_text.bonus` and is proposed for review, never accepted (`_short_text_support`);
- an activity done to what another activity produced: when the text's activity is the best label's
  participle ("Kitoblarni hisobdan chiqarish" / "Hisobdan chiqarilgan kitoblarni … belgilash") and the label
  has a verbal noun of its own the text lacks, never auto (`_activity_done_to_it`, `participle_modifier`);
- the mirror: a runner-up whose label counts what the text's activity produced ("O'tkazilgan ko'rgazmalar"
  under "Yangi adabiyotlar ko'rgazmasini tashkil qilish", which the best label says as an activity too) is no
  near tie (`_runner_up_counts_results`, `participle_modifier.results_counted`);
- the label's verb replaced: when the best label's verbs are generic ones the text does not say, and the text
  says another verb with a distinctive word the label lacks ("Kitobxonlarni kitobga jalb qilish" /
  "Foydalanuvchilarga kitob berilishi"), never auto (`_verb_replaced`, `label_verb_replaced`);
- the label's activity as the object or goal of another: the best label's activity word with an accusative or
  dative ending and another verbal noun after it that no label of the entry has ("Kitoblarni tasniflashni
  o'rganish", "Fondni xatlovga tayyorlash"), never auto (`_activity_as_object`, `activity_as_object`);
- a second entry named: when another indicator's vocabulary covers the text's head words about as
  well as the best one's, each with a word the other lacks ("malaka oshirish bo'yicha
  seminar-treninglar"), the text names both and goes to review (`names_both` in the thresholds).

Bands come from `schema/data/match_thresholds.yaml` (chosen by measurement, see the comment
there): `auto` = accepted, `review` = flagged for the clerk, `none` = unmatched (flagged too).
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein
from reja.normalize.apostrophes import OKINA
from reja.normalize.keys import fold_letters, match_key, stem_key, stem_word, sub_item_prefixes, vocabulary
from reja.normalize.script import repair_lookalikes
from reja.schema.catalogue import Catalogue, Entry, Indicator, Unit, load_catalogue
from reja.schema.flags import FLAG_CODES
from reja.schema.sub_items import labels_ending_a_head

UNIT_FITS_BONUS = 2.0  # the row's unit is one the indicator is counted in
UNIT_CLASH_PENALTY = 6.0  # the row counts another kind of thing (people vs copies)
OUTSIDE_SECTION_PENALTY = 10.0  # indicator not allowed in the given section
PARENT_BONUS = 3.0  # a breakdown of the indicator the parent item matched
NO_PARENT_PENALTY = 10.0  # a generic-word breakdown ("журнал") with no parent item supporting it


@dataclass
class Match:
    id: str | None
    score: float  # 0-100
    band: str  # "auto" | "review" | "none"
    candidates: list[tuple[str, float]] = field(default_factory=list)  # top 3 (id, score)
    reason: str = ""

    @property
    def accepted(self) -> bool:
        return self.band == "auto"

    def flag(self, kind: str) -> str | None:
        """The row flag for this match ("indicator_review: …"), None when accepted.

        Codes are those of schema/flags.py FLAG_CODES (`<kind>_review`, `<kind>_unmatched`); a kind
        without a review code (unit) reports a doubtful match under its unmatched code.
        """
        if self.band == "auto":
            return None
        top = ", ".join(f"{i} {s:.0f}" for i, s in self.candidates) or "no candidates"
        if self.band == "review" and f"{kind}_review" in FLAG_CODES:
            return f"{kind}_review: {self.id} {self.score:.0f} ({top})"
        detail = f"doubtful {self.id} {self.score:.0f}" if self.band == "review" else f"best {top}"
        return f"{kind}_unmatched: {detail}"


@dataclass(frozen=True)
class _Label:
    entry_id: str
    text: str
    key: str
    compact: str  # key without spaces: "maro taba" == "marotaba"
    # a label that joins two activities ("Vaqtli matbuot nashrlarini muqovalash va kitoblarni
    # ta'mirlash"): the comparison key of each (see `_clauses`); () for a label naming one
    parts: tuple[str, ...] = ()


# Leading section/item numbers: "II.", "IV ", "Х." (Cyrillic Ха), "9.4.", "1)", "26.1".
_NUMBER_RE = re.compile(r"^\s*(?:[IVXLІХ]{1,6}|\d{1,3}(?:\.\d{1,3})*)\s*[.)]?\s+(?=\S)")
_WRAP_RE = re.compile(r"^\((.*)\)$")
# "Шундан: китоблар сони", "Bundan kitob": the breakdown marker says "of which", not what is counted
_BREAKDOWN_RE = re.compile(r"^(?:" + "|".join(map(re.escape, sub_item_prefixes())) + r")\s+(?=\S)")


# ------------------------------------------------------------------ match cache
# A match depends only on the text, its context (section, unit, parent) and the catalogue version:
# the same wording in the next plan (or row) is answered from the cache. In memory per process,
# bounded; `set_shared_cache` adds a second level that other processes share (reja keeps one in
# the store), consulted on a miss and filled on every new match.
CACHE_SIZE = 50_000
_CACHE: OrderedDict[tuple, Match] = OrderedDict()
_SHARED = None  # object with get(catalogue_version, key) -> Match | None and put(catalogue_version, key, Match)


def set_shared_cache(cache) -> None:
    """Install (or with None remove) a cache shared between processes (see reja.match_cache)."""
    global _SHARED
    _SHARED = cache


def clear_cache() -> None:
    """Forget every cached match of this process (measurements of the cold matcher use it)."""
    _CACHE.clear()
    _bag_scores.cache_clear()
    _short_text_words.cache_clear()
    _verb_forms.cache_clear()
    _object_and_activity.cache_clear()


def _cache_get(key: tuple) -> Match | None:
    key = (load_catalogue().catalogue_version, *key)
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return replace(hit, candidates=list(hit.candidates))  # callers may change their copy
    if _SHARED is not None:
        hit = _SHARED.get(key[0], key[1:])
        if hit is not None:
            _remember(key, hit)
        return hit
    return None


def _remember(key: tuple, m: Match) -> None:
    _CACHE[key] = m
    if len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)


def _cache_put(key: tuple, m: Match) -> Match:
    _remember((load_catalogue().catalogue_version, *key), m)
    if _SHARED is not None:
        _SHARED.put(load_catalogue().catalogue_version, key, m)
    return m


@lru_cache(maxsize=50_000)
def prepare(text: str | None, stem: bool = True) -> str:
    """The comparison key of a heading/activity/unit cell: numbering dropped, look-alikes repaired,
    then (`stem`) Uzbek endings stripped and synonyms folded (`keys.stem_key`); column headers
    are compared unstemmed (their labels are short fixed phrases)."""
    if not text:
        return ""
    t = text.strip()
    t = _NUMBER_RE.sub("", t, count=1)
    m = _WRAP_RE.match(t)
    if m:
        t = m.group(1)
    t, _ = repair_lookalikes(t)
    key = _BREAKDOWN_RE.sub("", _OCR_DIGIT_RE.sub(lambda m: m.group(0).translate(_OCR_DIGITS), match_key(t)),
                            count=1)
    return stem_key(spell_key(key)) if stem else key


# ------------------------------------------------------------------ one typo from the vocabulary
# "seinarlar", "qayta hisobddan", "Китобхонар": a word the catalogue's labels and the synonym classes
# do not use, one letter away from one they do, is that word, so a synonym phrase or a label's word
# is not broken by one slip of the keyboard (`typo_words` in the thresholds file).
@dataclass(frozen=True, eq=False)
class _Spelling:
    words: frozenset[str]  # every word of the vocabulary, as match_key writes it
    word_list: tuple[str, ...]
    stems: dict[str, str]  # stem -> a vocabulary word with that stem
    stem_list: tuple[str, ...]
    min_length: int
    min_stem: int


@lru_cache(maxsize=4)
def _spelling(catalogue_version: str) -> _Spelling | None:
    cat = load_catalogue()
    rule = cat.thresholds.get("typo_words") or {}
    if not rule:
        return None
    texts = [label for kind in ("sections", "indicators", "units")
             for e in getattr(cat, kind).values() for label in e.labels()]
    texts += [m for cls in vocabulary().get("synonym_classes") or [] for m in cls]
    texts += list(cat.thresholds.get("generic_words") or [])
    words = sorted({w for t in texts for w in match_key(t).split() if w.isalpha()})
    stems: dict[str, str] = {}
    for w in words:
        stems.setdefault(stem_word(fold_letters(w)), w)
    return _Spelling(frozenset(words), tuple(words), stems, tuple(stems), int(rule["min_length"]),
                     int(rule["min_stem"]))


def _one_typo(word: str, vocab: tuple[str, ...]) -> list[str]:
    """Vocabulary words one edit from `word`, not counting one that differs only by an oʻ/gʻ mark (a
    bare o/g is the synonym classes' business: `synonyms_without_okina`)."""
    bare = word.replace(OKINA, "")
    return [w for w, _, _ in process.extract(word, vocab, scorer=Levenshtein.distance, score_cutoff=1,
                                             limit=None)
            if w.replace(OKINA, "") != bare]


@lru_cache(maxsize=50_000)
def _spell_word(word: str, catalogue_version: str) -> str:
    sp = _spelling(catalogue_version)
    if sp is None or len(word) < sp.min_length or not word.isalpha() or word in sp.words:
        return word
    stem = stem_word(fold_letters(word))
    if stem in sp.stems:
        return word
    near = _one_typo(word, sp.word_list)
    if near:  # "kitobxonar" → "kitobxonlar"; several words of one stem are one word
        same = {stem_word(fold_letters(w)) for w in near}
        return near[0] if len(same) == 1 else word
    if len(stem) < sp.min_stem:
        return word
    near = _one_typo(stem, sp.stem_list)  # "seinar" → "seminar": the typo is in the stem, the ending differs
    return sp.stems[near[0]] if len(near) == 1 else word


def spell_key(key: str) -> str:
    """A match key with each word one typo from the matcher's vocabulary written as that word."""
    if not key:
        return key
    v = load_catalogue().catalogue_version
    return " ".join(_spell_word(w, v) for w in key.split())


# OCR reads "o" as 0 and "l" as 1 ("Axbor0t", "tasnif1ash", "0lish"): a 0/1 between letters, or
# starting a word of at least four more letters, is that letter ("1-chorak", "10ta", "1ta" stay)
_OCR_DIGIT_RE = re.compile(r"(?<=[a-zʻ])[01]{1,2}(?=[a-zʻ])|(?<![\w])[01](?=[a-zʻ]{4,})")
_OCR_DIGITS = str.maketrans("01", "ol")


# Where an activity's name ends and its list/mechanism begins: "Умумий фонд жами Шундан; -босма …",
# "Тадбирлар ўтказиш жами: ижодий кечалар, …", "… (малака ошириш)".
_HEAD_END_RE = re.compile(r"[:;(]|\s[-–—]|(?<!\w)(?:" + "|".join(map(re.escape, labels_ending_a_head()))
                          + r")(?!\w)", re.IGNORECASE)


def head_key(text: str | None) -> str:
    """The comparison key of the activity's name only (text before its first list marker)."""
    if not text:
        return ""
    return prepare(_head_text(text))


def _head_text(text: str) -> str:
    """The activity's name as written (text before its first list marker, numbering dropped)."""
    t = _NUMBER_RE.sub("", text.strip(), count=1)
    m = _HEAD_END_RE.search(t, 1)
    return t[: m.start()] if m else t


# "…lash va …lash": two verbal nouns joined by "va"/"hamda" are two activities under one name
_CLAUSE_SPLIT_RE = re.compile(r"\s(?:va|hamda)\s")


def _clauses(label: str) -> tuple[str, ...]:
    """The comparison keys of the activities a label joins: "Vaqtli matbuot nashrlarini muqovalash va
    kitoblarni ta'mirlash" → ("vaqtli matbuot nashr muqovala", "kitob tamirla"). Only when every
    part ends in a verbal noun (-sh: muqovalash, ta'mirlash, tayyorlash, o'tkazish), so a list of
    nouns ("Tadbirlar va ko'rgazmalarni tashkil qilish": one activity for both) is not split."""
    parts = _CLAUSE_SPLIT_RE.split(prepare(label, stem=False))
    if len(parts) < 2 or not all(p.split() and p.split()[-1].endswith("sh") for p in parts):
        return ()
    return tuple(stem_key(p) for p in parts)


def _labels(entries: dict[str, Entry], stem: bool = True) -> tuple[_Label, ...]:
    out = []
    for e in entries.values():
        seen = set()
        for label in e.labels():
            k = prepare(label, stem)
            if k and k not in seen:
                seen.add(k)
                out.append(_Label(e.id, label, k, k.replace(" ", ""), _clauses(label) if stem else ()))
    if stem:
        out += _head_labels(entries, {lab.key for lab in out})
        out += _clause_labels(out, _generic_words(load_catalogue().catalogue_version))
    return tuple(out)


def _clause_labels(labels: list[_Label], generic: frozenset[str]) -> list[_Label]:
    """Each activity a label joins (`_clauses`: "Vaqtli matbuot nashrlarini muqovalash va kitoblarni
    ta'mirlash") names its entry alone ("kitoblarni ta'mirlash") when it has at least `CLAUSE_MIN_WORDS`
    distinctive words, no label is written so, and no other entry's labels use all of its words
    (staff_training_ict's "… o'qitish va malakasini oshirish": staff_training says "malaka oshirish" too)."""
    keys = {lab.key for lab in labels}
    words: dict[str, set[str]] = {}
    for lab in labels:
        words.setdefault(lab.entry_id, set()).update(_content_words(lab.key, generic))
    out: dict[str, _Label] = {}
    for lab in labels:
        for part in lab.parts:
            content = set(_content_words(part, generic))
            if len(content) < CLAUSE_MIN_WORDS or part in keys or part in out:
                continue
            if any(content <= ws for eid, ws in words.items() if eid != lab.entry_id):
                continue
            out[part] = _Label(lab.entry_id, lab.text, part, part.replace(" ", ""))
    return list(out.values())


HEAD_LABEL_MIN_WORDS = 2


def _head_labels(entries: dict[str, Entry], keys: set[str]) -> list[_Label]:
    """A label that ends in a parenthesis ("Nostatsionar xizmat ko'rsatish (ko'chma kutubxona)") names the
    entry before it; the parenthesis elaborates: the name alone is a label too, when it has at least two
    words and no other label (of any entry) is written so, and only one entry's labels have that name."""
    heads: dict[str, list[tuple[str, str]]] = {}
    for e in entries.values():
        for label in e.labels():
            t = label.strip()
            cut = t.find("(")
            if cut <= 0 or not t.endswith(")"):
                continue
            k = prepare(t[:cut])
            if len(k.split()) >= HEAD_LABEL_MIN_WORDS and k not in keys:
                heads.setdefault(k, []).append((e.id, t[:cut].strip()))
    return [_Label(v[0][0], v[0][1], k, k.replace(" ", ""), _clauses(v[0][1]))
            for k, v in heads.items() if len({eid for eid, _ in v}) == 1]


CLAUSE_MIN_WORDS = 2  # a clause named by one distinctive word ("tahlil qilish") is too weak alone


def _clause_missing(lab: _Label, content: list[str], missing: list[str],
                    generic: frozenset[str]) -> tuple[list[str], int]:
    """(missing words, distinctive words) of the label, or of the one activity it joins that the
    text names best: a plan that says only "Eskirgan kitoblarni ta'mirlash" names the second
    activity of binding_repair whole and misses nothing of it."""
    best = (missing, len(content))
    for part in lab.parts:
        words = _content_words(part, generic)
        if len(words) < CLAUSE_MIN_WORDS:
            continue
        gone = [w for w in words if w in missing]
        if len(gone) * best[1] < len(best[0]) * len(words):
            best = (gone, len(words))
    return best


@dataclass(frozen=True, eq=False)
class _Bags:
    """Per entry, the distinctive words of all its labels; per word, how rare it is across entries."""
    words: dict[str, frozenset[str]]
    idf: dict[str, float]
    unknown_idf: float  # a word no entry uses: as distinctive as the rarest word
    entries_of: dict[str, tuple[str, ...]] = field(default_factory=dict)  # word -> entries using it


@lru_cache(maxsize=8)
def _bags(catalogue_version: str, kind: str) -> _Bags:
    generic = _generic_words(catalogue_version)
    words: dict[str, set[str]] = {}
    for lab in _index(catalogue_version, kind):
        words.setdefault(lab.entry_id, set()).update(_content_words(lab.key, generic))
    n = len(words)
    df: dict[str, int] = {}
    for ws in words.values():
        for w in ws:
            df[w] = df.get(w, 0) + 1
    idf = {w: math.log((n + 1) / (d + 1)) + 1 for w, d in df.items()}
    entries_of: dict[str, list[str]] = {}
    for e, ws in words.items():
        for w in ws:
            entries_of.setdefault(w, []).append(e)
    return _Bags({e: frozenset(ws) for e, ws in words.items()}, idf, math.log(n + 1) + 1,
                 {w: tuple(es) for w, es in entries_of.items()})


@lru_cache(maxsize=4096)
def _bag_scores(head: str, bags: _Bags, generic: frozenset[str]) -> dict[str, float]:
    """Per entry, the share (0-100, weighted by rarity) of the text's distinctive head words that
    the entry's labels use somewhere: "Kartochkalarni katalogga qo'yish" is all words of
    catalogue_cards_filing even though no single label says it so briefly. (Cached: the ranking
    and the names-both rule ask for the same head; callers must not change the dict.)"""
    content = list(dict.fromkeys(_content_words(head, generic)))[:EXTRA_HEAD]
    if len(content) < BAG_MIN_WORDS:
        return {}
    weights = [bags.idf.get(w, bags.unknown_idf) for w in content]
    total = sum(weights)
    got: dict[str, float] = {}
    for w, wt in zip(content, weights, strict=True):
        for eid in bags.entries_of.get(w, ()):
            got[eid] = got.get(eid, 0.0) + wt
    return {eid: 100.0 * g / total for eid, g in got.items()}


@lru_cache(maxsize=8)
def _index(catalogue_version: str, kind: str) -> tuple[_Label, ...]:
    cat = load_catalogue()
    return _labels(getattr(cat, kind), stem=kind != "column_roles")


def _similarity(q: str, lab: _Label, unit_like: bool) -> tuple[float, str]:
    """Text similarity 0-100 of a query key and a label key, and how it was reached."""
    if unit_like:
        # unit cells are short: whole-string similarity only (token_set would let "kitobxon
        # formulyarini tahlil qilish" contain the unit "kitobxon"); spaces ignored ("Maro-taba")
        ts = fuzz.token_sort_ratio(q, lab.key)
        c = fuzz.ratio(q.replace(" ", ""), lab.compact)
        if c >= ts:
            return c, f"ratio {c:.0f} without spaces"
        return ts, f"token_sort {ts:.0f}"
    ts = fuzz.token_set_ratio(q, lab.key)
    wr = fuzz.WRatio(q, lab.key)
    lq, ll = len(q), len(lab.key)
    how = f"token_set {ts:.0f} + WRatio {wr:.0f}"
    if lq < ll:
        # a short text inside a long label ("gazetalar" in "kitob, jurnal, gazetalar") explains
        # only part of the label: token_set's 100 is scaled by the share of the label covered
        ts = max(fuzz.token_sort_ratio(q, lab.key), ts * (lq / ll) ** 0.5)
        how = f"token_set {ts:.0f} (short text) + WRatio {wr:.0f}"
    elif ll < lq:
        # a short label inside a long text: a little less sure, the text may be about more
        ts = ts * (0.85 + 0.15 * ll / lq)
    return (ts + wr) / 2, how


# ------------------------------------------------------------------ character n-gram TF-IDF
NGRAM = 3


def _ngrams(key: str) -> dict[str, float]:
    """Character 3-grams of a comparison key, words padded with spaces, sublinear counts."""
    counts: dict[str, int] = {}
    for w in key.split():
        w = f" {w} "
        for i in range(len(w) - NGRAM + 1):
            g = w[i: i + NGRAM]
            counts[g] = counts.get(g, 0) + 1
    return {g: 1.0 + math.log(c) for g, c in counts.items()}


@dataclass(frozen=True, eq=False)
class _NgramIndex:
    idf: dict[str, float]
    unknown_idf: float
    vectors: dict[str, dict[str, float]]  # label key -> unit vector


_NGRAM_INDEX: dict[int, tuple[tuple[_Label, ...], _NgramIndex]] = {}


def _ngram_index(labels: tuple[_Label, ...]) -> _NgramIndex:
    """TF-IDF vectors of every label's character n-grams (built once per label tuple)."""
    hit = _NGRAM_INDEX.get(id(labels))
    if hit is not None and hit[0] is labels:
        return hit[1]
    keys = list(dict.fromkeys(lab.key for lab in labels))
    grams = {k: _ngrams(k) for k in keys}
    df: dict[str, int] = {}
    for g in grams.values():
        for x in g:
            df[x] = df.get(x, 0) + 1
    n = len(keys)
    idf = {x: math.log((n + 1) / (d + 1)) + 1 for x, d in df.items()}
    vectors = {k: _unit({x: tf * idf[x] for x, tf in g.items()}) for k, g in grams.items()}
    index = _NgramIndex(idf, math.log(n + 1) + 1, vectors)
    _NGRAM_INDEX[id(labels)] = (labels, index)
    return index


def _unit(v: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {k: x / norm for k, x in v.items()}


def _ngram_cosines(q: str, labels: list[_Label], index: _NgramIndex) -> list[float]:
    """Cosine similarity (0-100) of the text's and each label's character n-gram TF-IDF vectors:
    robust to endings and typos a word-level comparison does not see, word order free."""
    qv = _unit({x: tf * index.idf.get(x, index.unknown_idf) for x, tf in _ngrams(q).items()})
    out = []
    for lab in labels:
        lv = index.vectors.get(lab.key) or {}
        small, big = (qv, lv) if len(qv) < len(lv) else (lv, qv)
        out.append(100.0 * sum(x * big.get(g, 0.0) for g, x in small.items()))
    return out


def _similarities(q: str, labels: list[_Label], ngram_weight: float = 0.0,
                  all_labels: tuple[_Label, ...] | None = None) -> list[tuple[float, str]]:
    """`_similarity` of one text against many labels, the fuzzy scores computed in one C++ call each;
    with `ngram_weight`, blended with the character n-gram TF-IDF cosine (`_ngram_cosines`)."""
    if not labels:
        return []
    if ngram_weight and all_labels is not None:
        cos = _ngram_cosines(q, labels, _ngram_index(all_labels))
        base = _similarities(q, labels)
        return [((1 - ngram_weight) * s + ngram_weight * c, f"{how} + char-ngram {c:.0f} x {ngram_weight}")
                for (s, how), c in zip(base, cos, strict=True)]
    keys = [lab.key for lab in labels]
    ts_all = process.cdist([q], keys, scorer=fuzz.token_set_ratio, workers=1)[0]
    wr_all = process.cdist([q], keys, scorer=fuzz.WRatio, workers=1)[0]
    lq = len(q)
    longer = [i for i, k in enumerate(keys) if len(k) > lq]
    tsort = dict(zip(longer, process.cdist([q], [keys[i] for i in longer], scorer=fuzz.token_sort_ratio,
                                           workers=1)[0], strict=True)) if longer else {}
    out = []
    for i, k in enumerate(keys):
        ts, wr, ll = float(ts_all[i]), float(wr_all[i]), len(k)
        how = f"token_set {ts:.0f} + WRatio {wr:.0f}"
        if lq < ll:  # same rules as _similarity
            ts = max(float(tsort[i]), ts * (lq / ll) ** 0.5)
            how = f"token_set {ts:.0f} (short text) + WRatio {wr:.0f}"
        elif ll < lq:
            ts = ts * (0.85 + 0.15 * ll / lq)
        out.append(((ts + wr) / 2, how))
    return out


def _content_words(key: str, generic: frozenset[str]) -> list[str]:
    return list(_content_words_cached(key, generic))


@lru_cache(maxsize=50_000)
def _content_words_cached(key: str, generic: frozenset[str]) -> tuple[str, ...]:
    return tuple(w for w in key.split() if len(w) >= 3 and w not in generic and not w.isdigit())


@lru_cache(maxsize=200_000)
def _words_alike(w: str, x: str) -> bool:
    """One word for another, allowing OCR damage and Uzbek suffixes ("fondida"/"fonddagi")."""
    if fuzz.ratio(w, x) >= 80:
        return True
    n = min(len(w), len(x))
    return n >= 5 and fuzz.ratio(w[:n], x[:n]) >= 85


def _word_found(w: str, words: list[str]) -> bool:
    """Is label word `w` in the text (or text word `w` in the label)? (`_words_alike`, the whole-word
    test done for all words in one C++ call first)"""
    if w in words or process.extractOne(w, words, scorer=fuzz.ratio, score_cutoff=80) is not None:
        return True
    n = len(w)
    if n < 5:
        return False
    # `_words_alike`'s prefix test, the words at least as long as `w` in one C++ call
    longer = [x[:n] for x in words if len(x) >= n]
    if longer and process.extractOne(w, longer, scorer=fuzz.ratio, score_cutoff=85) is not None:
        return True
    return any(5 <= len(x) < n and fuzz.ratio(w[: len(x)], x) >= 85 for x in words)


def _words_found(ws: list[str], words: list[str]) -> dict[str, bool]:
    """`_word_found` of each of many words against one text's words, the same answers from a few C++
    calls (one per word length) instead of two or three per word: the whole-word test over all pairs, the
    prefix tests per length, ratios computed in double precision as `fuzz.ratio` returns them."""
    import numpy as np  # here, not at import: rapidfuzz loads it on the first cdist anyway, `reja --help` never

    found = dict.fromkeys(ws, False)
    if not ws or not words:
        return found
    ws = list(found)
    whole = process.cdist(ws, words, scorer=fuzz.ratio, score_cutoff=80, workers=1).max(axis=1).tolist()
    rest = []
    for w, s in zip(ws, whole, strict=True):
        if w in words or s > 0:
            found[w] = True
        elif len(w) >= 5:
            rest.append(w)
    by_len: dict[int, list[str]] = {}
    for w in rest:
        by_len.setdefault(len(w), []).append(w)
    for n, group in by_len.items():
        longer = [x[:n] for x in words if len(x) >= n]
        if longer:
            hit = process.cdist(group, longer, scorer=fuzz.ratio, score_cutoff=85, workers=1).max(axis=1).tolist()
            for w, s in zip(group, hit, strict=True):
                found[w] = found[w] or s > 0
    for size in sorted({len(x) for x in words if len(x) >= 5}):
        group = [w for w in rest if not found[w] and len(w) > size]
        if group:
            same = [x for x in words if len(x) == size]
            ratios = process.cdist([w[:size] for w in group], same, scorer=fuzz.ratio, dtype=np.float64, workers=1)
            for w, f in zip(group, (ratios >= 85).any(axis=1).tolist(), strict=True):
                found[w] = f
    return found


def _missing_words(q: str, lab: _Label, generic: frozenset[str], memo: dict[str, bool] | None = None) -> list[str]:
    """Distinctive label words the text does not have (`memo`: word → found, shared by the labels
    of one query, which repeat many words)."""
    qwords = q.split()
    memo = {} if memo is None else memo
    out = []
    for w in _content_words(lab.key, generic):
        found = memo.get(w)
        if found is None:
            # a general word ("resurslar") is said by a kind of it ("kitoblar", "adabiyotlar")
            found = memo[w] = _word_found(w, qwords) or bool(
                _kinds_of(load_catalogue().catalogue_version).get(w, frozenset()).intersection(qwords))
        if not found:
            out.append(w)
    return out


@lru_cache(maxsize=4)
def _kinds_of(catalogue_version: str) -> dict[str, frozenset[str]]:
    """General word → the words of its kinds (`kinds_of` in the thresholds file), as comparison keys."""
    rule = load_catalogue().thresholds.get("kinds_of") or {}
    return {prepare(g): frozenset(prepare(k) for k in kinds) for g, kinds in rule.items()}


@lru_cache(maxsize=4)
def _general_of(catalogue_version: str) -> dict[str, frozenset[str]]:
    """A kind's word → the general words it is a kind of."""
    out: dict[str, set[str]] = {}
    for g, kinds in _kinds_of(catalogue_version).items():
        for k in kinds:
            out.setdefault(k, set()).add(g)
    return {k: frozenset(v) for k, v in out.items()}


# a text of one or two distinctive words ("Yuridik shaxslarga", "Yangi adabiyotlar") is a fragment
# that many entries' vocabularies contain: only whole labels can match it
BAG_MIN_WORDS = 3
EXTRA_HEAD = 5  # the words that name the activity come first; lists and mechanisms follow


def _extra_words(q: str, lab: _Label, generic: frozenset[str]) -> tuple[list[str], int]:
    """(q: the head key of the text, see `head_key`)"""
    """Distinctive words at the head of the text that a SHORT label does not explain, and how many
    distinctive head words the text has. A label with at least half as many distinctive words as
    the text's head is not short: it names the activity, the rest of the text elaborates."""
    content = _content_words(q, generic)[:EXTRA_HEAD]
    if 2 * len(_content_words(lab.key, generic)) > len(content):
        return [], len(content)
    extra = [w for w in content if not _in_key(w, lab.key)]
    if not extra:
        return extra, len(content)
    general = _general_of(load_catalogue().catalogue_version)
    return [w for w in extra if not general.get(w, frozenset()).intersection(lab.key.split())], len(content)


@lru_cache(maxsize=200_000)
def _in_key(w: str, key: str) -> bool:
    return _word_found(w, key.split())


RANK_SLACK = 20.0  # more than match_indicator may later move two entries apart (bonuses 3+2, penalties 10+6)
PREFIX = 4  # words sharing their first letters are candidates too (OCR damage at the end, endings)


_POSTINGS: dict[int, tuple[tuple[_Label, ...], dict[str, tuple[int, ...]]]] = {}


def _postings(labels: tuple[_Label, ...]) -> dict[str, tuple[int, ...]]:
    """Word (and "#"+first letters) → indexes of the labels using it (built once per label tuple)."""
    hit = _POSTINGS.get(id(labels))
    if hit is not None and hit[0] is labels:
        return hit[1]
    out: dict[str, list[int]] = {}
    for i, lab in enumerate(labels):
        for w in set(lab.key.split()):
            out.setdefault(w, []).append(i)
            if len(w) > PREFIX:
                out.setdefault("#" + w[:PREFIX], []).append(i)
    table = {k: tuple(dict.fromkeys(v)) for k, v in out.items()}
    _POSTINGS[id(labels)] = (labels, table)
    return table


def _prefiltered(q: str, labels: tuple[_Label, ...], allowed: set[str] | None, keep: int,
                 generic: frozenset[str] = frozenset()) -> list[_Label]:
    """The `keep` labels sharing most of the text's words (a word counts 2, its first letters 1;
    rarer words first by posting size), so the fuzzy scorers run on a few dozen labels instead of
    every label of the catalogue. A text sharing no word with any label (OCR damage everywhere)
    falls back to token_set_ratio over all labels (C++, a few ms)."""
    pool = range(len(labels)) if allowed is None else [i for i, lab in enumerate(labels) if lab.entry_id in allowed]
    if len(pool) <= keep:
        return [labels[i] for i in pool]
    hits = _word_hits(q, _postings(labels), generic)
    inpool = None if allowed is None else set(pool)
    ranked = sorted((i for i in hits if inpool is None or i in inpool), key=lambda i: -hits[i])
    if not ranked:
        cheap = process.cdist([q], [labels[i].key for i in pool], scorer=fuzz.token_set_ratio, workers=1)[0]
        return [labels[pool[j]] for j in cheap.argsort()[::-1][:keep]]
    return [labels[i] for i in ranked[:keep]]


def _word_hits(q: str, post: dict[str, tuple[int, ...]], generic: frozenset[str]) -> dict[int, float]:
    """Label index → how much of the text's distinctive words (and their first letters) it uses, a word
    used by many labels counting less."""
    hits: dict[int, float] = {}
    for w in set(q.split()):
        if w in generic or len(w) < 3:
            continue
        for key, weight in ((w, 2.0), ("#" + w[:PREFIX], 1.0)):
            ids = post.get(key, ())
            for i in ids:
                hits[i] = hits.get(i, 0.0) + weight / (1 + len(ids) / 50)
    return hits


_Scored = tuple[float, str, _Label]  # (score, how it was reached, the label)


@dataclass(frozen=True, eq=False)
class _WordCheck:
    """What `_rank` checks a label against word by word: the text's key and head key, the words that
    name no activity, the penalty weights, and (`own_bags`) the entries' words when a word another
    label of the same entry uses explains the text (`extra_words_own_labels`)."""
    q: str
    head: str
    generic: frozenset[str]
    missing_weight: float
    extra_weight: float
    own_bags: _Bags | None


def _rank(q: str, labels: tuple[_Label, ...], allowed: set[str] | None, unit_like: bool = False,
          generic: frozenset[str] = frozenset(), missing_weight: float = 0.0, extra_weight: float = 0.0,
          deep: int = 12, keep: int = 0, head: str | None = None, bags: _Bags | None = None,
          bag_weight: float = 0.0, ngram_weight: float = 0.0, own_words: bool = False):
    """Best (score, how, label) per entry id, best first.

    With `keep`, only the `keep` labels a cheap scorer ranks best are scored (see `_prefiltered`).
    Then the `deep` best entries are checked word by word (`_check_words`):
    - distinctive label words missing from the text ("kadrlar" when the text says "bolalar bilan
      ishlash") cost `missing_weight` points times the share of the label's distinctive words missing;
    - distinctive text words the label does not explain cost `extra_weight` points times their
      share of the text's distinctive words: a short label inside a longer text ("radio" in "radio
      to'garagi mashg'ulotlari", "kitob" in "sovg'a sifatida olingan kitoblar") does not win over
      the text's other words.
    Last, with `bags`, an entry whose labels together use the text's words scores that share
    (`_add_bag_scores`).
    """
    scored = _scored_labels(q, labels, allowed, unit_like, keep, generic, ngram_weight)
    best: dict[str, _Scored] = {eid: max(v, key=lambda t: t[0]) for eid, v in scored.items()}
    if (missing_weight or extra_weight) and not unit_like:
        # every prefiltered entry is checked (an unchecked entry would keep an unpenalised score)
        check = _WordCheck(q, head if head is not None else q, generic, missing_weight, extra_weight,
                           bags if own_words else None)
        _check_words(best, scored, check, len(best) if keep else deep)
    if bags is not None and bag_weight:
        _add_bag_scores(best, head if head is not None else q, bags, bag_weight, generic, allowed, labels)
    return sorted(best.items(), key=lambda kv: -kv[1][0])


def _scored_labels(q: str, labels: tuple[_Label, ...], allowed: set[str] | None, unit_like: bool, keep: int,
                   generic: frozenset[str], ngram_weight: float) -> dict[str, list[_Scored]]:
    """Per entry id, the text similarity of each of its labels (only `allowed` entries; with `keep`,
    only the labels `_prefiltered` keeps)."""
    pool = _prefiltered(q, labels, allowed, keep, generic) if keep and not unit_like else labels
    pool = [lab for lab in pool if allowed is None or lab.entry_id in allowed]
    sims = _similarities(q, pool, ngram_weight, labels) if not unit_like else \
        [_similarity(q, lab, True) for lab in pool]
    scored: dict[str, list[_Scored]] = {}
    for lab, (s, how) in zip(pool, sims, strict=True):
        scored.setdefault(lab.entry_id, []).append((s, how, lab))
    return scored


def _check_words(best: dict[str, _Scored], scored: dict[str, list[_Scored]], check: _WordCheck, limit: int) -> None:
    """The `limit` best entries, best first, each scored by its best label after the word penalties
    (`_penalised`; `best` is updated in place). Penalties only lower a score: once an entry's
    unpenalised score cannot reach the runner-up (less the bonuses match_indicator may add later),
    neither can the rest."""
    order = sorted(best, key=lambda e: -best[e][0])[:limit]
    memo = _found_memo(check.q, [lab.key for eid in order for _, _, lab in scored[eid]], check.generic)
    checked: list[float] = []  # penalised scores so far, best first
    for eid in order:
        if len(checked) >= 2 and best[eid][0] < checked[1] - RANK_SLACK:
            break
        best[eid] = max([_penalised(t, eid, check, memo) for t in scored[eid]], key=lambda t: t[0])
        checked = sorted([*checked, best[eid][0]], reverse=True)[:2]


def _found_memo(q: str, keys: list[str], generic: frozenset[str]) -> dict[str, bool]:
    """`_missing_words`' memo (label word → said by the text) for every distinctive word of the labels
    `keys`, filled at once (`_words_found`) with the answers `_missing_words` would compute one by one."""
    qwords = q.split()
    ws = list(dict.fromkeys(w for k in keys for w in _content_words_cached(k, generic)))
    found = _words_found(ws, qwords)
    kinds = _kinds_of(load_catalogue().catalogue_version)
    return {w: f or bool(kinds.get(w, frozenset()).intersection(qwords)) for w, f in found.items()}


def _penalised(scored: _Scored, eid: str, check: _WordCheck, memo: dict[str, bool]) -> _Scored:
    """One label's score less its missing-word and unexplained-word penalties, the reasons added."""
    s, how, lab = scored
    missing, n_label = _label_words_missing(check.q, lab, check.generic, memo)
    if missing and check.missing_weight:
        s -= check.missing_weight * len(missing) / n_label
        how += f", missing {' '.join(missing[:3])}"
    extra, n_content = _extra_words(check.head, lab, check.generic)
    if extra and check.own_bags is not None:
        # a word another label of the same entry uses explains the text as well ("Elektron
        # kutubxona va axborot texnologiyalari": "Elektron kutubxona faoliyati" and
        # "Axborot-kommunikatsiya texnologiyalari va raqamlashtirish")
        extra = [w for w in extra if w not in check.own_bags.words.get(eid, ())]
    if extra and check.extra_weight:
        s -= check.extra_weight * len(extra) / n_content
        how += f", unexplained {' '.join(extra[:3])}"
    return s, how, lab


def _label_words_missing(q: str, lab: _Label, generic: frozenset[str], memo: dict[str, bool]) -> tuple[list[str], int]:
    """(the label's distinctive words the text lacks, how many distinctive words the label has); for a
    label joining two activities, those of the one the text names best (`_clause_missing`)."""
    content = _content_words(lab.key, generic)
    missing = _missing_words(q, lab, generic, memo) if content else []
    n_label = len(content)
    if missing and lab.parts:
        missing, n_label = _clause_missing(lab, content, missing, generic)
    return missing, n_label


def _add_bag_scores(best: dict[str, _Scored], head: str, bags: _Bags, weight: float, generic: frozenset[str],
                    allowed: set[str] | None, labels: tuple[_Label, ...]) -> None:
    """An entry whose labels together use the text's head words (`_bag_scores`) scores that share times
    `weight` when it is more than its best label's score (`best` updated in place)."""
    for eid, b in _bag_scores(head, bags, generic).items():
        if allowed is not None and eid not in allowed:
            continue
        s = b * weight
        if eid not in best or s > best[eid][0]:
            lab = best[eid][2] if eid in best else _first_labels(labels)[eid]
            best[eid] = (s, f"words of the entry {b:.0f}% x {weight}", lab)


_FIRST: dict[int, tuple[tuple[_Label, ...], dict[str, _Label]]] = {}


def _first_labels(labels: tuple[_Label, ...]) -> dict[str, _Label]:
    """Entry id → its first label (built once per label tuple)."""
    hit = _FIRST.get(id(labels))
    if hit is None or hit[0] is not labels:
        first: dict[str, _Label] = {}
        for lab in labels:
            first.setdefault(lab.entry_id, lab)
        hit = _FIRST[id(labels)] = (labels, first)
    return hit[1]


@lru_cache(maxsize=4)
def _generic_words(catalogue_version: str) -> frozenset[str]:
    words = load_catalogue().thresholds.get("generic_words") or []
    return frozenset(k for w in words for k in stem_key(match_key(w)).split())


def _missing_weight(cat: Catalogue) -> float:
    return float(cat.thresholds.get("missing_word_weight", 0))


def _extra_weight(cat: Catalogue) -> float:
    return float(cat.thresholds.get("extra_word_weight", 0))


def _bag_weight(cat: Catalogue) -> float:
    return float(cat.thresholds.get("entry_words_weight", 0))


def _ngram_weight(cat: Catalogue) -> float:
    return float(cat.thresholds.get("char_ngram_weight", 0))


def _own_words(cat: Catalogue) -> bool:
    return bool(cat.thresholds.get("extra_words_own_labels", False))


def _keep(cat: Catalogue) -> int:
    return int(cat.thresholds.get("prefilter_keep", 0))


def _thresholds(cat: Catalogue, kind: str) -> tuple[float, float, float]:
    t = cat.thresholds.get(kind) or {}
    return float(t.get("auto", 101)), float(t.get("review", 0)), float(t.get("margin", 0))


def _decide(kind: str, cat: Catalogue, q: str, ranked: list, notes: dict[str, list[str]],
            forbid_auto: set[str] | None = None, head: str | None = None, lead_ok: bool = False) -> Match:
    """The match of the best-ranked entry: its band by the kind's thresholds, lowered to review when a
    different entry scores within the margin (unless the text names one of the best entry's labels, or
    `lead_ok`: the caller found it the total of its runner-up) or the entry is in `forbid_auto`."""
    auto, review, margin = _thresholds(cat, kind)
    if not ranked:
        return Match(None, 0.0, "none", [], "no candidates")
    cands = [(eid, round(v[0], 1)) for eid, v in ranked[:3]]
    eid, (score, how, lab) = ranked[0]
    reason = [f"{how} via '{lab.text}'"] + notes.get(eid, [])
    band = "auto" if score >= auto else "review" if score >= review else "none"
    if band == "none":
        return Match(None, round(score, 1), "none", cands, f"best {eid} only {score:.0f}: " + "; ".join(reason))
    named = _names_label(kind, cat, q, head, eid, lab)
    if named:
        reason.insert(0, named)
    if _near_tie(ranked, margin, bool(named) or lead_ok):
        if band == "auto":
            band = "review"
        reason.append(f"close to {ranked[1][0]} ({ranked[1][1][0]:.0f})")
    if forbid_auto and eid in forbid_auto and band == "auto":
        band = "review"
    return Match(eid, round(score, 1), band, cands, "; ".join(reason))


def _names_label(kind: str, cat: Catalogue, q: str, head: str | None, eid: str, lab: _Label) -> str:
    """How the text names one of the best entry's labels, "" when it does not:
    - "exact label": the text IS the label (label keys are unique across a kind, tested), so a near
      runner-up is no ambiguity: "…ресурсларнинг нусхаси" vs "…ресурсларнинг номи";
    - "a label's words in another order" ("Ko'rgazmalar tashkil etish (an'anaviy, virtual)" is
      "An'anaviy va virtual ko'rgazmalar tashkil qilish"), when no other entry has a label of those words;
    - "its name is a label": the text's name before its list or parenthesis ("Библиографик ёзувлар
      яратиш (электрон каталог)"): the list elaborates, the name decides."""
    if q in (lab.key, lab.compact) or q.replace(" ", "") == lab.compact:
        return "exact label"
    if kind not in _WORD_ORDER_FREE:
        return ""
    same = _same_words_entries(cat.catalogue_version, kind)
    ignore = _same_words_ignore(cat.catalogue_version)
    if same.get(_word_multiset(q, ignore)) == {eid}:
        return "a label's words in another order"
    if head and head != q and same.get(_word_multiset(head, ignore)) == {eid}:
        return "its name is a label"
    return ""


def _near_tie(ranked: list, margin: float, sure: bool) -> bool:
    """Does the runner-up score within `margin` of the best? Not when the best is `sure` and ahead."""
    if len(ranked) < 2:
        return False
    score, runner_up = ranked[0][1][0], ranked[1][1][0]
    return score - runner_up < margin and not (sure and score > runner_up)


# kinds whose texts may name a label's words in another order (units and headers are short fixed words)
_WORD_ORDER_FREE = {"section": "sections", "indicator": "indicators"}


@lru_cache(maxsize=4)
def _same_words_ignore(catalogue_version: str) -> frozenset[str]:
    thresholds = load_catalogue().thresholds
    words = frozenset(k for w in thresholds.get("same_words_ignore") or [] for k in prepare(w).split())
    return words | _generic_words(catalogue_version) if thresholds.get("same_words_ignore_generic") else words


def _word_multiset(key: str, ignore: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted(w for w in key.split() if w not in ignore))


@lru_cache(maxsize=8)
def _same_words_entries(catalogue_version: str, kind: str) -> dict[tuple[str, ...], frozenset[str]]:
    """A label's words (sorted, `same_words_ignore` left out) → the entries with a label of those words."""
    ignore = _same_words_ignore(catalogue_version)
    out: dict[tuple[str, ...], set[str]] = {}
    for lab in _index(catalogue_version, _WORD_ORDER_FREE[kind]):
        out.setdefault(_word_multiset(lab.key, ignore), set()).add(lab.entry_id)
    return {k: frozenset(v) for k, v in out.items()}


def match_section(text: str | None) -> Match:
    """Canonical section of a heading ("II. ILMIY-METODIK FAOLIYAT", "VI. Фонд билан ишлаш …")."""
    key = ("section", text)
    hit = _cache_get(key)
    return hit if hit is not None else _cache_put(key, _match_section(text))


def _match_section(text: str | None) -> Match:
    cat = load_catalogue()
    q = prepare(text)
    if not q:
        return Match(None, 0.0, "none", [], "empty heading")
    return _decide("section", cat, q, _rank_text(cat, "sections", q, text), {}, head=head_key(text))


def _rank_text(cat: Catalogue, kind: str, q: str, text: str | None) -> list:
    """`_rank` of a heading or activity text (key `q`) over the labels of `kind` ("sections",
    "indicators"), with the word-level rules of the thresholds file."""
    v = cat.catalogue_version
    return _rank(q, _index(v, kind), None, head=head_key(text), bags=_bags(v, kind), bag_weight=_bag_weight(cat),
                 generic=_generic_words(v), missing_weight=_missing_weight(cat), extra_weight=_extra_weight(cat),
                 keep=_keep(cat), ngram_weight=_ngram_weight(cat), own_words=_own_words(cat))


def match_unit(text: str | None) -> Match:
    """Catalogue unit of a unit cell ("Nusxa", "номда/нусха", "Maro-taba")."""
    key = ("unit", text)
    hit = _cache_get(key)
    return hit if hit is not None else _cache_put(key, _match_unit(text))


def _match_unit(text: str | None) -> Match:
    cat = load_catalogue()
    q = prepare(text)
    if "/" not in text:  # "сони/нусха" is a compound unit, "soni" a part of it
        q = _strip_fillers(q, _unit_fillers(cat.catalogue_version))
    if not q:
        return Match(None, 0.0, "none", [], "empty unit")
    ranked = _rank(q, _unit_index(cat.catalogue_version), None, unit_like=True)
    return _decide("unit", cat, q, ranked, {})


@lru_cache(maxsize=4)
def _unit_fillers(catalogue_version: str) -> frozenset[str]:
    words = load_catalogue().thresholds.get("unit_filler_words") or []
    return frozenset(k for w in words for k in prepare(w).split())


def _strip_fillers(key: str, fillers: frozenset[str]) -> str:
    """"bibliografik yozuvlar soni" is the unit "bibliografik yozuv": count words around a unit name
    say nothing about it (kept when nothing else is left: "soni" alone is the unit son)."""
    kept = [w for w in key.split() if w not in fillers]
    return " ".join(kept) if kept else key


@lru_cache(maxsize=4)
def _unit_index(catalogue_version: str) -> tuple[_Label, ...]:
    fillers = _unit_fillers(catalogue_version)
    out, seen = [], set()
    for lab in _index(catalogue_version, "units"):
        k = lab.key if "/" in lab.text else _strip_fillers(lab.key, fillers)
        if (lab.entry_id, k) not in seen:
            seen.add((lab.entry_id, k))
            out.append(_Label(lab.entry_id, lab.text, k, k.replace(" ", "")))
    return tuple(out)


def _parent_supports(cat: Catalogue, parent: str | None, parent_id: str | None) -> bool:
    """Is `parent_id` (the parent item's indicator) the breakdown's `parent`, or a breakdown of it?

    "журналлар" under 1.2 (acq_purchase) is a breakdown of acq_total like purchase itself: the
    plan crosses channel and document type, so an ancestor of the parent item supports it too.
    """
    seen: set[str] = set()
    node = parent_id
    while parent and node and node not in seen:
        if node == parent:
            return True
        seen.add(node)
        ind = cat.indicators.get(node)
        node = ind.parent if ind else None
    return False


@lru_cache(maxsize=4)
def _parent_required(catalogue_version: str) -> frozenset[str]:
    return frozenset(load_catalogue().thresholds.get("parent_required") or [])


def match_indicator(text: str | None, section_id: str | None = None, unit_id: str | None = None,
                    parent_id: str | None = None, section_unmatched: bool = False) -> Match:
    """Catalogue indicator of an activity text, constrained by its section and unit if known.

    `parent_id`: the indicator matched for the item this one is a sub-item of (9.1 under 9,
    "Shundan"/"Бундан" rows); the catalogue's breakdowns of that indicator are then more likely.
    `section_unmatched`: the row is under a heading that matched no section; the indicator is then
    never accepted automatically (without its section, a plan's own activity that only resembles a
    catalogue entry cannot be told apart from it: "Bolalar bog'chalariga sovg'a tariqasida kitob
    topshirish" is not gifts received).
    """
    key = ("indicator", text, section_id, unit_id, parent_id, section_unmatched)
    hit = _cache_get(key)
    if hit is not None:
        return hit
    m = _match_indicator(text, section_id, unit_id, parent_id)
    if section_unmatched and m.band == "auto":
        m = replace(m, band="review", reason=m.reason + "; section not matched: never auto")
    return _cache_put(key, m)


def _match_indicator(text: str | None, section_id: str | None, unit_id: str | None,
                     parent_id: str | None) -> Match:
    cat = load_catalogue()
    q = prepare(text)
    if not q:
        return Match(None, 0.0, "none", [], "empty activity text")
    notes: dict[str, list[str]] = {}
    no_auto: set[str] = set()  # outside the section, or a breakdown without its parent
    row = _Row(section_id, cat.units.get(unit_id) if unit_id else None, parent_id)
    adjusted = [(eid, _with_evidence(cat, q, eid, scored, row, notes.setdefault(eid, []), no_auto))
                for eid, scored in _rank_text(cat, "indicators", q, text)]
    _total_word_support(cat, text, adjusted, notes)
    adjusted.sort(key=lambda kv: -kv[1][0])
    if _short_text_support(cat, text, adjusted, notes, no_auto):
        adjusted.sort(key=lambda kv: -kv[1][0])
    if adjusted:
        done = _activity_done_to_it(cat, text, adjusted[0][1][2])
        if done:
            no_auto.add(adjusted[0][0])
            notes[adjusted[0][0]].append(f"the label's '{done}' says what was done to what it works on, not its "
                                         "activity: never auto")
        swapped = _verb_replaced(cat, text, adjusted[0][1][2])
        if swapped:
            no_auto.add(adjusted[0][0])
            notes[adjusted[0][0]].append(f"the label's verb '{swapped[0]}' is not in the text, which says "
                                         f"'{swapped[1]}' instead: never auto")
        goal = _activity_as_object(cat, text, adjusted[0][0], adjusted[0][1][2])
        if goal:
            no_auto.add(adjusted[0][0])
            notes[adjusted[0][0]].append(f"the text's '{goal[0]}' is what its activity '{goal[1]}' works on or "
                                         "aims at, not the activity: never auto")
        other = _names_another(cat, text, adjusted[0][0])
        if other is not None:
            no_auto.add(adjusted[0][0])
            notes[adjusted[0][0]].append(f"also names {other[0]} ({' '.join(other[1])})")
    total = _is_total(cat, text, adjusted, notes)
    if not total and len(adjusted) > 1:
        counted = _runner_up_counts_results(cat, text, adjusted[0][1][2], adjusted[1][1][2])
        if counted:
            total = True
            notes[adjusted[0][0]].append(f"{adjusted[1][0]} counts what was '{counted}', the text does it")
    return _decide("indicator", cat, q, adjusted, notes, forbid_auto=no_auto, head=head_key(text), lead_ok=total)


def _runner_up_counts_results(cat: Catalogue, text: str | None, best: _Label, runner_up: _Label) -> str:
    """The runner-up label's participle that the text and the best label say as their activity ("Yangi
    adabiyotlar ko'rgazmasini tashkil qilish" and exhibitions' "Kitob ko'rgazmalarini tashkil etish": organising
    exhibitions; exhibitions_held's "O'tkazilgan ko'rgazmalar": the exhibitions held, a count of what that
    activity produced). The stems meet, so the two score alike; the text says the activity, with a verbal noun
    and no participle, as the best label does: the runner-up is no near tie (`participle_modifier`'s word
    endings; the mirror of `_activity_done_to_it`). "" when not so."""
    rule = cat.thresholds.get("participle_modifier") or {}
    if not rule or not text or not rule.get("results_counted"):
        return ""
    r_done, r_rest, _ = _verb_forms(match_key(runner_up.text), cat.catalogue_version)
    if not r_done:
        return ""
    t_done, t_rest, t_doing = _verb_forms(match_key(_head_text(text)), cat.catalogue_version)
    b_done, b_rest, _ = _verb_forms(match_key(best.text), cat.catalogue_version)
    said = r_done & t_rest & b_rest
    if not said or t_done or b_done or not t_doing:
        return ""
    return sorted(said)[0]


def _total_word_support(cat: Catalogue, text: str | None, adjusted: list, notes: dict[str, list[str]]) -> None:
    """A text that says it is a total ("…to'ldirish jami", `total_word.words`) fits an entry with a label that
    says so too (acq_total's "Fondni to'ldirish jami") better than one whose labels never do (acq_on_demand's
    "Fondni kerakli adabiyotlar bilan to'ldirish"): those gain `total_word.bonus` points (`adjusted` updated
    in place). The words are generic ones (they say nothing of what is counted), so no label score sees them."""
    rule = cat.thresholds.get("total_word") or {}
    if not rule or not text or not adjusted:
        return
    words = _total_words(cat.catalogue_version)
    said = words.intersection(match_key(text).split())
    if not said:
        return
    saying = _entries_saying(cat.catalogue_version, words)
    bonus = float(rule["bonus"])
    for i, (eid, (s, how, lab)) in enumerate(adjusted):
        if eid in saying:
            adjusted[i] = (eid, (min(100.0, s + bonus), how, lab))
            notes[eid].append(f"says the total ({' '.join(sorted(said))}) as a label of it does (+{bonus:g})")


@lru_cache(maxsize=4)
def _total_words(catalogue_version: str) -> frozenset[str]:
    return frozenset(match_key(w) for w in (load_catalogue().thresholds.get("total_word") or {}).get("words") or [])


@lru_cache(maxsize=4)
def _entries_saying(catalogue_version: str, words: frozenset[str]) -> frozenset[str]:
    """The indicators with a label (as written, match-keyed) that holds one of `words`."""
    cat = load_catalogue()
    out = set()
    for ind in cat.indicators.values():
        for label in (ind.name_latn, ind.name_cyrl, *ind.synonyms, *ind.labels_rus):
            if label and words.intersection(match_key(label).split()):
                out.add(ind.id)
                break
    return frozenset(out)


def _short_text_support(cat: Catalogue, text: str | None, adjusted: list, notes: dict[str, list[str]],
                        no_auto: set[str]) -> bool:
    """A short text, a noun or two and a generic verb ("Фойдаланувчиларга ресурслар бериш сони": foydalanuvchi,
    resurs, berish), has too few distinctive words for the entries'-words score (`BAG_MIN_WORDS`), and its
    verb counts for nothing in the label scores: when no entry reaches review, each entry whose labels use
    every word of its name, the verb too (count words such as "soni" left out), gains `short_text.bonus`
    points and is never accepted automatically: a proposal for the clerk, not a match (`adjusted` updated
    in place; True when an entry gained)."""
    rule = cat.thresholds.get("short_text") or {}
    auto, review, _ = _thresholds(cat, "indicator")
    if not rule or not adjusted or adjusted[0][1][0] >= (auto if rule.get("below_auto") else review):
        return False
    words = _short_text_words(head_key(text), cat.catalogue_version)
    if not words:
        return False
    used = _entry_all_words(cat.catalogue_version)
    bonus = float(rule["bonus"])
    gained = False
    for i, (eid, (s, how, lab)) in enumerate(adjusted):
        if words <= used.get(eid, frozenset()):
            adjusted[i] = (eid, (min(100.0, s + bonus), how, lab))
            notes[eid].append(f"its labels use every word of the short text (+{bonus:g}, never auto)")
            no_auto.add(eid)
            gained = True
    return gained


@lru_cache(maxsize=4096)
def _short_text_words(head: str, catalogue_version: str) -> frozenset[str]:
    """The words of a short activity name (`short_text.max_words` distinctive words at most) with the
    generic words it says besides count and joining words (unit_filler_words, same_words_ignore); empty
    when the name is longer or says no generic word (a bare "Yangi adabiyotlar" is a fragment)."""
    rule = load_catalogue().thresholds.get("short_text") or {}
    generic = _generic_words(catalogue_version)
    content = _content_words(head, generic)
    if not rule or not content or len(content) > int(rule["max_words"]):
        return frozenset()
    ignore = _unit_fillers(catalogue_version) | _joining_words(catalogue_version)
    verbs = [w for w in head.split() if w in generic and w not in ignore]
    return frozenset(content + verbs) if verbs else frozenset()


@lru_cache(maxsize=4)
def _joining_words(catalogue_version: str) -> frozenset[str]:
    words = load_catalogue().thresholds.get("same_words_ignore") or []
    return frozenset(k for w in words for k in prepare(w).split())


@lru_cache(maxsize=4)
def _entry_all_words(catalogue_version: str) -> dict[str, frozenset[str]]:
    """Indicator id → every word of its labels' keys, generic words too."""
    out: dict[str, set[str]] = {}
    for lab in _index(catalogue_version, "indicators"):
        out.setdefault(lab.entry_id, set()).update(lab.key.split())
    return {eid: frozenset(ws) for eid, ws in out.items()}


def _activity_done_to_it(cat: Catalogue, text: str | None, lab: _Label) -> str:
    """The label's participle the text names as its activity, when the label's own activity is another one the
    text lacks: "Hisobdan chiqarilgan kitoblarni … kartochkalarda belgilash" (marking the cards of written-off
    books) holds every word of "Kitoblarni hisobdan chiqarish" (writing books off), but chiqarilgan only says
    which books; belgilash is the activity. The stems meet (stemming folds -ilgan and -ish alike, rightly so
    when the participle is the label's activity: "Sotib olingan kitoblar"), so the matcher cannot tell these
    apart: never auto (`participle_modifier` in the thresholds file). A text with no verbal noun at all that
    says the label's participle as a participle ("Hisobdan chiqarilgan kitoblar": the written-off books) names
    what the label works on too, not its activity. "" when not so."""
    rule = cat.thresholds.get("participle_modifier") or {}
    if not rule or not text:
        return ""
    l_done, l_rest, l_doing = _verb_forms(match_key(lab.text), cat.catalogue_version)
    if not l_done or not l_doing:  # most labels: no participle, or no activity of their own
        return ""
    t_done, t_rest, t_doing = _verb_forms(match_key(_head_text(text)), cat.catalogue_version)
    named = (t_rest & l_done) - t_done - l_rest
    if not named and not t_doing and not _verb_forms(match_key(text), cat.catalogue_version)[2]:
        named = (t_done & l_done) - l_rest
    if not named or not (l_doing - t_rest - t_done):
        return ""
    return sorted(named)[0]


def _verb_replaced(cat: Catalogue, text: str | None, lab: _Label) -> tuple[str, str] | None:
    """(the label's verb, the text's word in its place) when the best label's verbs are generic ones the text
    does not say and the text's name has a distinctive word the label does not explain: "Kitobxonlarni
    kitobga jalb qilish" (drawing readers to books) has every distinctive word of book_issue's
    "Foydalanuvchilarga kitob berilishi", but not its verb (berish): jalb is another activity. A generic verb
    counts for nothing in the label scores, so this is not seen there: never auto (`label_verb_replaced` in the
    thresholds file; the verbs are the generic words that are verbal nouns). None when not so."""
    if not text or not cat.thresholds.get("label_verb_replaced") or not cat.thresholds.get("participle_modifier"):
        return None
    verbs = _generic_verbs(cat.catalogue_version)
    own = [w for w in lab.key.split() if w in verbs]
    if not own:
        return None
    head = head_key(text)
    words = head.split()
    if any(w in own for w in words):
        return None
    said = match_key(_head_text(text))
    if not any(w in verbs for w in words) and not _verb_forms(said, cat.catalogue_version)[2]:
        return None  # a name without a verb ("Virtual va an'anaviy kitob ko'rgazmalari"): nothing replaced
    written = match_key(lab.text)  # the label as written too: a typo of its verb ("tahkil") is no other word
    extra = [w for w in _content_words(head, _generic_words(cat.catalogue_version))
             if not _in_key(w, lab.key) and not _in_key(w, written)]
    return (own[0], extra[0]) if extra else None


def _activity_as_object(cat: Catalogue, text: str | None, eid: str, lab: _Label) -> tuple[str, str] | None:
    """(the text's word, its activity) when the text says the best label's activity word as an object or goal, a
    verbal noun with a case ending ("Kitoblarni tasniflashni o'rganish": studying classification; "Fondni
    xatlovga tayyorlash": preparing for the inventory), and a verbal noun after it the entry's labels do not
    have: that last verbal noun is the activity, the label's is what it works on or aims at. A general "last
    verb not in the label" would demote right matches ("Kitobxonlar qatnovini oshirish"); only the case-marked
    activity word of the label is taken as the sign. Never auto (`activity_as_object` in the thresholds file);
    None when not so. Match keys are Latin, so Cyrillic texts (-ни, -га/-ка/-қа) are read the same way."""
    rule = cat.thresholds.get("activity_as_object") or {}
    if not rule or not text:
        return None
    return _object_and_activity(match_key(_head_text(text)), eid, lab.key, cat.catalogue_version)


@lru_cache(maxsize=4096)
def _object_and_activity(said: str, eid: str, lab_key: str, catalogue_version: str) -> tuple[str, str] | None:
    rule = load_catalogue().thresholds["activity_as_object"]
    obj, doing, n = re.compile(rule["object"]), re.compile(rule["activity"]), int(rule["min_length"])
    keeps = [match_key(w) for w in rule.get("keeps") or []]
    words = said.split()
    marked = [i for i, w in enumerate(words) if len(w) >= n and obj.search(w)]
    if not marked:
        return None
    label_words = set(lab_key.split())
    generic = _generic_words(catalogue_version)
    own = _entry_all_words(catalogue_version).get(eid, frozenset()) | _entry_word_stems(catalogue_version).get(eid, frozenset())
    for i in marked:
        if not set(stem_key(words[i]).split()) & label_words:
            continue  # an object that is not the label's activity word: "Kitoblarni tasniflash"
        later = [j for j in range(i + 1, len(words)) if len(words[j]) >= n and doing.search(words[j])
                 and not obj.search(words[j])]
        if not later:
            continue
        j = later[-1]
        stems = set(stem_key(words[j]).split())
        if stems <= generic and j - 1 > i:  # "muhokama qilish": the word before the generic verb says what
            j, stems = j - 1, set(stem_key(words[j - 1]).split())
        if not stems or stems <= generic or stems & own or any(_words_alike(words[j], k) for k in keeps):
            continue  # "tashkil qilish", a verb of the entry's labels, or "qatnovini oshirish" (a typo too)
        return words[i], words[j]
    return None


@lru_cache(maxsize=4)
def _entry_word_stems(catalogue_version: str) -> dict[str, frozenset[str]]:
    """Indicator id → the stem of each word of its labels taken alone: a word a phrase synonym folds away in the
    label keys ("yo'lga qo'yish" → tashkil) is still the label's word."""
    out: dict[str, set[str]] = {}
    for lab in _index(catalogue_version, "indicators"):
        out.setdefault(lab.entry_id, set()).update(k for w in match_key(lab.text).split() for k in stem_key(w).split())
    return {eid: frozenset(ws) for eid, ws in out.items()}


@lru_cache(maxsize=4)
def _generic_verbs(catalogue_version: str) -> frozenset[str]:
    """The comparison keys of the generic words written as verbal nouns ("berish", "o'tkazish", "tashkil
    etish" → ber, oʻtkaz, …), by `participle_modifier.verbal_noun`."""
    cat = load_catalogue()
    noun = re.compile(cat.thresholds["participle_modifier"]["verbal_noun"])
    words = [w for w in cat.thresholds.get("generic_words") or [] if noun.search(match_key(w))]
    return frozenset(k for w in words for k in prepare(w).split())


@lru_cache(maxsize=4096)
def _verb_forms(key: str, catalogue_version: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(stems of the key's participles, stems of its other words, stems of its verbal nouns), by the word
    endings of `participle_modifier` (words of at least `min_length` letters)."""
    rule = load_catalogue().thresholds.get("participle_modifier") or {}
    part, noun, n = re.compile(rule["participle"]), re.compile(rule["verbal_noun"]), int(rule["min_length"])
    words = key.split()
    done = [w for w in words if len(w) >= n and part.search(w)]
    rest = [w for w in words if w not in done]
    doing = [w for w in rest if len(w) >= n and noun.search(w)]
    return (frozenset(stem_key(w) for w in done), frozenset(stem_key(" ".join(rest)).split()),
            frozenset(stem_key(w) for w in doing))


@dataclass(frozen=True)
class _Row:
    """What the row around an activity text says: its section, its unit (a catalogue Unit), the
    indicator its parent item matched."""
    section_id: str | None
    unit: Unit | None
    parent_id: str | None


def _with_evidence(cat: Catalogue, q: str, eid: str, scored: _Scored, row: _Row, n: list[str],
                   no_auto: set[str]) -> _Scored:
    """An indicator's score with the row's evidence for or against it: its section, its parent item,
    its unit (each stated in `n`; an entry that must not be accepted automatically goes to `no_auto`)."""
    s, how, lab = scored
    ind = cat.indicators[eid]
    if row.section_id and row.section_id in cat.sections and row.section_id not in ind.sections:
        s -= OUTSIDE_SECTION_PENALTY
        no_auto.add(eid)
        n.append(f"not usual in section {row.section_id}")
    if row.parent_id and _parent_supports(cat, ind.parent, row.parent_id):
        s += PARENT_BONUS
        n.append(f"sub-item of {row.parent_id}")
    elif eid in _parent_required(cat.catalogue_version) and _names_breakdown_whole(cat, q, eid, row):
        n.append("names a label of its own words in its section and unit: no parent needed")
    elif eid in _parent_required(cat.catalogue_version):
        # a bare "журнал" means journals acquired only under an acquisition item; and without
        # that context the word must be the whole text, not one word of it ("yangi" in "Yangi
        # adabiyotlar ko'rgazmasi"): whole-string similarity, less the penalty
        s = min(s, fuzz.token_sort_ratio(q, lab.key)) - NO_PARENT_PENALTY
        no_auto.add(eid)
        n.append(f"needs parent evidence ({ind.parent})")
    if row.unit is not None:
        s = _unit_evidence(cat, ind, row.unit, s, n)
    return min(100.0, s), how, lab


def _names_breakdown_whole(cat: Catalogue, q: str, eid: str, row: _Row) -> bool:
    """Does a text without parent evidence name a breakdown of `parent_required` whole ("Qayta ro'yxatdan
    o'tganlar", "Yangi kitobxonlar")? Its words are one of the entry's labels (in any order, joining and
    generic words aside, no other entry's), at least `parent_required_whole.min_words` of them (a bare
    "Jurnallar" or "yangi" breaks down other activities too), under a section the indicator is usual in and
    with a unit it is counted in, of a kind of `unit_kinds` (people: only registration counts "new" or
    "re-registered" readers; a kind of document alone, "Davriy nashrlarda", "Avtoreferat va dissertatsiyalar",
    is acquired, issued, stored or written about, so it still needs its parent): the row says what it counts
    without its parent item."""
    rule = cat.thresholds.get("parent_required_whole") or {}
    ind = cat.indicators[eid]
    if (not rule or row.unit is None or row.unit.id not in ind.allowed_units() or row.section_id not in ind.sections
            or row.unit.kind not in (rule.get("unit_kinds") or ())):
        return False
    words = _word_multiset(q, _same_words_ignore(cat.catalogue_version))
    return (len(words) >= int(rule["min_words"])
            and _same_words_entries(cat.catalogue_version, "indicator").get(words) == {eid})


def _unit_evidence(cat: Catalogue, ind: Indicator, unit: Unit, s: float, n: list[str]) -> float:
    """The score with the row's unit as evidence: one of the indicator's units (+), a kind of unit it is
    never counted in (-). "dona", "ta", "шт." count almost anything: evidence for an indicator counted
    in them, against one counted otherwise only when every kind it is counted in is one they never count
    (people: "nafar", not "dona"); "marta" (times) fits the mobile library, counted in events as well as
    in visits."""
    allowed = ind.allowed_units()
    if unit.id in allowed:
        n.append(f"unit {unit.id} fits")
        return s + UNIT_FITS_BONUS
    counts = (cat.thresholds.get("generic_unit_counts") or {}).get(unit.kind) or ()
    if allowed and any(cat.units[u].kind in counts for u in allowed):
        # "marta" (times) counts events: "Kitobxonlar uchun tadbirlar o'tkazish | marta" is counted as events are
        n.append(f"unit {unit.id} counts what {ind.unit} counts")
        return s + UNIT_FITS_BONUS
    generic_kinds = cat.thresholds.get("generic_unit_kinds") or {}
    if allowed and not (kinds := {cat.units[u].kind for u in allowed}) & {unit.kind} and (
            unit.kind not in generic_kinds or kinds <= set(generic_kinds[unit.kind] or ())):
        n.append(f"unit {unit.id} unusual (expects {ind.unit})")
        return s - UNIT_CLASH_PENALTY
    return s


def _is_total(cat: Catalogue, text: str | None, adjusted: list, notes: dict[str, list[str]]) -> bool:
    """Is the best entry the total its runner-up breaks down, by the text: it names several of its
    breakdowns (`_names_breakdowns`), or it ends with a sub-item marker ("…чиқишлар ташкил этиш, шу
    жумладан:" is the total its sub-items break down, not its breakdown). The reason goes to `notes`."""
    if len(adjusted) < 2:
        return False
    best, runner_up = adjusted[0][0], adjusted[1][0]
    named = _names_breakdowns(cat, text, best, runner_up)
    if named:
        notes[best].append(f"names breakdowns {' '.join(named)} of it: the total")
        return True
    if getattr(cat.indicators.get(runner_up), "parent", None) == best and _announces_breakdowns(text):
        notes[best].append(f"ends 'of which': the total, not {runner_up}")
        return True
    return False


def _announces_breakdowns(text: str | None) -> bool:
    """Does the row end with a sub-item marker ("…, shu jumladan:", "… в том числе")? Then the rows
    under it break it down: it is a total."""
    key = match_key(text)
    return any(key == p or key.endswith(" " + p) for p in sub_item_prefixes())


def _names_breakdowns(cat: Catalogue, text: str | None, best: str, runner_up: str) -> list[str]:
    """When the runner-up is a breakdown of the best entry: the breakdowns of the best whose own words
    (used by no other breakdown of it) the text's head names, if at least `breakdowns_named.min`
    ("Matbuot, radio va televideniyeda chiqishlar" names media_print, media_radio and media_tv: it is
    their total media_coverage, not a near-tie with media_tv). [] otherwise."""
    rule = cat.thresholds.get("breakdowns_named") or {}
    ind = cat.indicators.get(runner_up)
    if not rule or ind is None or ind.parent != best:
        return []
    words = set(_content_words(head_key(text), _generic_words(cat.catalogue_version)))
    named = [k for k, own in _breakdown_words(cat.catalogue_version, best) if own & words]
    return named if len(named) >= int(rule["min"]) else []


@lru_cache(maxsize=256)
def _breakdown_words(catalogue_version: str, total: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """The breakdowns of `total`, each with its own words (used by no other breakdown of it)."""
    bags = _bags(catalogue_version, "indicators")
    kids = [e.id for e in load_catalogue().indicators.values() if e.parent == total]
    return tuple((k, bags.words.get(k, frozenset()).difference(*(bags.words.get(o, frozenset()) for o in kids
                                                                   if o != k))) for k in kids)


def _names_another(cat: Catalogue, text: str | None, eid: str) -> tuple[str, list[str]] | None:
    """Another indicator the text names as much as `eid`: "Mutaxassislar malakasini oshirish bo'yicha
    seminar-treninglar o'tkazish" names staff_training (malaka oshirish) and staff_seminars
    (seminar-trening). Their vocabularies cover nearly the same share of the text's head words
    (`names_both.margin` points, each at least `names_both.min_share`), each with a word the other
    lacks, the other's a rare one (used by at most `names_both.max_entries` entries); entries of
    different sections, and an entry and its own breakdown, do not compete.
    Returns (the other entry, its words the best entry lacks), or None."""
    rule = cat.thresholds.get("names_both") or {}
    if not rule:
        return None
    v = cat.catalogue_version
    bags, generic, df = _bags(v, "indicators"), _generic_words(v), _entry_counts(v, "indicators")
    head = head_key(text)
    shares = _bag_scores(head, bags, generic)
    mine = shares.get(eid)
    if mine is None:
        return None
    content = list(dict.fromkeys(_content_words(head, generic)))[:EXTRA_HEAD]
    for other, share in sorted(shares.items(), key=lambda kv: -kv[1]):
        if share < mine - float(rule["margin"]):
            break
        if other == eid or share < float(rule["min_share"]) or not _compete(cat, eid, other):
            continue
        theirs = _words_each_lacks(content, bags, df, eid, other, int(rule["max_entries"]))
        if theirs:
            return other, theirs
    return None


def _compete(cat: Catalogue, eid: str, other: str) -> bool:
    """Can two indicators both be what a text names? Not an entry and its own breakdown, nor entries of
    different sections."""
    ind, o = cat.indicators[eid], cat.indicators[other]
    return not (o.parent == eid or ind.parent == other or not set(o.sections) & set(ind.sections))


def _words_each_lacks(content: list[str], bags: _Bags, df: dict[str, int], eid: str, other: str,
                      max_entries: int) -> list[str]:
    """The text's words (`content`) that the other entry's labels use and `eid`'s do not, when they are
    its own words — rare across the catalogue (`df`: entries per word; "seminar", "trening"), not a verb
    or noun many entries use ("oshirish", "elektron") — and `eid` too has a word of the text the other
    lacks; else []."""
    theirs = [w for w in content if w in bags.words[other] and w not in bags.words[eid]
              and df.get(w, 0) <= max_entries]
    if theirs and any(w in bags.words[eid] and w not in bags.words[other] for w in content):
        return theirs
    return []


@lru_cache(maxsize=8)
def _entry_counts(catalogue_version: str, kind: str) -> dict[str, int]:
    """Per distinctive word, how many entries' labels use it."""
    out: dict[str, int] = {}
    for ws in _bags(catalogue_version, kind).words.values():
        for w in ws:
            out[w] = out.get(w, 0) + 1
    return out


# ------------------------------------------------------------------ wordings clerks have matched
@lru_cache(maxsize=4)
def _learned_ignore(catalogue_version: str) -> frozenset[str]:
    """Words a wording may add or drop and still be one a clerk matched (`learned_near.ignore`: the
    joining words, "shu jumladan", "bundan"; and every sub-item marker), as comparison keys."""
    words = (load_catalogue().thresholds.get("learned_near") or {}).get("ignore") or []
    return frozenset(k for w in (*words, *sub_item_prefixes()) for k in prepare(w, stem=False).split()
                     ) | frozenset(k for w in words for k in prepare(w).split())


def _learned_form(key: str, ignore: frozenset[str]) -> str:
    """A comparison key without its ignorable words and numbers ("fond kelib tush adabiyot jami shu
    jumladan" and "... jami" are one wording; so are "2024 yilda" and "2025 yilda" plans)."""
    return " ".join(w for w in key.split() if w not in ignore and not any(ch.isdigit() for ch in w))


@lru_cache(maxsize=16)
def _learned_keys(wordings: tuple[tuple[str, str | None], ...]
                  ) -> tuple[tuple[str, ...], tuple[str | None, ...], dict[tuple[str, ...], frozenset]]:
    """The taught wordings' comparison keys (ignorable words left out), their ids, and each one's
    words (sorted) → the ids taught for wordings of those words."""
    ignore = _learned_ignore(load_catalogue().catalogue_version)
    pairs = [(_learned_form(prepare(text), ignore), eid) for text, eid in wordings]
    pairs = [(k, eid) for k, eid in pairs if k]
    same: dict[tuple[str, ...], set] = {}
    for k, eid in pairs:
        same.setdefault(tuple(sorted(k.split())), set()).add(eid)
    return (tuple(k for k, _ in pairs), tuple(eid for _, eid in pairs),
            {k: frozenset(v) for k, v in same.items()})


def match_near_learned(kind: str, text: str | None, wordings: tuple[tuple[str, str | None], ...],
                       section_id: str | None = None) -> Match | None:
    """The entry a clerk gave a wording that this text says again in other words' endings, order or
    script, or one or two typos away ("Jurnal" after "Jurnallar", "Fondga kelib tushgan adabiyotlar
    jami, shu jumladan:" after "…jami", "Kitobarni ta'mirlash" after "Kitoblarni ta'mirlash"). Compared on
    the matcher's keys (endings, synonyms and scripts folded) without the words of `learned_near.ignore`,
    the sub-item markers and numbers: the same words (any order, any length) when every wording of
    those words was taught one entry; else whole-string similarity at least `learned_near.min_score`, on
    keys of at least `min_length` letters, with no wording taught another entry within `margin`. An
    indicator also must be usual in the row's section.
    `wordings`: (text, id) pairs the clerks taught, for this `kind`; an indicator's id may be None (the
    clerk said "not in the catalogue": a Match without id, band auto, no flag). Callers ask only when
    the matcher did not accept an entry itself. None when nothing is that near."""
    rule = load_catalogue().thresholds.get("learned_near") or {}
    if not rule or not wordings:
        return None
    q = _learned_form(prepare(text), _learned_ignore(load_catalogue().catalogue_version))
    if not q:
        return None
    keys, ids, same = _learned_keys(wordings)
    taught = same.get(tuple(sorted(q.split())))
    if taught is not None and len(taught) == 1:
        key, eid, best, how = q, next(iter(taught)), 100.0, "the words of"
    elif taught is None and len(q) >= int(rule["min_length"]):
        near = _nearest_learned(q, keys, ids, float(rule["min_score"]), float(rule["margin"]))
        if near is None:
            return None
        key, eid, best = near
        how = "near"
    else:  # no taught wording near, or those words were taught two entries: the matcher and the clerk decide
        return None
    if eid is None:  # the clerk said that wording is not in the catalogue: neither is this one
        if kind != "indicator":
            return None
        return Match(None, round(float(best), 1), "auto", [],
                     f"{how} a wording a clerk said is not in the catalogue ('{key}', ratio {best:.0f})")
    if kind == "indicator" and not _usual_in_section(load_catalogue(), eid, section_id):
        return None
    return Match(eid, round(float(best), 1), "auto", [(eid, round(float(best), 1))],
                 f"{how} a wording a clerk matched ('{key}', ratio {best:.0f})")


def _nearest_learned(q: str, keys: tuple[str, ...], ids: tuple[str | None, ...], min_score: float,
                     margin: float) -> tuple[str, str | None, float] | None:
    """(the taught wording's key, its id, the ratio) of the taught wording nearest the text key `q`, at
    least `min_score`; None when there is none, or when a wording taught another entry is within
    `margin` of it (two taught entries about as near: the matcher and the clerk decide)."""
    hits = process.extract(q, keys, scorer=fuzz.ratio, limit=8, score_cutoff=min_score - margin)
    if not hits or hits[0][1] < min_score:
        return None
    _, best, i = hits[0]
    if any(ids[j] != ids[i] for _, s, j in hits[1:] if s > best - margin):
        return None
    return keys[i], ids[i], best


def _usual_in_section(cat: Catalogue, eid: str, section_id: str | None) -> bool:
    """Is `eid` a catalogue indicator, and usual in the row's section (when the row has a known one)?"""
    ind = cat.indicators.get(eid)
    return ind is not None and not (section_id and section_id in cat.sections and section_id not in ind.sections)
