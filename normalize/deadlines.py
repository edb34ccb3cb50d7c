"""Deadlines ("Bajarilish muddati" / "Бажарилиш муддати") to a structured period.

The cell is cleaned and transliterated first, so one set of Latin patterns covers both scripts and
Russian: "Йил давомида" and "2025-yil davomida" both read "yil davomida", "В течение года" "v techeniye
goda". The words are in data/deadlines.yaml, month names in data/months.yaml. What is not understood is
kept as written with period "unknown", sure=False.

`label` is the stable short string for the dataset column `deadline_period`:
  "year", "permanent", "Q2", "Q1-Q4", "Q1,Q3", "quarterly", "monthly", "weekly", "twice_year",
  "2021-05" (a month; "--05" when the year is unknown), "2021-03/2021-04" (a span of months, "Mart-aprel"),
  "2021-02-05" (a date), "unknown", and "" for an empty cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from reja.schema.data_files import package_yaml

from .apostrophes import TUTUQ
from .text import clean_text
from .translit import to_latin

PERIODS = ("year", "quarter", "quarters", "month", "months", "monthly", "weekly", "quarterly", "twice_year",
           "date", "permanent", "unknown")


@dataclass(frozen=True)
class Deadline:
    raw: str | None
    period: str  # one of PERIODS
    label: str
    quarters: tuple[int, ...] = ()
    month: int | None = None  # a span of months: its first
    months: tuple[int, ...] = ()  # a span of months: every month of it
    day: int | None = None
    year: int | None = None
    sure: bool = True
    note: str | None = None


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_Q = r"(?:iv|iii|ii|i|[1-4])"
_DASH = r"\s*[-–—]\s*"
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_DMY_RE = re.compile(r"(?<!\d)(\d{1,2})[./](\d{1,2})[./]((?:19|20)?\d{2})(?!\d)")


@lru_cache(maxsize=1)
def _words() -> tuple[list[tuple[str, re.Pattern[str]]], re.Pattern[str], re.Pattern[str]]:
    """(period, pattern) of every recurring period, the quarters pattern and the half-year pattern, from
    data/deadlines.yaml."""
    data = package_yaml("reja.normalize", "deadlines.yaml")
    periods = [(period, re.compile("|".join(f"(?:{p})" for p in forms))) for period, forms in data["periods"].items()]
    quarter = "|".join(data["quarter_words"])
    # "i-iv chorak", "ii-chorak", "i – ii-chorak", "1-chorak", "i, iii chorak", "ii chorak", "v i kvartale"
    quarters = re.compile(
        rf"(?<![\w])({_Q}(?:(?:{_DASH}|\s*,\s*|\s+va\s+){_Q})*)\s*[-–—]?\s*(?:{quarter})(?!\s*yakun)")
    # "I yarim yillik" / "2-yarim yilda" / "II полугодие": the first or second half of the year
    half = re.compile(rf"(?<![\w])(ii|i|1|2)\s*[-–]?\s*(?:{'|'.join(data['half_year_words'])})")
    return periods, quarters, half


@lru_cache(maxsize=1)
def _month_re() -> tuple[re.Pattern[str], dict[str, int]]:
    data = package_yaml("reja.normalize", "months.yaml")
    forms: dict[str, int] = {}
    for num, names in data["months"].items():
        for name in names:
            forms[to_latin(str(name)).lower()] = int(num)
    suffixes = sorted((s for s in data["suffixes"] if s), key=len, reverse=True)
    alts = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    suf = "|".join(re.escape(s) for s in suffixes)
    pat = re.compile(rf"(?<![\w])(?:(\d{{1,2}})\s*[-–]?\s*)?({alts})(?:-?(?:{suf}))?(?![\w])")
    return pat, forms


def _quarters(spec: str) -> tuple[int, ...]:
    tokens = re.findall(r"iv|iii|ii|i|[1-4]|[-–—]|,|va", spec)
    out: list[int] = []
    pending_range = False
    for tok in tokens:
        if tok in ("-", "–", "—"):
            pending_range = True
            continue
        if tok in (",", "va"):
            pending_range = False
            continue
        q = _ROMAN.get(tok) or int(tok)
        if pending_range and out:
            out.extend(range(out[-1] + 1, q + 1))
        else:
            out.append(q)
        pending_range = False
    return tuple(sorted(set(out)))


def _quarter_label(qs: tuple[int, ...]) -> str:
    if len(qs) == 1:
        return f"Q{qs[0]}"
    if qs == tuple(range(qs[0], qs[-1] + 1)):
        return f"Q{qs[0]}-Q{qs[-1]}"
    return ",".join(f"Q{q}" for q in qs)


def parse_deadline(raw: str | None, plan_year: int | None = None) -> Deadline:
    """Read one deadline cell; `plan_year` fills the year when the cell does not name one."""
    text = clean_text(raw)
    if not text:
        return Deadline(raw, "unknown", "", sure=True, note="empty")
    latin = to_latin(text).lower().replace(TUTUQ, "'")
    latin = re.sub(r"[\"“”«»]", " ", latin).strip(" .;:,")
    latin = re.sub(r"\s+", " ", latin)
    years = [int(y) for y in _YEAR_RE.findall(latin)]
    year = years[0] if years else plan_year
    short = len(latin.split()) <= 7  # a long cell is a sentence that mentions a period
    found = [*_dates(raw, latin), *_periods(raw, latin, year), *_months(raw, latin, year)]
    if not found:
        if years and re.fullmatch(r"(?:19|20)\d{2}\s*-?\s*(?:yil|y)?(?:da|ga|gacha)?", latin):
            # "2025-yil" alone: most likely the whole year
            return Deadline(raw, "year", "year", year=years[0], sure=False, note="only a year is named")
        return Deadline(raw, "unknown", "unknown", year=year, sure=False, note="deadline not understood")
    return _best(found, short)


def _dates(raw: str | None, latin: str) -> list[tuple[int, Deadline]]:
    """(position in the text, reading) of every day.month.year date."""
    found = []
    for m in _DMY_RE.finditer(latin):
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        y = y + 2000 if y < 100 else y
        if 1 <= d <= 31 and 1 <= mo <= 12:
            found.append((m.start(), Deadline(raw, "date", f"{y:04d}-{mo:02d}-{d:02d}", month=mo, day=d, year=y)))
    return found


def _periods(raw: str | None, latin: str, year: int | None) -> list[tuple[int, Deadline]]:
    """(position, reading) of the periods named: a recurring period, quarters, a half year."""
    found = []
    patterns, quarters_re, half_re = _words()
    half = half_re.search(latin)
    for period, pat in patterns:
        if period == "twice_year" and half:
            continue  # "I yarim yillik" is the first half, not twice a year
        m = pat.search(latin)
        if m:
            found.append((m.start(), Deadline(raw, period, period, year=year)))
    m = quarters_re.search(latin)
    if m:
        qs = _quarters(m.group(1))
        if qs:
            period = "quarter" if len(qs) == 1 else "quarters"
            found.append((m.start(), Deadline(raw, period, _quarter_label(qs), quarters=qs, year=year)))
    if half:
        qs = (1, 2) if half.group(1) in ("i", "1") else (3, 4)
        found.append((half.start(), Deadline(raw, "quarters", _quarter_label(qs), quarters=qs, year=year)))
    return found


def _months(raw: str | None, latin: str, year: int | None) -> list[tuple[int, Deadline]]:
    """(position, reading) of every month named, with its day when one stands before it."""
    found = []
    month_pat, forms = _month_re()
    hits = list(month_pat.finditer(latin))
    span = _month_span(latin, hits, forms)
    if span:
        first, last = span
        lab = f"{year:04d}-{first:02d}/{year:04d}-{last:02d}" if year else f"--{first:02d}/--{last:02d}"
        return [(hits[0].start(), Deadline(raw, "months", lab, month=first, months=tuple(range(first, last + 1)),
                                           year=year))]
    for m in hits:
        mo = forms[m.group(2)]
        if m.group(1):
            d = int(m.group(1))
            if 1 <= d <= 31:
                lab = f"{year:04d}-{mo:02d}-{d:02d}" if year else f"--{mo:02d}-{d:02d}"
                found.append((m.start(), Deadline(raw, "date", lab, month=mo, day=d, year=year)))
                continue
        lab = f"{year:04d}-{mo:02d}" if year else f"--{mo:02d}"
        found.append((m.start(), Deadline(raw, "month", lab, month=mo, year=year)))
    return found


def _month_span(latin: str, hits: list[re.Match[str]], forms: dict[str, int]) -> tuple[int, int] | None:
    """(first, last) month of "Mart-aprel" / "Yanvar – mart": two month names without days joined by a dash and
    nothing else, the second later in the year."""
    if len(hits) != 2 or hits[0].group(1) or hits[1].group(1):
        return None
    if not re.fullmatch(_DASH, latin[hits[0].end():hits[1].start()]):
        return None
    first, last = forms[hits[0].group(2)], forms[hits[1].group(2)]
    return (first, last) if first < last else None


def _best(found: list[tuple[int, Deadline]], short: bool) -> Deadline:
    """The reading that counts: the first named, or, when several periods are named, the most precise
    (and unsure); a period inside a longer text is unsure too."""
    found.sort(key=lambda pd: pd[0])
    labels = {d.label for _, d in found}
    best = found[0][1]
    # "Ҳар ойнинг биринчи ҳафтасида" is monthly; a weekly/year hit next to it adds nothing
    if len(labels) > 1:
        priority = ["date", "month", "months", "quarter", "quarters", "twice_year", "weekly", "monthly",
                    "quarterly", "year", "permanent"]
        best = min((d for _, d in found), key=lambda d: priority.index(d.period))
        note = "several periods named: " + ", ".join(sorted(labels))
        return _with(best, sure=False, note=note)
    return _with(best, sure=short, note=None if short else "period found inside a longer text")


def _with(d: Deadline, *, sure: bool, note: str | None) -> Deadline:
    return replace(d, sure=sure, note=note)
