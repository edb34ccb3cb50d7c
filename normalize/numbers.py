"""Numbers in value cells ("Miqdori", "2021 йил режаси"): what the cell says and how sure we are.

Conventions (docs/conventions.md, "Values"):
- "-", "–", "—" and empty mean no value.
- spaces, NBSP and thin spaces between digit groups are thousands separators when the groups form
  a valid grouping ("1 750", "12 345 678"); "230 40", "134 4010" or "13862 390 3541" cannot be
  one number, so they are stacked values (several numbers in one cell). Numbers on separate lines
  are stacked too.
- "1.750" (a dot then exactly three digits) is a thousands separator; "1,5" is a decimal comma.
- anything else with letters is text; the numbers found in it are still reported in `values`.

- a footnote mark after a number ("18¹", "250*", "12†") is a reference to a note, not a digit: the
  number is read without it, unsure, and the note names the mark (the raw cell keeps it).
- only finite numbers: a number too long to hold ("9" × 400) is text, never `inf`.

`sure=False` says a person should look: "230 400" (one number or two?), "1,750" (1.75 or 1750?).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_DASHES = {"-", "–", "—", "−", "‒", "―", "--"}
# thin/narrow/figure/no-break spaces are typographic thousands separators, never stacking
_TYPO_SPACES = "\u00a0\u2009\u202f\u2007\u200a"
_GROUP_SEP = f"[ {_TYPO_SPACES}]"

# superscript digits and the marks clerks put after a number to point at a footnote
_FOOTNOTE_MARKS = "¹²³⁰⁴⁵⁶⁷⁸⁹*†‡"
_FOOTNOTE_RE = re.compile(rf"^(.*?\d)([{re.escape(_FOOTNOTE_MARKS)}]+)$")
_ASCII_INT_RE = re.compile(r"^[0-9]+$")
# a leading group never starts with 0: "0 100" is two numbers, "0.750" is a decimal
_THOUSANDS_SPACE_RE = re.compile(rf"^[1-9]\d{{0,2}}(?:{_GROUP_SEP}\d{{3}})+$")
_THOUSANDS_DOT_RE = re.compile(r"^[1-9]\d{0,2}(?:\.\d{3})+$")
_DECIMAL_RE = re.compile(r"^\d+[.,]\d+$")
_EURO_RE = re.compile(r"^[1-9]\d{0,2}(?:[. \u00a0\u2009\u202f]\d{3})+,\d+$")  # 1.234,5 / 1 234,5
_NUMBER_IN_TEXT_RE = re.compile(rf"\d+(?:(?:[.,]|{_GROUP_SEP})\d+)*")


@dataclass(frozen=True)
class NumberParse:
    value: float | None  # the number, when the cell holds exactly one
    values: tuple[float, ...] = ()  # every number found (one for "number", several for "stacked")
    kind: str = "empty"  # "empty" | "dash" | "number" | "stacked" | "text"
    sure: bool = True
    note: str | None = None


class _NotFinite(ValueError):
    """A number too large for a float: the cell is text, flagged, never stored as inf."""


def _num(s: str) -> float:
    value = float(s)
    if not math.isfinite(value):
        raise _NotFinite(s)
    return value


def _parse_token(tok: str) -> tuple[float, bool, str | None] | None:
    """One token without spaces -> (value, sure, note), or None when it is not a number."""
    try:
        return _parse_plain_token(tok)
    except _NotFinite:
        return None


def _parse_plain_token(tok: str) -> tuple[float, bool, str | None] | None:
    t = tok.rstrip(".")  # "12." (a trailing dot from a list)
    if not t:
        return None
    mark = _FOOTNOTE_RE.match(t)
    if mark:
        one = _parse_plain_token(mark.group(1))
        if one is None:
            return None
        return one[0], False, f"footnote mark {mark.group(2)!r} after the number left out"
    pct = t.endswith("%")
    if pct:
        t = t[:-1]
    neg = False
    if t[:1] in "-−" and len(t) > 1:
        neg, t = True, t[1:]
    note = "percent" if pct else None
    if _ASCII_INT_RE.match(t):  # not str.isdigit(): it is true for "¹", which float() refuses
        val, sure = _num(t), True
    elif _THOUSANDS_DOT_RE.match(t):
        val, sure, note = _num(t.replace(".", "")), True, "dot read as thousands separator"
    elif _EURO_RE.match(t):
        val, sure = _num(re.sub(r"[. \u00a0\u2009\u202f]", "", t).replace(",", ".")), True
    elif _DECIMAL_RE.match(t):
        intpart, frac = re.split(r"[.,]", t)
        val = _num(f"{intpart}.{frac}")
        # "1,750" could be 1750 written the English way; Uzbek uses the decimal comma
        sure = not ("," in t and len(frac) == 3)
        if not sure:
            note = "comma read as decimal separator; could be thousands"
    else:
        return None
    if neg:
        val = -val
        sure = False
        note = "negative number (or a list mark before a number)"
    return val, sure, note


def parse_number(raw: str | None) -> NumberParse:
    """Parse one value cell as written."""
    if raw is None:
        return NumberParse(None, (), "empty")
    s = raw.strip().replace("\u00ad", "")
    if not s:
        return NumberParse(None, (), "empty")
    if s in _DASHES:
        return NumberParse(None, (), "dash")

    lines = [ln.strip() for ln in s.splitlines() if ln.strip()]
    try:
        if len(lines) > 1:
            return _parse_lines(lines)
        return _parse_line(lines[0])
    except _NotFinite:
        return NumberParse(None, (), "text", False, "a number too large to be a plan value")


def _parse_lines(lines: list[str]) -> NumberParse:
    parts = [_parse_line(ln) for ln in lines]
    if all(p.kind in ("number", "stacked") for p in parts):
        values = tuple(v for p in parts for v in p.values)
        joined = _parse_line(" ".join(lines))
        # "1\n750" could be one number wrapped in a narrow cell
        sure = all(p.sure for p in parts) and joined.kind != "number"
        note = "numbers on separate lines" + ("" if sure else "; could be one number wrapped")
        return NumberParse(None, values, "stacked", sure, note)
    return _text(" ".join(lines))


def _parse_line(s: str) -> NumberParse:
    """One line of a value cell: the first of the readings below that fits, else text."""
    s = re.sub(r"\s+", lambda m: m.group(0) if set(m.group(0)) <= set(_TYPO_SPACES) else " ", s)
    for reading in (_footnoted_number, _one_number, _space_grouped_number, _euro_number, _stacked_numbers):
        found = reading(s)
        if found is not None:
            return found
    return _text(s)


def _footnoted_number(s: str) -> NumberParse | None:
    """"1 750²": a grouped number with a footnote mark, which belongs to the whole number."""
    mark = _FOOTNOTE_RE.match(s)
    if not (mark and " " in mark.group(1)):
        return None
    whole = _parse_line(mark.group(1))
    if whole.kind != "number":
        return None
    return NumberParse(whole.value, whole.values, "number", False,
                       f"footnote mark {mark.group(2)!r} after the number left out")


def _one_number(s: str) -> NumberParse | None:
    one = _parse_token(s)
    if one is None:
        return None
    val, sure, note = one
    return NumberParse(val, (val,), "number", sure, note)


def _space_grouped_number(s: str) -> NumberParse | None:
    """"1 750" is one number by convention; "230 400" might be two stacked numbers (unsure)."""
    if not _THOUSANDS_SPACE_RE.match(s):
        return None
    val = _num(re.sub(_GROUP_SEP, "", s))
    groups = re.split(_GROUP_SEP, s)
    typographic = any(c in s for c in _TYPO_SPACES)
    sure = typographic or len(groups) > 2 or len(groups[0]) == 1
    note = None if sure else "read as one number; could be stacked values " + " | ".join(groups)
    return NumberParse(val, (val,), "number", sure, note)


def _euro_number(s: str) -> NumberParse | None:
    if not _EURO_RE.match(s):
        return None
    one = _parse_token(re.sub(_GROUP_SEP, "", s))
    if one is None:
        return None
    return NumberParse(one[0], (one[0],), "number", one[1], one[2])


def _stacked_numbers(s: str) -> NumberParse | None:
    """Several numbers side by side in one cell."""
    tokens = re.split(rf"{_GROUP_SEP}+", s)
    parsed = [_parse_token(t) for t in tokens]
    if len(tokens) < 2 or any(p is None for p in parsed):
        return None
    values = tuple(p[0] for p in parsed)  # type: ignore[index]
    sure = all(p[1] for p in parsed)  # type: ignore[index]
    return NumberParse(None, values, "stacked", sure, "several numbers in one cell")


def _text(s: str) -> NumberParse:
    found: list[float] = []
    for m in _NUMBER_IN_TEXT_RE.finditer(s):
        tok = m.group(0)
        if _THOUSANDS_SPACE_RE.match(tok):
            found.append(_num(re.sub(_GROUP_SEP, "", tok)))
            continue
        one = _parse_token(tok) if " " not in tok else None
        if one is not None:
            found.append(one[0])
        else:
            found.extend(_num(d) for d in re.findall(r"\d+", tok))
    note = "text, not a number" if not found else "text with numbers in it"
    return NumberParse(None, tuple(found), "text", False, note)
