"""Plans in the 2026 Latin alphabet (ş ç ö ğ for sh ch o‘ g‘) read by a model that lacks them.

Debian's `uzb` model has none of the four letters: it reads ş as s, ç as g, ö as o (or 6), ğ as g
("uçraşuvlar" → "ugrasuvlar", "çorak" → "gorak"). The result is neither alphabet, and a clerk would
not see it. So the words are compared with the project's vocabulary (the Latin words of the data
files): a word that is not in it, but is exactly how the model reads a vocabulary word written in
the 2026 letters, lost them. When such words outnumber the vocabulary words read with sh/ch/o‘/g‘
intact (or the typed pages of the same file use the new letters), the document is in the 2026
alphabet: every row with such a word gets `ocr_alphabet` naming the words, rather than silently
wrong Latin. Nothing is rewritten: the clerk sees the row and the crop.
"""

from __future__ import annotations

import re
from functools import lru_cache

from reja.extract.ir import Document
from reja.normalize.translit import uses_new_latin

from .lexicon import data_strings

_APOSTROPHES = "'‘’ʻʼ`"
_WORD_RE = re.compile(rf"[^\W\d_]+(?:[{_APOSTROPHES}][^\W\d_]+)*|[^\W_]*6[^\W\d_]+")
_LATIN_RE = re.compile(r"^[a-z6" + _APOSTROPHES + "]+$")
MIN_LOST = 3  # distinct words, so that one odd word does not make a document "2026"


def _fold(word: str) -> str:
    return re.sub(f"[{_APOSTROPHES}]", "'", word.lower())


def model_reading(word_1995: str) -> str:
    """How the uzb model reads a 1995-alphabet word once written in 2026 letters."""
    w = _fold(word_1995)
    w = w.replace("o'", "ö").replace("g'", "ğ").replace("sh", "ş").replace("ch", "ç")
    return w.replace("ş", "s").replace("ç", "g").replace("ö", "o").replace("ğ", "g")


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[frozenset[str], dict[str, str]]:
    """(Latin vocabulary words folded, {model reading: word} for the words that hold sh/ch/o‘/g‘)."""
    words: set[str] = set()
    for s in data_strings():
        for w in _WORD_RE.findall(s):
            f = _fold(w)
            if len(f) >= 4 and _LATIN_RE.match(f):
                words.add(f)
    readings: dict[str, str] = {}
    for w in sorted(words):
        if any(d in w for d in ("sh", "ch", "o'", "g'")):
            r = model_reading(w)
            if r not in words:  # "sahar" is a word of its own: its reading proves nothing
                readings.setdefault(r, w)
    return frozenset(words), readings


def lost_words(text: str) -> list[tuple[str, str]]:
    """(word as read, vocabulary word it stands for) for each word of `text` that lost 2026 letters."""
    vocab, readings = _vocabulary()
    out = []
    for w in _WORD_RE.findall(text):
        f = _fold(w).replace("6", "o")
        if f in vocab or f not in readings:
            continue
        out.append((w, readings[f]))
    return out


def intact_words(text: str) -> int:
    """Vocabulary words read with sh/ch/o‘/g‘ as the 1995 alphabet writes them."""
    vocab, _r = _vocabulary()
    return sum(1 for w in _WORD_RE.findall(text) if (f := _fold(w)) in vocab
               and any(d in f for d in ("sh", "ch", "o'", "g'")))


def _in_2026(texts: list[str], lost: list[tuple[str, str]], hint: bool) -> bool:
    """The document is in the 2026 alphabet: the hint, its text's new letters, or enough lost words
    (≥ MIN_LOST distinct, no fewer than the words read with sh/ch/o‘/g‘ intact)."""
    everything = "\n".join(texts)
    distinct = {w.lower() for w, _ in lost}
    return hint or uses_new_latin(everything) or (len(distinct) >= MIN_LOST and len(lost) >= intact_words(everything))


def _flag_rows(table) -> int:
    """An `ocr_alphabet` note on the first cell of each row with lost letters; returns rows flagged."""
    rows: dict[int, list[str]] = {}
    first_cell = {}
    for cell in table.cells:
        found = lost_words(cell.text)
        if found:
            rows.setdefault(cell.row, []).extend(f"{w}→{orig}" for w, orig in found)
            first_cell.setdefault(cell.row, cell)
    for row, words in rows.items():
        cell = first_cell[row]
        box = ",".join(str(int(v)) for v in cell.bbox) if cell.bbox else "?"
        shown = ", ".join(dict.fromkeys(words))
        cell.notes.append(f"ocr_alphabet: {shown} (2026 letters ş ç ö ğ lost in OCR) box {box}")
    return len(rows)


def mark_lost_letters(doc: Document, *, hint: bool = False) -> int:
    """Flag (cell note `ocr_alphabet`) the rows whose words lost 2026 letters, when the document is
    in that alphabet; `hint`: the file's typed text uses the new letters. Returns rows flagged."""
    texts = [c.text for t in doc.tables for c in t.cells] + [p.text for p in doc.paragraphs]
    lost = [pair for text in texts for pair in lost_words(text)]
    if not lost or not _in_2026(texts, lost, hint):
        return 0
    flagged = sum(_flag_rows(table) for table in doc.tables)
    distinct = {w.lower() for w, _ in lost}
    doc.warnings.append(
        f"the plan is written in the 2026 Latin alphabet (ş ç ö ğ), which the OCR model cannot read: "
        f"{len(distinct)} words lost those letters; {flagged} rows flagged ocr_alphabet"
    )
    return flagged
