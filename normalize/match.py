"""Fuzzy matching of headings, activities and units to the catalogue, with explainable scores.

Every text is compared in one key space: look-alike letters repaired (`repair_lookalikes`), then
`match_key` (Cyrillic and Latin meet, apostrophes folded, abbreviations expanded). A catalogue entry
is compared through each of its labels (names and synonyms) with two rapidfuzz scorers averaged:

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
  down and never auto-accepted;
- the runner-up: if a different entry scores within `margin` of the best, the match goes to review.

Bands come from `schema/data/match_thresholds.yaml` (chosen by measurement, see the comment
there): `auto` = accepted, `review` = flagged for the clerk, `none` = unmatched (flagged too).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process
from reja.normalize.keys import match_key, stem_key
from reja.normalize.script import repair_lookalikes
from reja.schema.catalogue import Catalogue, Entry, load_catalogue

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

        Codes are those of extract/model.py FLAG_CODES (`<kind>_review`, `<kind>_unmatched`); a kind
        without a review code (unit) reports a doubtful match under its unmatched code.
        """
        from reja.extract.model import FLAG_CODES

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


# Leading section/item numbers: "II.", "IV ", "Х." (Cyrillic Ха), "9.4.", "1)", "26.1".
_NUMBER_RE = re.compile(r"^\s*(?:[IVXLІХ]{1,6}|\d{1,3}(?:\.\d{1,3})*)\s*[.)]?\s+(?=\S)")
_WRAP_RE = re.compile(r"^\((.*)\)$")
# "Шундан: китоблар сони", "Bundan kitob": the breakdown marker says "of which", not what is counted
_BREAKDOWN_RE = re.compile(r"^(?:shundan|bundan|undan|shulardan|jumladan)\s+(?=\S)")


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
    key = _BREAKDOWN_RE.sub("", match_key(t), count=1)
    return stem_key(key) if stem else key


# Where an activity's name ends and its list/mechanism begins: "Умумий фонд жами Шундан; -босма …",
# "Тадбирлар ўтказиш жами: ижодий кечалар, …", "… (малака ошириш)".
_HEAD_END_RE = re.compile(r"[:;(]|\s[-–—]|\b(?:shundan|shulardan|jumladan|bundan|ulardan|шундан|шулардан|"
                          r"жумладан|бундан|улардан|в том числе|из них)\b", re.IGNORECASE)


def head_key(text: str | None) -> str:
    """The comparison key of the activity's name only (text before its first list marker)."""
    if not text:
        return ""
    t = _NUMBER_RE.sub("", text.strip(), count=1)
    m = _HEAD_END_RE.search(t, 1)
    return prepare(t[: m.start()] if m else t)


def _labels(entries: dict[str, Entry], stem: bool = True) -> tuple[_Label, ...]:
    out = []
    for e in entries.values():
        seen = set()
        for label in e.labels():
            k = prepare(label, stem)
            if k and k not in seen:
                seen.add(k)
                out.append(_Label(e.id, label, k, k.replace(" ", "")))
    return tuple(out)


@dataclass(frozen=True)
class _Bags:
    """Per entry, the distinctive words of all its labels; per word, how rare it is across entries."""
    words: dict[str, frozenset[str]]
    idf: dict[str, float]
    unknown_idf: float  # a word no entry uses: as distinctive as the rarest word


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
    return _Bags({e: frozenset(ws) for e, ws in words.items()}, idf, math.log(n + 1) + 1)


def _bag_scores(head: str, bags: _Bags, generic: frozenset[str]) -> dict[str, float]:
    """Per entry, the share (0-100, weighted by rarity) of the text's distinctive head words that
    the entry's labels use somewhere: "Kartochkalarni katalogga qo'yish" is all words of
    catalogue_cards_filing even though no single label says it so briefly."""
    content = list(dict.fromkeys(_content_words(head, generic)))[:EXTRA_HEAD]
    if len(content) < BAG_MIN_WORDS:
        return {}
    weights = [bags.idf.get(w, bags.unknown_idf) for w in content]
    total = sum(weights)
    out = {}
    for eid, ws in bags.words.items():
        got = sum(wt for w, wt in zip(content, weights, strict=True) if w in ws)
        if got:
            out[eid] = 100.0 * got / total
    return out


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


def _content_words(key: str, generic: frozenset[str]) -> list[str]:
    return [w for w in key.split() if len(w) >= 3 and w not in generic and not w.isdigit()]


def _word_found(w: str, words: list[str]) -> bool:
    """Is label word `w` in the text, allowing OCR damage and Uzbek suffixes ("fondida"/"fonddagi")?"""
    for x in words:
        if fuzz.ratio(w, x) >= 80:
            return True
        n = min(len(w), len(x))
        if n >= 5 and fuzz.ratio(w[:n], x[:n]) >= 85:
            return True
    return False


def _missing_words(q: str, lab: _Label, generic: frozenset[str]) -> list[str]:
    qwords = q.split()
    return [w for w in _content_words(lab.key, generic) if not _word_found(w, qwords)]


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
    lwords = lab.key.split()
    return [w for w in content if not _word_found(w, lwords)], len(content)


def _prefiltered(q: str, labels: tuple[_Label, ...], allowed: set[str] | None, keep: int) -> list[_Label]:
    """The `keep` labels with the best cheap score (token_set_ratio over all labels at once, in C++),
    so the expensive scorers run on a few dozen labels instead of every label of the catalogue."""
    pool = [lab for lab in labels if allowed is None or lab.entry_id in allowed]
    if len(pool) <= keep:
        return pool
    cheap = process.cdist([q], [lab.key for lab in pool], scorer=fuzz.token_set_ratio, workers=1)[0]
    order = cheap.argsort()[::-1][:keep]
    return [pool[i] for i in order]


def _rank(q: str, labels: tuple[_Label, ...], allowed: set[str] | None, unit_like: bool = False,
          generic: frozenset[str] = frozenset(), missing_weight: float = 0.0, extra_weight: float = 0.0,
          deep: int = 12, keep: int = 0, head: str | None = None, bags: _Bags | None = None,
          bag_weight: float = 0.0):
    """Best (score, how, label) per entry id, best first.

    With `keep`, only the `keep` labels a cheap scorer ranks best are scored (see `_prefiltered`).
    Then the `deep` best entries are checked word by word:
    - distinctive label words missing from the text ("kadrlar" when the text says "bolalar bilan
      ishlash") cost `missing_weight` points times the share of the label's distinctive words missing;
    - distinctive text words the label does not explain cost `extra_weight` points times their
      share of the text's distinctive words: a short label inside a longer text ("radio" in "radio
      to'garagi mashg'ulotlari", "kitob" in "sovg'a sifatida olingan kitoblar") does not win over
      the text's other words.
    """
    pool = _prefiltered(q, labels, allowed, keep) if keep and not unit_like else labels
    scored: dict[str, list[tuple[float, str, _Label]]] = {}
    for lab in pool:
        if allowed is not None and lab.entry_id not in allowed:
            continue
        s, how = _similarity(q, lab, unit_like)
        scored.setdefault(lab.entry_id, []).append((s, how, lab))
    best: dict[str, tuple[float, str, _Label]] = {
        eid: max(v, key=lambda t: t[0]) for eid, v in scored.items()
    }
    if (missing_weight or extra_weight) and not unit_like:
        # every prefiltered entry is checked (an unchecked entry would keep an unpenalised score)
        top = sorted(best, key=lambda e: -best[e][0])[: len(best) if keep else deep]
        for eid in top:
            cands = []
            for s, how, lab in scored[eid]:
                content = _content_words(lab.key, generic)
                missing = _missing_words(q, lab, generic) if content else []
                if missing and missing_weight:
                    s -= missing_weight * len(missing) / len(content)
                    how += f", missing {' '.join(missing[:3])}"
                extra, n_content = _extra_words(head if head is not None else q, lab, generic)
                if extra and extra_weight:
                    s -= extra_weight * len(extra) / n_content
                    how += f", unexplained {' '.join(extra[:3])}"
                cands.append((s, how, lab))
            best[eid] = max(cands, key=lambda t: t[0])
    if bags is not None and bag_weight:
        for eid, b in _bag_scores(head if head is not None else q, bags, generic).items():
            if allowed is not None and eid not in allowed:
                continue
            s = b * bag_weight
            if eid not in best or s > best[eid][0]:
                lab = best[eid][2] if eid in best else next(x for x in labels if x.entry_id == eid)
                best[eid] = (s, f"words of the entry {b:.0f}% x {bag_weight}", lab)
    return sorted(best.items(), key=lambda kv: -kv[1][0])


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


def _keep(cat: Catalogue) -> int:
    return int(cat.thresholds.get("prefilter_keep", 0))


def _thresholds(cat: Catalogue, kind: str) -> tuple[float, float, float]:
    t = cat.thresholds.get(kind) or {}
    return float(t.get("auto", 101)), float(t.get("review", 0)), float(t.get("margin", 0))


def _decide(kind: str, cat: Catalogue, q: str, ranked: list, notes: dict[str, list[str]],
            forbid_auto: set[str] | None = None) -> Match:
    auto, review, margin = _thresholds(cat, kind)
    if not ranked:
        return Match(None, 0.0, "none", [], "no candidates")
    cands = [(eid, round(v[0], 1)) for eid, v in ranked[:3]]
    eid, (score, how, lab) = ranked[0]
    reason = [f"{how} via '{lab.text}'"] + notes.get(eid, [])
    band = "auto" if score >= auto else "review" if score >= review else "none"
    if band == "none":
        return Match(None, round(score, 1), "none", cands, f"best {eid} only {score:.0f}: " + "; ".join(reason))
    # the text IS one of the entry's labels (label keys are unique across a kind, tested), so a
    # near runner-up is no ambiguity: "…ресурсларнинг нусхаси" vs "…ресурсларнинг номи"
    exact = q in (lab.key, lab.compact) or q.replace(" ", "") == lab.compact
    if exact:
        reason.insert(0, "exact label")
    if len(ranked) > 1 and score - ranked[1][1][0] < margin and not (exact and score > ranked[1][1][0]):
        if band == "auto":
            band = "review"
        reason.append(f"close to {ranked[1][0]} ({ranked[1][1][0]:.0f})")
    if forbid_auto and eid in forbid_auto and band == "auto":
        band = "review"
    return Match(eid, round(score, 1), band, cands, "; ".join(reason))


def match_section(text: str | None) -> Match:
    """Canonical section of a heading ("II. ILMIY-METODIK FAOLIYAT", "VI. Фонд билан ишлаш …")."""
    cat = load_catalogue()
    q = prepare(text)
    if not q:
        return Match(None, 0.0, "none", [], "empty heading")
    ranked = _rank(q, _index(cat.catalogue_version, "sections"), None, head=head_key(text),
                   bags=_bags(cat.catalogue_version, "sections"), bag_weight=_bag_weight(cat),
                   generic=_generic_words(cat.catalogue_version), missing_weight=_missing_weight(cat),
                   extra_weight=_extra_weight(cat), keep=_keep(cat))
    return _decide("section", cat, q, ranked, {})


def match_unit(text: str | None) -> Match:
    """Catalogue unit of a unit cell ("Nusxa", "номда/нусха", "Maro-taba")."""
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


_DIGITS_RE = re.compile(r"\d+")


def match_column_role(text: str | None) -> Match:
    """Column role of a table header cell ("O'lchov birligi", "2021 йил режаси", "Mas'ullar").

    Years are dropped before comparing ("2024- yil (fakt)" and "2023 yil fakt" are both `fact`);
    the parser reads the year from the header itself.
    """
    cat = load_catalogue()
    q = _DIGITS_RE.sub(" ", prepare(text, stem=False)).strip()
    q = re.sub(r"\s+", " ", q)
    if not q:
        # "№" has no letters; an empty or number-only header is the number column only if it was "№"
        raw = (text or "").strip()
        if raw in ("№", "#", "N", "No", "Nº"):
            return Match("number", 100.0, "auto", [("number", 100.0)], f"header '{raw}'")
        return Match(None, 0.0, "none", [], "empty header")
    ranked = _rank(q, _role_index(cat.catalogue_version), None, unit_like=True)
    return _decide("column_role", cat, q, ranked, {})


@lru_cache(maxsize=4)
def _role_index(catalogue_version: str) -> tuple[_Label, ...]:
    out = []
    for lab in _index(catalogue_version, "column_roles"):
        k = re.sub(r"\s+", " ", _DIGITS_RE.sub(" ", lab.key)).strip()
        if k:
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
                    parent_id: str | None = None) -> Match:
    """Catalogue indicator of an activity text, constrained by its section and unit if known.

    `parent_id`: the indicator matched for the item this one is a sub-item of (9.1 under 9,
    "Shundan"/"Бундан" rows); the catalogue's breakdowns of that indicator are then more likely.
    """
    cat = load_catalogue()
    q = prepare(text)
    if not q:
        return Match(None, 0.0, "none", [], "empty activity text")
    ranked = _rank(q, _index(cat.catalogue_version, "indicators"), None, head=head_key(text),
                   bags=_bags(cat.catalogue_version, "indicators"), bag_weight=_bag_weight(cat),
                   generic=_generic_words(cat.catalogue_version), missing_weight=_missing_weight(cat),
                   extra_weight=_extra_weight(cat), keep=_keep(cat))
    notes: dict[str, list[str]] = {}
    no_auto: set[str] = set()  # outside the section, or a breakdown without its parent
    adjusted = []
    unit = cat.units.get(unit_id) if unit_id else None
    needs_parent = _parent_required(cat.catalogue_version)
    for eid, (s, how, lab) in ranked:
        ind = cat.indicators[eid]
        n = notes.setdefault(eid, [])
        if section_id and section_id in cat.sections and section_id not in ind.sections:
            s -= OUTSIDE_SECTION_PENALTY
            no_auto.add(eid)
            n.append(f"not usual in section {section_id}")
        if parent_id and _parent_supports(cat, ind.parent, parent_id):
            s += PARENT_BONUS
            n.append(f"sub-item of {parent_id}")
        elif eid in needs_parent:
            # a bare "журнал" means journals acquired only under an acquisition item; and without
            # that context the word must be the whole text, not one word of it ("yangi" in "Yangi
            # adabiyotlar ko'rgazmasi"): whole-string similarity, less the penalty
            s = min(s, fuzz.token_sort_ratio(q, lab.key)) - NO_PARENT_PENALTY
            no_auto.add(eid)
            n.append(f"needs parent evidence ({ind.parent})")
        if unit is not None:
            allowed = ind.allowed_units()
            if unit.id in allowed:
                s += UNIT_FITS_BONUS
                n.append(f"unit {unit.id} fits")
            elif allowed and unit.kind not in {cat.units[u].kind for u in allowed}:
                s -= UNIT_CLASH_PENALTY
                n.append(f"unit {unit.id} unusual (expects {ind.unit})")
        adjusted.append((eid, (min(100.0, s), how, lab)))
    adjusted.sort(key=lambda kv: -kv[1][0])
    return _decide("indicator", cat, q, adjusted, notes, forbid_auto=no_auto)
