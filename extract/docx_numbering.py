"""Word's automatic list numbering, rendered as text.

Many plans number their items ("1.", "2.", "1.1.") with Word's list numbering, which is not in the
paragraph text at all: python-docx returns "" for such a "№" cell. The labels are rebuilt here from
numbering.xml, counting in document order, so the parser sees the numbers a reader of the page sees.

Simplification: counters are kept per list instance (w:numId); Word sometimes continues a list
across instances of the same abstract list, which this does not model.
"""

from __future__ import annotations

from docx.oxml.ns import qn

W_VAL = qn("w:val")
# Word counts a list up to 32767; a larger start or count in numbering.xml is not a real list (a
# hostile file asks for a Roman numeral of a billion: gigabytes of "m"). Such a value is shown in
# decimal digits, which cost as many characters as the number has digits.
MAX_LIST_NUMBER = 32767
_ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
_RU = "абвгдежзиклмнопрстуфхцчшщэюя"


def _roman(n: int) -> str:
    out = []
    for value, sym in _ROMAN:
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def _letters(n: int, alphabet: str) -> str:
    if n <= 0:
        return str(n)
    # Word repeats the letter after z: a..z, aa..zz, aaa...
    return alphabet[(n - 1) % len(alphabet)] * ((n - 1) // len(alphabet) + 1)


def format_number(n: int, fmt: str) -> str:
    if not 0 <= n <= MAX_LIST_NUMBER:
        return str(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "lowerLetter":
        return _letters(n, "abcdefghijklmnopqrstuvwxyz")
    if fmt == "upperLetter":
        return _letters(n, "abcdefghijklmnopqrstuvwxyz").upper()
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt == "russianLower":
        return _letters(n, _RU)
    if fmt == "russianUpper":
        return _letters(n, _RU).upper()
    if fmt == "none":
        return ""
    return str(n)  # decimal and anything exotic


def _val(el, tag: str, default: str | None = None) -> str | None:
    child = el.find(qn(tag)) if el is not None else None
    return child.get(W_VAL, default) if child is not None else default


class Numbering:
    def __init__(self, document):
        self.abstract: dict[str, dict[int, object]] = {}
        self.nums: dict[str, tuple[str, dict[int, object], dict[int, int]]] = {}
        self.counters: dict[str, list[int | None]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        for ab in root.findall(qn("w:abstractNum")):
            levels = {}
            for lvl in ab.findall(qn("w:lvl")):
                levels[_int(lvl.get(qn("w:ilvl")), 0)] = lvl
            self.abstract[ab.get(qn("w:abstractNumId"))] = levels
        for num in root.findall(qn("w:num")):
            lvl_over: dict[int, object] = {}
            start_over: dict[int, int] = {}
            for ov in num.findall(qn("w:lvlOverride")):
                ilvl = _int(ov.get(qn("w:ilvl")), 0)
                so = _val(ov, "w:startOverride")
                if so is not None:
                    start_over[ilvl] = _int(so, 1)
                lvl = ov.find(qn("w:lvl"))
                if lvl is not None:
                    lvl_over[ilvl] = lvl
            self.nums[num.get(qn("w:numId"))] = (_val(num, "w:abstractNumId"), lvl_over, start_over)

    def _level(self, num_id: str, ilvl: int):
        abstract_id, lvl_over, _ = self.nums[num_id]
        return lvl_over.get(ilvl) or self.abstract.get(abstract_id, {}).get(ilvl)

    def _start(self, num_id: str, ilvl: int) -> int:
        _, _, start_over = self.nums[num_id]
        if ilvl in start_over:
            return start_over[ilvl]
        return _int(_val(self._level(num_id, ilvl), "w:start"), 1)

    def label(self, num_id: str | None, ilvl: int) -> str:
        """Advance the list's counter and return the label with its suffix ("1.\\t"), or ""."""
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        ilvl = min(max(ilvl, 0), 8)
        lvl = self._level(num_id, ilvl)
        if lvl is None:
            return ""
        counters = self.counters.setdefault(num_id, [None] * 9)
        counters[ilvl] = self._start(num_id, ilvl) if counters[ilvl] is None else counters[ilvl] + 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = None
        fmt = _val(lvl, "w:numFmt", "decimal")
        text = _val(lvl, "w:lvlText", "")
        if fmt == "bullet":
            label = "•"
        else:
            label = text
            for k in range(ilvl + 1):
                value = counters[k] if counters[k] is not None else self._start(num_id, k)
                k_fmt = fmt if k == ilvl else _val(self._level(num_id, k), "w:numFmt", "decimal")
                label = label.replace(f"%{k + 1}", format_number(value, k_fmt))
        if not label:
            return ""
        suffix = {"tab": "\t", "space": " ", "nothing": ""}.get(_val(lvl, "w:suff", "tab"), "\t")
        return label + suffix


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
