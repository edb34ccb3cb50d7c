"""Which Tesseract model reads a document, then a check per cell and per word.

Measured on these plans: Debian's `uzb_cyrl` model reads Latin words as garbage and has no "/" or
"№", while a mixed `uzb_cyrl+uzb+rus` turns Latin words into Cyrillic look-alikes. So the script is
chosen once per document (a sample of cells read with both models, the better mean confidence and
letter statistics win), and afterwards a cell or word that came out unsure is read again with the
other model and replaced only when that reading is both surer and in the other script.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from reja.normalize.script import CYR_TO_LAT_LOOKALIKE, LAT_TO_CYR_LOOKALIKE
from reja.normalize.script import detect_script as shared_detect_script

from .components import components
from .ocr import OcrResult, Word, ocr_crop

MODEL_SCRIPT = {"uzb": "latin", "uzb_cyrl": "cyrillic"}


def detect_script(text: str) -> str:
    """"latin", "cyrillic", "mixed" or "none": the normaliser's detector."""
    try:
        return str(shared_detect_script(text))
    except Exception:  # noqa: BLE001 - fall back to counting letters below
        pass
    latin = sum(1 for ch in text if ch.isalpha() and ch.isascii())
    cyr = sum(1 for ch in text if "\u0400" <= ch <= "\u04ff")
    if latin == 0 and cyr == 0:
        return "none"
    if latin and cyr:
        share = max(latin, cyr) / (latin + cyr)
        if share < 0.9:
            return "mixed"
    return "latin" if latin > cyr else "cyrillic"


def _script_share(text: str, script: str) -> float:
    latin = sum(1 for ch in text if ch.isalpha() and ch.isascii())
    cyr = sum(1 for ch in text if "\u0400" <= ch <= "\u04ff")
    total = latin + cyr
    if not total:
        return 0.0
    return (latin if script == "latin" else cyr) / total


@dataclass
class ScriptChoice:
    lang: str
    scores: dict[str, float]

    def note(self) -> str:
        parts = ", ".join(f"{k} {v:.1f}" for k, v in sorted(self.scores.items()))
        return f"OCR model {self.lang} chosen for the document (score: {parts})"


def choose_model(crops: list[np.ndarray], candidates: tuple[str, ...] = ("uzb", "uzb_cyrl"), *,
                 min_cells: int | None = None, decided_ratio: float = 1.5, psm: int = 6, dpi: int = 300) -> ScriptChoice:
    """Read the same crops with each model; score = mean word confidence × share of letters in
    the model's own script (a model reading the wrong script is unsure AND emits odd letters).

    The crops are read one by one (inkiest first); once `min_cells` have been read with every
    model and the best score is `decided_ratio` times the next, the rest are not read. Measured on
    the 24 dev scans and photos of the variety corpus (issue 18): after 4 cells the winner led by
    ≥ 2.2× in every document and never changed with 12, and each model's sample costs ~0.2 s a cell."""
    confs: dict[str, list[float]] = {lang: [] for lang in candidates}
    texts: dict[str, list[str]] = {lang: [] for lang in candidates}

    def scores() -> dict[str, float]:
        return {lang: (float(np.mean(confs[lang])) if confs[lang] else 0.0)
                * _script_share(" ".join(texts[lang]), MODEL_SCRIPT.get(lang, "latin")) for lang in candidates}

    for k, crop in enumerate(crops, start=1):
        for lang in candidates:
            res = ocr_crop(crop, lang, psm=psm, dpi=dpi)  # as the page's cells are read: one OCR a crop
            confs[lang].extend(w.confidence for w in res.words)
            texts[lang].append(res.text)
        if min_cells is not None and k >= min_cells and len(candidates) > 1:
            ranked = sorted(scores().values(), reverse=True)
            if ranked[0] > 0 and ranked[0] >= decided_ratio * ranked[1]:
                break
    final = scores()
    best = max(final, key=lambda k: final[k]) if final else candidates[0]
    return ScriptChoice(best, final)


def other_model(lang: str) -> str:
    return "uzb" if lang == "uzb_cyrl" else "uzb_cyrl"


def _lookalikes() -> set[str]:
    """Letters with a twin in the other script (Latin "o"/Cyrillic "о", "M"/"М" …)."""
    return set(LAT_TO_CYR_LOOKALIKE) | set(LAT_TO_CYR_LOOKALIKE.values())


# A word of fewer letters is not read again with the other model: specks and stamp ink read as "b", "kk",
# "NX"; a real one- or two-letter word comes back as look-alike twins or the same shapes, which
# _plausible refuses. On the 24 dev scans/photos the 9 re-reads that won were words of 5+ letters.
MIN_RETRY_LETTERS = 3
_KEEP_WORD_RE = re.compile(r"^[\dIVXLC.,:;()/–—-]+$")  # numbers, roman numerals: never re-read


def _plausible(text: str, script: str, original: str, conf: float, min_conf: float) -> bool:
    """A reading in the other script that is believable: in that script, sure in absolute terms,
    and not made only of letters that have a twin in the original script. The Latin model reads
    lower-case Cyrillic as look-alike capitals ("ном/нусха" → "HOM/HYCXa") and "No" comes back
    from the Cyrillic model as "Мо"; a real Latin word ("CD/DVD", "Online") has letters that
    Cyrillic lacks."""
    if detect_script(text) != script or conf < min_conf:
        return False
    letters = [ch for ch in text if ch.isalpha()]
    twins = _lookalikes()
    if twins and letters and all(ch in twins for ch in letters):
        return False
    if _same_shapes(text, original):
        return False
    return not _KEEP_WORD_RE.match(original.strip())


def _same_shapes(alt: str, original: str) -> bool:
    """The alternative is the original's own letters in the other alphabet, but for one or two
    ("АКМга" → "AKMra"): a script swap of the same shapes, not a word of the other script."""
    from rapidfuzz.distance import Levenshtein

    table = {**LAT_TO_CYR_LOOKALIKE, **CYR_TO_LAT_LOOKALIKE}
    mapped = "".join(table.get(ch, ch) for ch in alt)
    a, b = alt.strip(), original.strip()
    return Levenshtein.distance(mapped.strip(), b) <= max(1, len(b) // 4) and Levenshtein.distance(a, b) > 0


def _capital_lines(res: OcrResult) -> set[int]:
    """Lines of two or more words all in capitals (a heading, a title): there capitals are the typing,
    not the trace of a word in the other script, so a sure word of such a line is not read again (on
    the dev scans and photos those re-reads never won and were ~a third of all word re-reads)."""
    by_line: dict[int, list[str]] = {}
    for w in res.words:
        letters = [ch for ch in w.text if ch.isalpha()]
        if len(letters) >= 2:
            by_line.setdefault(w.line, []).append("".join(letters))
    return {line for line, ws in by_line.items() if len(ws) >= 2 and all(t.isupper() for t in ws)}


def _odd_capitals(word: str) -> bool:
    """Capitals where a word of this script would not have them: the trace of a word in the other
    script read letter by letter ("Online" → "ОпПпе", "CD/DVD" → "СПОЮШУР")."""
    letters = [ch for ch in word if ch.isalpha()]
    if len(letters) < 2:
        return False
    inner_cap = any(a.islower() and b.isupper() for a, b in zip(letters, letters[1:], strict=False))
    return inner_cap or all(ch.isupper() for ch in letters)


ROMAN_RE = re.compile(r"^[IVXLC]{1,6}$")
# A word that may hold a roman numeral the Cyrillic model read as letters: 1-5 capitals, then
# "." (a section heading: "П." for "II.") or "-" (a quarter in a deadline: "П-чорак").
# The model also writes a lone "I" as a bracket or a bar ("{. Тадбирлар" for "I. Тадбирлар": the heading
# was then no section and joined the header above it, variety scan 1019: 0 of 5 items).
_ROMAN_SLOT_RE = re.compile(r"^([А-ЯЎҚҒҲЁ1{}\[\]|!]{1,5})([.-].*)$")
_NOT_A_DIGIT = re.compile(r"[^\d]")


def _roman_reading(word: Word, crop: np.ndarray, lang: str, min_conf: float) -> str | None:
    """The word with its leading roman numeral re-read by the Latin model, or None."""
    m = _ROMAN_SLOT_RE.match(word.text.strip())
    if not m or not _NOT_A_DIGIT.search(m.group(1)):  # "1." is an item number, not a misread numeral
        return None
    x0, y0, x1, y1 = word.bbox
    pad = 4
    sub = crop[max(y0 - pad, 0) : y1 + pad, max(x0 - pad, 0) : x1 + pad]
    if (m.group(2) or "").startswith("-"):
        # Read only up to the hyphen: the Latin model's garbage for the Cyrillic rest of the word
        # ("II-topak") would sink the confidence of the numeral.
        end = _hyphen_end(sub)
        if end is None:
            return None
        sub = sub[:, : end + 2]
    alt = ocr_crop(sub, other_model(lang), psm=7)  # psm 7 (one line) is surer than 8 (one word) on word crops
    alt_text = "".join(w.text for w in alt.words)
    numeral = re.split(r"[.-]", alt_text, maxsplit=1)[0]
    if not ROMAN_RE.match(numeral) or (alt.confidence or 0) < min_conf:
        return None
    if "".join(LAT_TO_CYR_LOOKALIKE.get(ch, ch) for ch in numeral) == m.group(1):
        return None  # "Х." typed with the Cyrillic letter stays as typed
    return numeral + (m.group(2) or "")


def _hyphen_end(word_img: np.ndarray) -> int | None:
    """Right edge of the first hyphen in a word image: a flat dash near the middle of the height."""
    import cv2

    _t, bw = cv2.threshold(word_img, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    n, _l, stats, _ = components(bw)
    h = word_img.shape[0]
    dashes = [(x, x + w) for x, y, w, hh, _a in (stats[k] for k in range(1, n))
              if w >= 1.5 * hh and hh <= 0.2 * h and h * 0.25 <= y + hh / 2 <= h * 0.8]
    return int(min(dashes)[1]) if dashes else None


def roman_numerals(res: OcrResult, crop: np.ndarray, lang: str, *, first_only: bool = False,
                   min_conf: float = 45) -> tuple[OcrResult, list[str]]:
    """Roman numerals read by the Cyrillic model as Cyrillic letters ("II." → "П.", "VIII." → "УШ.",
    "II-чорак" → "П-чорак"), re-read with the Latin model: a heading's first word, or any word of a
    cell that starts with 1-5 capitals followed by "." or "-". A low bar on confidence (45): the
    Latin reading must also be nothing but roman numerals before the same separator."""
    if MODEL_SCRIPT.get(lang) != "cyrillic" or not res.words:
        return res, []
    words = list(res.words)
    notes = []
    for k, word in enumerate(words[:1] if first_only else words):
        new = _roman_reading(word, crop, lang, min_conf)
        if new is not None and new != word.text:
            notes.append(f"roman: {word.text!r} re-read as {new!r}")
            words[k] = Word(new, word.confidence, word.bbox, word.line)
    return (OcrResult(words), notes) if notes else (res, [])


def symbol_fallback(res: OcrResult, crop: np.ndarray, fallback: dict | None) -> tuple[OcrResult, list[str]]:
    """A short cell re-read with a model that has symbols the document's model lacks
    (Debian's uzb_cyrl has no "№"): taken only when that reading contains such a symbol."""
    if not fallback or len(res.text.strip()) > int(fallback.get("max_chars", 3)):
        return res, []
    if not any(ch.isalpha() for ch in res.text):
        # "1.", "25": item numbers and values are most short cells; the symbol ("№") comes back as
        # letters ("Ме", "Мо"). On 3 dev Cyrillic documents 45 of 47 short cells were such numbers.
        return res, []
    alt = ocr_crop(crop, fallback["model"], psm=7)
    if any(sym in alt.text for sym in fallback.get("symbols", [])):
        return alt, [f"symbol: re-read with {fallback['model']}: {res.text!r} → {alt.text!r}"]
    return res, []


def _reread_cell(res: OcrResult, crop: np.ndarray, other: str, *, cell_retry: float, margin: float,
                 min_conf: float) -> tuple[OcrResult, list[str]] | None:
    """The whole cell read with the other model when unsure, and taken when clearly surer and plausible."""
    conf = res.confidence or 0.0
    # A reading _plausible would refuse whatever the other model says (numbers, roman numerals) is
    # not read again: on the dev scans and photos most re-reads were such cells and words (issue 18).
    if conf >= cell_retry or _KEEP_WORD_RE.match(res.text.strip()):
        return None
    alt = ocr_crop(crop, other)
    alt_conf = alt.confidence or 0.0
    if alt_conf > conf + margin and _plausible(alt.text, MODEL_SCRIPT[other], res.text, alt_conf, min_conf):
        return alt, [f"mixed_script: cell re-read with {other} ({conf:.0f} → {alt.confidence:.0f})"]
    return None


def _word_kept(w: Word, word_retry: float, caps_lines: set) -> bool:
    """A sure word (unless odd capitals outside a line of capitals), a number, a word of < 3 letters."""
    sure = w.confidence >= word_retry
    return bool(sure and not (_odd_capitals(w.text) and w.line not in caps_lines) or _KEEP_WORD_RE.match(w.text.strip())
                or sum(ch.isalpha() for ch in w.text) < MIN_RETRY_LETTERS)


def _reread_word(w: Word, crop: np.ndarray, other: str, margin: float, min_conf: float) -> Word | None:
    """The word read with the other model, when clearly surer and plausible; None otherwise."""
    x0, y0, x1, y1 = w.bbox
    pad = 4
    sub = crop[max(y0 - pad, 0) : y1 + pad, max(x0 - pad, 0) : x1 + pad]
    alt = ocr_crop(sub, other, psm=7)  # psm 7 (one line) is surer than 8 (one word) on word crops
    alt_text = " ".join(a.text for a in alt.words)
    alt_conf = alt.confidence or 0.0
    if alt.words and alt_conf > w.confidence + margin and _plausible(alt_text, MODEL_SCRIPT[other], w.text, alt_conf,
                                                                     min_conf):
        return Word(alt_text, alt_conf, w.bbox, w.line)
    return None


def recheck_cell(res: OcrResult, crop: np.ndarray, lang: str, *, cell_retry: float, word_retry: float,
                 margin: float, min_conf: float = 80, fallback: dict | None = None) -> tuple[OcrResult, list[str]]:
    """Re-read an unsure cell, then its unsure words, with the other script's model."""
    if not res.words:
        return res, []
    res, notes = symbol_fallback(res, crop, fallback)
    if notes:
        return res, notes
    other = other_model(lang)
    whole = _reread_cell(res, crop, other, cell_retry=cell_retry, margin=margin, min_conf=min_conf)
    if whole is not None:
        return whole
    words: list[Word] = []
    changed = []
    caps_lines = _capital_lines(res)
    for w in res.words:
        alt = None if _word_kept(w, word_retry, caps_lines) else _reread_word(w, crop, other, margin, min_conf)
        if alt is not None:
            changed.append(f"{w.text}→{alt.text}")
        words.append(alt or w)
    if changed:
        notes.append(f"mixed_script: words re-read with {other}: " + ", ".join(changed))
        res = OcrResult(words)
    return res, notes
