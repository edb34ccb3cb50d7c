"""Region and district of a plan from its title block or file name, in either script (the places
of `schema/gazetteer.py`, matched here: matching belongs to normalize).

`match_place("Izboskan tuman axborot-kutubxona markazi … Andijon viloyati")` finds the district and
region in `schema/data/gazetteer.csv` (SOATO 2021, see schema/data/README.md).

How: the text goes through `match_key` (Latin and Cyrillic meet), and every place's base name
("izboskan", "mirzo ulugʻbek") is compared with each run of as many words in the text, by rapidfuzz
ratio; an inflected word ("Jondordagi") is compared on its first letters. A place word followed by its
designator ("tuman(i)", "viloyat(i)", "shahar/shahri", "район", "область") is stronger evidence than a
bare word; bare names that are ordinary words ("Kitob", "Oʻzbekiston", "Pop") are ignored. A district
found inside another region than the one named is never auto-accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process
from reja.normalize.keys import match_key
from reja.schema.gazetteer import gazetteer_rows

AUTO = 90  # band thresholds on the 0-100 place score
REVIEW = 75
MIN_WORD = 85  # a window below this similarity is no evidence at all
BARE_PENALTY = 8  # name without its designator word
CONFLICT_PENALTY = 20  # district found in another region than the one named

# Designator words after a place name (match keys are Latin: Russian "район" -> "rayon").
_DESIGNATOR_PREFIXES = (
    ("tuman", "district"), ("rayon", "district"),
    ("viloyat", "region"), ("oblast", "region"), ("respublika", "region"),
    ("shahar", "city"), ("shahr", "city"), ("gorod", "city"),
)
_DESIGNATOR_WORDS = {"vil": "region", "sh": "city", "t": "district", "g": "city"}
_DESIGNATORS_BEFORE = {"gorod", "goroda", "gorode", "gorodu", "gorodom", "g"}  # Russian: before the name


# What may follow a designator's stem: Uzbek case endings and Russian adjective/case forms. Only
# these: "Shahrixon" and "Shahrisabz" start like "shahr" but are places, not designators.
_DESIGNATOR_TAILS = {
    "", "i", "a", "e", "u", "y", "iy", "ni", "da", "dagi", "ning", "ga", "dan", "ida", "idagi", "ining",
    "iga", "idan", "si", "sida", "sidagi", "sining", "siga", "noy", "nyy", "nogo", "skoy", "skiy",
}  # fmt: skip


def _designator(word: str) -> str | None:
    if word in _DESIGNATOR_WORDS:
        return _DESIGNATOR_WORDS[word]
    for prefix, kind in _DESIGNATOR_PREFIXES:
        if word.startswith(prefix) and word[len(prefix):] in _DESIGNATOR_TAILS:
            return kind
    return None


# Base names that are ordinary words in a plan: accepted only with their designator.
_NEEDS_DESIGNATOR = {
    "kitob", "oʻzbekiston", "pop", "uzun", "nishon", "muborak", "shirin", "paxtakor", "doʻstlik",
    "guliston", "zomin", "quva", "kogon", "toshkent", "buxoro", "andijon", "namangan", "samarqand",
    "jizzax", "navoiy", "termiz", "qarshi", "urganch", "xiva", "nukus", "bekobod", "farg'ona",
    "fargʻona", "angren", "ohangaron", "yangiyoʻl", "sirdaryo", "kattaqoʻrgʻon", "shahrisabz",
    "qoʻqon", "nurafshon", "olmaliq", "chirchiq", "navbahor", "yangiobod", "asaka", "mirzaobod",
}

_SUFFIX_WORDS = re.compile(
    r"\b(tumani|tuman|viloyati|viloyat|shahri|shahar|respublikasi|rayon|rayoni|oblast|oblasti)\b"
)


@dataclass(frozen=True)
class Place:
    kind: str  # region | district | city
    region_id: str
    district_id: str | None
    name_latn: str
    name_cyrl: str
    name_rus: str
    bases: tuple[str, ...]  # match-key base names (without "tumani"/"viloyati"), incl. aliases


@dataclass
class PlaceMatch:
    region_id: str | None
    region_name: str | None
    district_id: str | None
    district_name: str | None
    score: float  # 0-100
    band: str  # auto | review | none
    reason: str = ""
    candidates: list[tuple[str, float]] = field(default_factory=list)


def _base_key(name: str) -> str:
    words = match_key(name).split()
    # the designator after the name goes ("Izboskan tumani" -> "izboskan"); one inside it is part of the
    # name: "Toshkent shahrining tumanlari", "Районы города Ташкента" (Tashkent's districts together)
    if len(words) > 1 and _SUFFIX_WORDS.fullmatch(words[-1]):
        words.pop()
    k = " ".join(words)
    # Russian adjectives: "izbaskanskiy rayon" -> "izbaskan"; "andijanskaya oblast" -> "andijan"
    k = re.sub(r"(sk|ck)(iy|aya|ij|oy)\b", "", k)
    return re.sub(r"\s+", " ", k).strip()


@lru_cache(maxsize=1)
def load_places() -> tuple[Place, ...]:
    places = []
    for row in gazetteer_rows():
        names = [row["name_latn"], row["name_cyrl"], row["name_rus"], *filter(None, row["aliases"].split("|"))]
        bases = []
        for n in names:
            b = _base_key(n)
            if b and b not in bases:
                bases.append(b)
        places.append(Place(
            kind=row["kind"], region_id=row["region_id"], district_id=row["district_id"] or None,
            name_latn=row["name_latn"], name_cyrl=row["name_cyrl"], name_rus=row["name_rus"],
            bases=tuple(bases),
        ))
    return tuple(places)


def _regions() -> dict[str, Place]:
    return {p.region_id: p for p in load_places() if p.kind == "region"}


# Russian adjective endings after -sk-/-ck- in any case ("Касансайский район", "Касансайского района")
_RUS_ADJECTIVE = re.compile(r"(?<=\w{3})(sk|ck)(iy|ij|aya|oye|oe|ogo|omu|om|oy|uyu|iye|ie|ix|ikh|im|imi)$")


def _tokens(text: str) -> list[str]:
    # file names: "Izboskan_tuman_2025-reja.docx" -> words
    text = re.sub(r"[_.+]", " ", text)
    tokens = match_key(text).split()
    # a Russian adjective before its designator is the place's name: "kasansayskiy rayon" -> "kasansay"
    # (compared whole, not on its first letters, where "kasan" of Koson tumani would tie with it)
    return [_RUS_ADJECTIVE.sub("", t) if i + 1 < len(tokens) and _designator(tokens[i + 1]) else t
            for i, t in enumerate(tokens)]


PREFIX_WEIGHT = 0.97  # an inflected word compared on its first letters counts a little less


@dataclass(frozen=True)
class _BaseGroup:
    """The gazetteer's base names of one word count, for one vectorised comparison per text."""

    bases: tuple[str, ...]
    owners: tuple[tuple[int, int], ...]  # (index in load_places(), index of the base in its place)
    plain: np.ndarray  # rows of bases with no designator word (most; not "toshkent shahrining tumanlari")
    by_length: tuple[tuple[int, tuple[int, ...]], ...]  # base length (>= 4) -> rows, for the prefix score


@lru_cache(maxsize=1)
def _index() -> dict[int, _BaseGroup]:
    """Every base name, grouped by its number of words (precomputed once: the title block asks for every
    document, and comparing each name with each window in Python cost ~8 ms of CPU a text, 14x this)."""
    groups: dict[int, tuple[list[str], list[tuple[int, int]]]] = {}
    for pi, place in enumerate(load_places()):
        for bi, base in enumerate(place.bases):
            bases, owners = groups.setdefault(base.count(" ") + 1, ([], []))
            bases.append(base)
            owners.append((pi, bi))
    out = {}
    for n, (bases, owners) in groups.items():
        lengths: dict[int, list[int]] = {}
        for row, base in enumerate(bases):
            if len(base) >= 4:
                lengths.setdefault(len(base), []).append(row)
        plain = np.array([not any(_designator(t) for t in b.split()) for b in bases])
        out[n] = _BaseGroup(tuple(bases), tuple(owners), plain,
                            tuple((k, tuple(v)) for k, v in sorted(lengths.items())))
    return out


def _window_hits(tokens: list[str]) -> dict[int, list[tuple[int, int, int, float]]]:
    """Per place (index in load_places()): (base index, first token, word count, score) of every window
    of the text that scores >= MIN_WORD against one of its base names. The score is rapidfuzz's ratio of
    the base and the window; a window longer than the base (an inflected last word: "jondordagi",
    "izboskanning") is also compared on its first letters, at PREFIX_WEIGHT. Windows holding a
    designator word are no place name ("shahri" is never a place) unless the name itself has that word
    ("Toshkent shahrining tumanlari", "Районы города Ташкента")."""
    is_designator = [_designator(t) is not None for t in tokens]
    hits: dict[int, list[tuple[int, int, int, float]]] = {}
    for n, group in _index().items():
        starts = list(range(len(tokens) - n + 1))
        if not starts:
            continue
        windows = [" ".join(tokens[i : i + n]) for i in starts]
        scores = process.cdist(group.bases, windows, scorer=fuzz.ratio, dtype=np.float64)
        for length, rows in group.by_length:
            longer = [k for k, w in enumerate(windows) if len(w) > length + 1]
            if not longer:
                continue
            cut = process.cdist([group.bases[r] for r in rows], [windows[k][:length] for k in longer],
                                scorer=fuzz.ratio, dtype=np.float64) * PREFIX_WEIGHT
            sub = scores[np.ix_(rows, longer)]
            scores[np.ix_(rows, longer)] = np.maximum(sub, cut)
        named = np.array([any(is_designator[i : i + n]) for i in starts])
        scores[np.ix_(group.plain, named)] = 0.0  # only a name that has such a word may match one
        for row, col in zip(*np.nonzero(scores >= MIN_WORD), strict=True):
            pi, bi = group.owners[row]
            hits.setdefault(pi, []).append((bi, starts[col], n, float(scores[row, col])))
    return hits


def _fits(place: Place, designator: str | None) -> bool:
    """The designator written with the name names this kind of place ("Navoiy shahar" the city)."""
    if place.kind == "region":
        return designator == ("city" if "shahri" in place.name_latn else "region")
    return designator == place.kind


def _find(place: Place, tokens: list[str], windows: list[tuple[int, int, int, float]]) -> tuple[float, str | None, str]:
    """Best (score, designator kind after it, matched text) of a place among its `windows` (from
    `_window_hits`). A window whose designator names this kind of place wins over a closer one that
    names another kind: "Navoiy viloyati Navoiy shahar" names the region AND the city."""
    best = (0.0, None, "")
    best_rank = (False, 0.0, False)
    for bi, i, n, s in sorted(windows):  # base by base, left to right: the first of equals wins
        nxt = tokens[i + n] if i + n < len(tokens) else ""
        # a name that starts with its designator carries it: "город Ташкент", "Республика Каракалпакстан"
        designator = _designator(place.bases[bi].split()[0]) if n > 1 else None
        designator = designator or _designator(nxt)
        if designator is None and i > 0 and tokens[i - 1] in _DESIGNATORS_BEFORE:
            designator = "city"  # Russian puts it first: "город Андижан", "г. Нукус" (not "… shahri X")
        cand = (s, designator, " ".join(tokens[i : i + n + (1 if designator else 0)]))
        rank = (_fits(place, designator), s, designator is not None)
        if rank > best_rank:
            best, best_rank = cand, rank
    return best


def _evidence(place: Place, tokens: list[str], windows: list[tuple[int, int, int, float]]) -> tuple[float, str]:
    s, designator, matched = _find(place, tokens, windows)
    if s < MIN_WORD:
        return 0.0, ""
    if place.kind == "region":
        # Toshkent shahri is a region-level unit written with the city designator
        want = ("city",) if "shahri" in place.name_latn else ("region",)
    else:
        want = ("city", "district")
    if designator is None:
        if place.bases[0] in _NEEDS_DESIGNATOR or any(b in _NEEDS_DESIGNATOR for b in place.bases):
            return 0.0, ""
        return s - BARE_PENALTY, f"'{matched}' (no designator)"
    if designator not in want:
        return 0.0, ""  # "Buxoro viloyati" is no evidence for Buxoro tumani, nor the reverse
    # "Toshkent shahri" is the region 1726 as well as a city; "Andijon tumani" != "Andijon" city
    if (place.kind, designator) in (("district", "city"), ("city", "district")):
        return 0.0, ""  # "Buxoro shahri" names the city, not Buxoro tumani
    return s, f"'{matched}'"


def _band(score: float) -> str:
    return "auto" if score >= AUTO else "review" if score >= REVIEW else "none"


def match_place(text: str | None) -> PlaceMatch:
    """Region and district named in `text` (title block, heading or file name), either script."""
    tokens = _tokens(text or "")
    if not tokens:
        return PlaceMatch(None, None, None, None, 0.0, "none", "empty text")
    region_hits, local_hits = _place_hits(tokens)
    if not local_hits and not region_hits:
        return PlaceMatch(None, None, None, None, 0.0, "none", "no region or district name found")
    if not local_hits:
        return _region_match(region_hits)
    return _local_match(local_hits, region_hits[0] if region_hits else None)


_Hit = tuple[float, Place, str]  # (score, place, why)


def _place_hits(tokens: list[str]) -> tuple[list[_Hit], list[_Hit]]:
    """The regions and the districts/cities the tokens name, each best first."""
    region_hits: list[_Hit] = []
    local_hits: list[_Hit] = []
    places = load_places()
    for pi, windows in sorted(_window_hits(tokens).items()):
        p = places[pi]
        s, why = _evidence(p, tokens, windows)
        if s <= 0:
            continue
        (region_hits if p.kind == "region" else local_hits).append((s, p, why))
    region_hits.sort(key=lambda h: -h[0])
    local_hits.sort(key=lambda h: -h[0])
    return region_hits, local_hits


def _region_match(region_hits: list[_Hit]) -> PlaceMatch:
    """A region named and no district: the best region, less sure when another is as likely."""
    s, p, why = region_hits[0]
    ambiguous = len(region_hits) > 1 and region_hits[1][0] >= s - 3
    score = s - (10 if ambiguous else 0)
    return PlaceMatch(p.region_id, p.name_latn, None, None, round(score, 1), _band(score),
                      f"region {why}" + (", another region as likely" if ambiguous else ""),
                      [(h[1].region_id, round(h[0], 1)) for h in region_hits[:3]])


def _local_match(local_hits: list[_Hit], region: _Hit | None) -> PlaceMatch:
    """The best district or city, checked against the region named beside it (`region`, if any)."""
    best = local_hits[0]
    # a different district as likely as this one (same name in two regions, or near-identical names)
    rivals = [h for h in local_hits[1:] if h[0] >= best[0] - 3 and h[1].region_id != best[1].region_id]
    if region is not None:
        in_region = _best_in_region(local_hits, region, best)
        if in_region is not best:
            best, rivals = in_region, []
    s, p, why = best
    reasons = [f"{p.kind} {why}"]
    if region is not None:
        s = _region_agreement(s, p, region, reasons)
    if rivals:
        s -= 10
        reasons.append(f"also like {rivals[0][1].name_latn} ({rivals[0][1].district_id})")
    reg = _regions()[p.region_id]
    score = round(max(0.0, s), 1)
    return PlaceMatch(reg.region_id, reg.name_latn, p.district_id, p.name_latn, score, _band(score),
                      "; ".join(reasons), [(h[1].district_id, round(h[0], 1)) for h in local_hits[:3]])


def _best_in_region(local_hits: list[_Hit], region: _Hit, best: _Hit) -> _Hit:
    """The named region decides between near-equal district names: its best district when that is
    another place scoring within 5 of `best`, else `best`."""
    in_region = [h for h in local_hits if h[1].region_id == region[1].region_id]
    if in_region and in_region[0][1] is not best[1] and in_region[0][0] >= best[0] - 5:
        return in_region[0]
    return best


def _region_agreement(s: float, p: Place, region: _Hit, reasons: list[str]) -> float:
    """The district's score once the region named beside it agrees (+2) or names another (a penalty);
    the reason is added to `reasons`."""
    if p.region_id == region[1].region_id:
        reasons.append(f"region {region[2]} agrees")
        return min(100.0, s + 2)
    reasons.append(f"but region {region[2]} is {region[1].name_latn}")
    return s - CONFLICT_PENALTY


@lru_cache(maxsize=1)
def _multiword_bases() -> dict[str, int]:
    """Base names of more than one word ("sharof rashidov", "mirzo ulugʻbek") and their word counts."""
    return {b: b.count(" ") + 1 for p in load_places() for b in p.bases if " " in b}


def name_words_before(words: list[str]) -> int:
    """How many of the last `words` (the words written before a designator such as "tumani") make one
    gazetteer name: 2 for "… Шароф Рашидов" (Sharof Rashidov tumani), else 1. A two-word district cut
    to its last word ("Рашидов тумани") names no place at all."""
    multi = _multiword_bases()
    for k in range(min(len(words), max(multi.values(), default=1)), 1, -1):
        span = " ".join(words[-k:])
        if not any(_designator(t) for t in match_key(span).split()) and _base_key(span) in multi:
            return k
    return 1


def place_by_id(district_id: str) -> Place | None:
    """The gazetteer entry of a district or city id."""
    return next((p for p in load_places() if p.district_id == district_id), None)


def local_place_name(text: str | None) -> str | None:
    """The district or city that `text` names beyond doubt (band auto), written as the gazetteer
    writes it ("Buxoro tumani", "Buxoro shahri"); None when it names none, or only a region.
    A file name is evidence only through this: "Ish_rejasi_2025" names no place."""
    found = match_place(text)
    if found.band != "auto" or not found.district_id:
        return None
    place = place_by_id(found.district_id)
    if place is None:
        return None
    name = place.name_latn
    return f"{name} shahri" if place.kind == "city" and not _SUFFIX_WORDS.search(match_key(name)) else name
