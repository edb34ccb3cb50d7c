"""Upper or lower case of a cell's first letter, decided by its height on the page.

For letters whose small form is the capital shrunk (Cyrillic С/с, О/о, Н/н …), Tesseract's choice
follows its language model: a cell that starts a "sentence" gets a capital ("сони" → "Сони").
The page says otherwise: a capital stands as tall as the cap height, a small letter as the
x-height of the letters beside it.
"""

from __future__ import annotations

import cv2
import numpy as np

from .ocr import OcrResult, Word

# A first letter no taller than this × the median height of the word's other letters is small.
SMALL_RATIO = 1.15


def _letter_boxes(word_img: np.ndarray) -> list[tuple[int, int]]:
    """(top, bottom) of the ink of each run of ink columns (≈ one letter each), left to right."""
    _t, bw = cv2.threshold(word_img, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    cols = bw.max(axis=0) > 0
    boxes = []
    x = 0
    n = len(cols)
    while x < n:
        if not cols[x]:
            x += 1
            continue
        start = x
        while x < n and cols[x]:
            x += 1
        rows = np.nonzero(bw[:, start:x].max(axis=1))[0]
        if x - start >= 2 and len(rows):
            boxes.append((int(rows[0]), int(rows[-1])))
    return boxes


def first_letter_case(res: OcrResult, crop: np.ndarray) -> tuple[OcrResult, list[str]]:
    """Lower-case the first letter when it stands no taller above the baseline than the word's
    x-height. Heights are measured from the baseline (median bottom) to each letter's top, and the
    x-height is the median over the other letters, so descenders (р, у) and a few ascenders (б, й)
    do not move it."""
    if not res.words:
        return res, []
    first = res.words[0]
    text = first.text
    if len(text) < 3 or not text[0].isalpha() or not text[0].isupper() or not text[1:].islower():
        return res, []
    x0, y0, x1, y1 = first.bbox
    pad = 2
    boxes = _letter_boxes(crop[max(y0 - pad, 0) : y1 + pad, max(x0 - pad, 0) : x1 + pad])
    if len(boxes) < 4:
        return res, []  # too few letters beside the first to know the x-height
    baseline = float(np.median([b for _t, b in boxes]))
    # Most small letters stop at the x-line; the lower quartile of tops skips ascenders and dots.
    x_height = baseline - float(np.percentile([t for t, _b in boxes[1:]], 75))
    first_height = baseline - boxes[0][0]
    if x_height <= 0 or first_height > SMALL_RATIO * x_height:
        return res, []
    new = text[0].lower() + text[1:]
    words = [Word(new, first.confidence, first.bbox, first.line), *res.words[1:]]
    return OcrResult(words), [f"case: first letter is x-height, {text!r} → {new!r}"]
