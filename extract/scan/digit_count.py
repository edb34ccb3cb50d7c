"""How many digits a value cell's ink holds, against how many its reading has (issue 18).

Tesseract drops or merges thin upright digits on a phone photo: "11" read as "1" or "1n", "111" as "11",
a lone "1" read as nothing. The digits of a value are glyphs of one height on one line, and a table's
value cells share that height (`digit_h`, the median of the cells read as numbers), so the ink can be
counted without reading it: each connected blot of a digit's height is one digit, or several touching
ones as wide as a digit's advance times their number (the typed digits of a font share one advance).
A count that disagrees with the reading is a doubt; one that is made of nothing but separate 1s (a thin
upright stroke with its flag and foot) corrects a reading of 1s.
"""

from __future__ import annotations

import cv2
import numpy as np

from .components import components

# Digit glyph of a typed font: ink height within these shares of the table's digit height.
DIGIT_HEIGHT = (0.75, 1.3)
# Pieces narrower than this share of the digit height, or flatter than ACCENT_HEIGHT, beside the digits
# (a comma, a full stop, a dash) are not digits. A blot shorter than a digit and taller than that is
# a broken digit or something unknown: no count.
ACCENT_HEIGHT = 0.45
# A digit's advance in a typed font is ~0.75 of its height (Times/Liberation Serif 0.5 em over digits of
# ~0.66 em); a run of n touching digits is ~ (n - 1) advances plus one digit's ink (~0.6 of the height).
ADVANCE = 0.75
INK = 0.6
# n touching digits are counted only when the run's width is within this share of an advance of the
# width n digits would have: a width between two counts says nothing.
COUNT_SLACK = 0.35
# A 1: a thin upright stroke with its flag and foot, narrower than any other digit.
ONE_WIDTH = (0.3, 0.52)


def digit_glyphs(ink: np.ndarray, digit_h: float) -> list[tuple[int, int, int, int]] | None:
    """(x, y, w, h) of the digit-sized glyphs of a cell's ink crop, left to right (pieces overlapping
    in x joined: a digit broken in two); None when some blot is neither a digit nor a small mark."""
    n, _labels, stats, _c = components(np.ascontiguousarray(ink))
    if n <= 1:
        return []
    big = max(int(stats[1:, cv2.CC_STAT_AREA].max()), 1)
    boxes = sorted((int(x), int(y), int(x + w), int(y + h)) for x, y, w, h, a in stats[1:n]
                   if a >= max(4, 0.08 * big))  # dust beside the digits
    joined: list[list[int]] = []
    for x0, y0, x1, y1 in boxes:
        if joined:
            j = joined[-1]
            overlap = min(j[2], x1) - max(j[0], x0)
            if overlap >= 0.5 * min(j[2] - j[0], x1 - x0):
                j[:] = [min(j[0], x0), min(j[1], y0), max(j[2], x1), max(j[3], y1)]
                continue
        joined.append([x0, y0, x1, y1])
    out = []
    for x0, y0, x1, y1 in joined:
        h = y1 - y0
        if DIGIT_HEIGHT[0] * digit_h <= h <= DIGIT_HEIGHT[1] * digit_h:
            out.append((x0, y0, x1 - x0, h))
        elif h > DIGIT_HEIGHT[1] * digit_h or h > ACCENT_HEIGHT * digit_h and (x1 - x0) > 0.2 * digit_h:
            return None  # taller than a digit (a letter, a ruling's piece) or a broken digit: no count
    return out


def count_digits(ink: np.ndarray, glyphs: list[tuple[int, int, int, int]], digit_h: float) -> int | None:
    """How many digits the glyphs of `ink` are (touching 1s counted by their strokes, other touching digits
    by their width), None when a glyph's width lies between two counts or the glyphs do not stand on one line."""
    if not glyphs:
        return 0
    bottoms = [y + h for _x, y, _w, h in glyphs]
    if max(bottoms) - min(bottoms) > 0.3 * digit_h:
        return None  # not one line of digits
    total = 0
    for g in glyphs:
        ones = ones_in(ink, g, digit_h)
        if ones:
            total += ones
            continue
        n = (g[2] - INK * digit_h) / (ADVANCE * digit_h) + 1
        k = max(int(round(n)), 1)
        if abs(n - k) > COUNT_SLACK and n > 1:
            return None
        total += k
    return total


STEM_BAND = (0.3, 0.7)  # rows of a digit where a 1 is nothing but its upright stroke
STEM_COVER = 0.85  # share of those rows a stroke's column is inked
STEM_WIDTH = 0.25  # a 1's stroke is ~0.15 of its height wide
FLAG_ROWS = (0.05, 0.3)  # rows where a 1's flag runs down the left of its stroke


def ones_in(ink: np.ndarray, glyph: tuple[int, int, int, int], digit_h: float) -> int:
    """How many 1s the glyph is: 1 for a lone 1's shape (a thin upright stroke of a digit's height), k for k
    strokes run together at their feet, each with a flag down its left and one digit's advance apart; 0 for
    anything else (a 0's sides are strokes too, but closer, and its left one has no flag)."""
    x, y, w, h = glyph
    if not 0.85 * digit_h <= h <= 1.2 * digit_h:
        return 0
    if ONE_WIDTH[0] * digit_h <= w <= ONE_WIDTH[1] * digit_h:
        return 1
    if w < 0.9 * digit_h:
        return 0
    mask = ink[y : y + h, x : x + w] > 0
    band = mask[int(STEM_BAND[0] * h) : int(STEM_BAND[1] * h) + 1]
    full = band.mean(axis=0) >= STEM_COVER
    edges = np.diff(np.concatenate([[0], full.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if len(starts) < 2 or (ends - starts).max() > STEM_WIDTH * digit_h:
        return 0  # one stroke, or strokes too thick for a 1's (a blurred 3 or 8)
    near = full.copy()
    for _ in range(2):  # a stroke's anti-aliased edges are part of it
        near[1:] |= near[:-1].copy()
        near[:-1] |= near[1:].copy()
    if band[:, ~near].sum() > 0.05 * band.sum():
        return 0  # ink between the strokes at mid-height: not 1s
    centres = (starts + ends) / 2
    gaps = np.diff(centres)
    if gaps.min() < 0.6 * ADVANCE * digit_h or gaps.max() > 1.3 * ADVANCE * digit_h:
        return 0
    top = mask[int(FLAG_ROWS[0] * h) : int(FLAG_ROWS[1] * h) + 1]
    for k, a in enumerate(starts):
        lo = int(ends[k - 1]) + 1 if k else 0
        if not top[:, lo : max(a - 1, lo)].any():
            return 0  # no flag left of this stroke
    return len(starts)


def all_ones(ink: np.ndarray, glyphs: list[tuple[int, int, int, int]], digit_h: float) -> bool:
    """Every glyph 1s (`ones_in`)."""
    return bool(glyphs) and all(ones_in(ink, g, digit_h) for g in glyphs)
