"""Which Tesseract model reads a document, then a check per cell and per word.

Measured on these plans: Debian's `uzb_cyrl` model reads Latin words as garbage and has no "/" or
"№", while a mixed `uzb_cyrl+uzb+rus` turns Latin words into Cyrillic look-alikes. So the script is
chosen once per document (a sample of cells read with the models until one is sure or clearly ahead:
mean confidence × letter statistics), and afterwards a word that came out unsure (or, in scan.yaml,
a whole unsure cell: off since session 7) is read again with the other model and replaced only when
that reading is both surer and in the other script.
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
                 min_cells: int | None = None, decided_ratio: float = 1.5, sure_score: float | None = None,
                 psm: int = 6, dpi: int = 300) -> ScriptChoice:
    """Read the same crops with each model; score = mean word confidence × share of letters in
    the model's own script (a model reading the wrong script is unsure AND emits odd letters).

    The crops are read one by one (inkiest first); once `min_cells` have been read with every
    model and the best score is `decided_ratio` times the next, the rest are not read. Measured on
    the 24 dev scans and photos of the variety corpus (issue 18): after 4 cells the winner led by
    ≥ 2.2× in every document and never changed with 12, and each model's sample costs ~0.2 s a cell.
    `sure_score`: a model whose score reaches it, above every model read so far, is chosen without
    reading the others (a model on its own script scores 85–97 on the first cell, on the other
    script 3–61: see scan.yaml). The scores of models not read are not reported."""
    confs: dict[str, list[float]] = {lang: [] for lang in candidates}
    texts: dict[str, list[str]] = {lang: [] for lang in candidates}

    def scores() -> dict[str, float]:
        return {lang: (float(np.mean(confs[lang])) if confs[lang] else 0.0)
                * _script_share(" ".join(texts[lang]), MODEL_SCRIPT.get(lang, "latin")) for lang in candidates
                if texts[lang]}

    for k, crop in enumerate(crops, start=1):
        for lang in candidates:
            res = ocr_crop(crop, lang, psm=psm, dpi=dpi)  # as the page's cells are read: one OCR a crop
            confs[lang].extend(w.confidence for w in res.words)
            texts[lang].append(res.text)
            now = scores()
            if sure_score is not None and now[lang] >= sure_score and now[lang] >= max(now.values()):
                return ScriptChoice(lang, now)
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


# A heading's first word: up to 4 glyphs, then the numeral's full stop (read as "," ":" ";" too) and maybe the
# title glued on; "1.1." (a sub-section) is no numeral slot.
_NUMERAL_SLOT_RE = re.compile(r"^([^\s.,:;]{1,4})([.,:;])(?!\d)[.,:;]*(.*)$")
STEM_BAND = (0.25, 0.75)  # rows of a glyph where I and 1 are nothing but their upright stroke
STEM_COVER = 0.85  # share of those rows a stem's column is inked
STEM_OTHER = 0.03  # ink beside the stems (a V's diagonal, an H's crossbar) above this share: not all stems
# A 1's flag runs down the left of its stem to ~20 % of the height; an I's serif stays in the top ~10 %
# (wide dev headings: every 1 ≥ 0.16, every I ≤ 0.11, scans and photos alike).
FLAG_DEPTH = 0.15
# What the models make of one to three stems before a full stop (the wide dev: "ITI.", "INI.", "TI.", "YI.", "H.",
# "1N.", "НП.", "И.", "11.", "{,", "П.", "Ш."; "IJ.", "IMI.", "HH." under a sub-pixel shift). A word of other
# letters ("L.Karimova", "U.") is not looked at; one letter ("Ш.", "И.", "T.") only as a table's heading:
# outside a table it may be a name's initial ("Ш.Рашидов" under the title block).
_STEM_MARKS = set("Il1{}[]|!І")
_STEM_LETTERS = set("TNYHJMПШИНТӀ")


def _glyphs_before_stop(img: np.ndarray) -> tuple[np.ndarray, int] | None:
    """(mask of the tall glyphs before the first full stop, their top row) of a word image, or None."""
    import cv2

    _t, bw = cv2.threshold(img, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    n, labels, stats, _ = components(bw)
    comps = [(int(x), int(y), int(w), int(h), k) for k, (x, y, w, h, a) in enumerate(stats) if k and a >= 4]
    if not comps:
        return None
    cap = max(c[3] for c in comps)
    tall = [c for c in comps if c[3] >= 0.6 * cap]
    base = float(np.median([c[1] + c[3] for c in tall]))
    stops = sorted(c for c in comps if c[3] <= 0.35 * cap and c[2] <= 0.5 * cap
                   and abs(c[1] + c[3] - base) <= 0.15 * cap and any(t[0] < c[0] for t in tall))
    # every tall glyph that starts before the stop: a "V." is kerned, its stop under the V's arm
    glyphs = [c for c in tall if stops and c[0] < stops[0][0]]
    if not glyphs:
        return None
    top, bottom = min(c[1] for c in glyphs), max(c[1] + c[3] for c in glyphs)
    left, right = min(c[0] for c in glyphs), max(c[0] + c[2] for c in glyphs)
    return np.isin(labels[top:bottom, left:right], [c[4] for c in glyphs]), top


def numeral_stems(img: np.ndarray) -> str | None:
    """The numeral before a word's full stop read from its strokes, when its glyphs are nothing but upright
    stems: "I", "II", "III" (an I's serifs stay at its top) or "1", "11" (a 1's flag runs down the left);
    None for anything else (V, X, a letter, no full stop). Tesseract's count of short numerals flips with
    the slightest change of the pixels ("III." read "II.", "II." read "III.": issue 18); strokes do not."""
    found = _glyphs_before_stop(img)
    if found is None:
        return None
    mask, _top = found
    h = mask.shape[0]
    band = mask[int(STEM_BAND[0] * h) : int(STEM_BAND[1] * h) + 1]
    if band.size == 0 or h < 8:
        return None
    full = band.mean(axis=0) >= STEM_COVER
    edges = np.diff(np.concatenate([[0], full.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if not 1 <= len(starts) <= 3:
        return None
    near = full.copy()
    for _ in range(2):  # a stem's anti-aliased edges are part of it
        near[1:] |= near[:-1].copy()
        near[:-1] |= near[1:].copy()
    if band[:, ~near].sum() > STEM_OTHER * band.sum():
        return None
    head = mask[: int(0.6 * h)]
    out = ""
    for k, a in enumerate(starts):
        lo = (ends[k - 1] + a) // 2 if k else 0
        rows = np.flatnonzero(head[:, lo : max(a - 1, lo)].any(axis=1))  # ink left of the stem, its edge aside
        out += "1" if len(rows) and (rows[-1] + 1) >= FLAG_DEPTH * h else "I"
    return out


def _stem_reading(numeral: str, in_table: bool) -> bool:
    """Whether the model's `numeral` may stand for one to three stems (see _STEM_MARKS). Outside a table's
    heading row no digit ("1." "11." are item numbers of a table without rulings, read line by line) and
    no lone letter (an initial)."""
    if not set(numeral) <= _STEM_MARKS | _STEM_LETTERS:
        return False
    if in_table:
        return True
    return not any(ch.isdigit() for ch in numeral) and (len(numeral) > 1 or numeral in "{}[]|!")


def stem_numeral(res: OcrResult, crop: np.ndarray, *, in_table: bool = True) -> tuple[OcrResult, list[str]]:
    """A heading's numeral read from its strokes (`numeral_stems`) instead of Tesseract's letters: "ITI.",
    "{.", "П.", "H." → "III.", "I.", "II.", "II."; a "1." without a flag down its left is "I."
    (the Cyrillic model reads every I so). A numeral of several stems is roman unless every one is a 1.
    The first word, with a lone full stop word after it when the model parted them."""
    if not res.words:
        return res, []
    first = res.words[0]
    text = first.text.strip()
    x0, y0, x1, y1 = first.bbox
    if len(res.words) > 1 and res.words[1].line == first.line and res.words[1].text.strip() in {".", ","}:
        text, x1 = text + res.words[1].text.strip(), res.words[1].bbox[2]
    m = _NUMERAL_SLOT_RE.match(text)
    if m is None or not _stem_reading(m.group(1), in_table):
        return res, []
    pad = 4
    read = numeral_stems(crop[max(y0 - pad, 0) : y1 + pad, max(x0 - pad, 0) : x1 + pad])
    if read is None:
        return res, []
    numeral = read if set(read) == {"1"} else "I" * len(read)
    if numeral == m.group(1) and m.group(2) == ".":
        return res, []
    new = numeral + "." + m.group(3)
    words = [Word(new, first.confidence, (x0, y0, x1, y1), first.line)]
    words += res.words[2:] if text != first.text.strip() else res.words[1:]
    return OcrResult(words), [f"roman: {text!r} read from its strokes as {new!r}"]


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


def _word_kept(w: Word, word_retry: float, caps_lines: set, odd_retry: float = 100) -> bool:
    """A sure word (unless odd capitals outside a line of capitals, below `odd_retry`), a number, a
    word of < 3 letters. A word with odd capitals read at `odd_retry` or surer is kept: on the 32 dev
    scans and photos 97 such words (confidence ≥ 90) were read again and none of them won (issue 18)."""
    sure = w.confidence >= word_retry
    odd = _odd_capitals(w.text) and w.line not in caps_lines and w.confidence < odd_retry
    return bool(sure and not odd or _KEEP_WORD_RE.match(w.text.strip())
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
                 margin: float, min_conf: float = 80, fallback: dict | None = None,
                 odd_retry: float = 100) -> tuple[OcrResult, list[str]]:
    """Re-read an unsure cell (below `cell_retry`; 0: never), then its unsure words, with the other
    script's model."""
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
        alt = None if _word_kept(w, word_retry, caps_lines, odd_retry) else _reread_word(w, crop, other, margin, min_conf)
        if alt is not None:
            changed.append(f"{w.text}→{alt.text}")
        words.append(alt or w)
    if changed:
        notes.append(f"mixed_script: words re-read with {other}: " + ", ".join(changed))
        res = OcrResult(words)
    return res, notes
