"""The gazetteer look-up compares every base name with every window of the text in one vectorised pass
(`_window_hits`); it must find exactly the windows a plain comparison of each name with each window
finds, with the same scores."""

from __future__ import annotations

import random

from rapidfuzz import fuzz
from reja.normalize import places
from reja.normalize.keys import match_key


def _plain_hits(tokens: list[str]) -> dict[int, list[tuple[int, int, int, float]]]:
    """The reference: each base of each place against each window, in Python."""
    out: dict[int, list[tuple[int, int, int, float]]] = {}
    for pi, place in enumerate(places.load_places()):
        for bi, base in enumerate(place.bases):
            n = base.count(" ") + 1
            for i in range(len(tokens) - n + 1):
                named = any(places._designator(t) for t in base.split())
                if any(places._designator(t) for t in tokens[i : i + n]) and not named:
                    continue  # "shahri" is no place name, unless the name has such a word
                win = " ".join(tokens[i : i + n])
                score = fuzz.ratio(base, win)
                if len(win) > len(base) + 1 and len(base) >= 4:
                    score = max(score, fuzz.ratio(base, win[: len(base)]) * 0.97)
                if score >= places.MIN_WORD:
                    out.setdefault(pi, []).append((bi, i, n, score))
    return {k: sorted(v) for k, v in out.items()}


def _texts(count: int) -> list[str]:
    rng = random.Random(17)
    words = [w for p in places.load_places() for w in (*p.name_latn.split(), *p.name_cyrl.split())]
    words += "axborot-kutubxona markazi ish rejasi viloyati tumani shahar shahri город район g. sh.".split()
    words += ["Toshkent shahrining tumanlari", "Районы города Ташкента", "город Ташкент"]  # names with such words
    texts = []
    for _ in range(count):
        ws = [rng.choice(words) for _ in range(rng.randint(1, 8))]
        k = rng.randrange(len(ws))
        if rng.random() < 0.4:
            ws[k] += rng.choice(["dagi", "ning", "ga", "ни"])  # inflected: the prefix comparison
        elif rng.random() < 0.4 and len(ws[k]) > 3:
            j = rng.randrange(len(ws[k]))
            ws[k] = ws[k][:j] + ws[k][j + 1 :]  # a typo: a score between MIN_WORD and 100
        texts.append(" ".join(ws))
    return texts


def test_indexed_windows_equal_the_plain_comparison():
    for text in _texts(300):
        tokens = match_key(text).split()
        got = {k: sorted((b, i, n, round(s, 6)) for b, i, n, s in v) for k, v in places._window_hits(tokens).items()}
        want = {k: [(b, i, n, round(s, 6)) for b, i, n, s in v] for k, v in _plain_hits(tokens).items()}
        assert got == want, text


def test_two_word_names_and_inflected_names_are_windows():
    tokens = match_key("Жиззах вилояти Шароф Рашидов тумани Jondordagi").split()
    hits = places._window_hits(tokens)
    named = {places.load_places()[pi].name_latn for pi in hits}
    assert {"Jizzax viloyati", "Sharof Rashidov tumani", "Jondor tumani"} <= named
