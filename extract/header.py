"""Header rows of a plan table and the role of each column.

A header cell is matched (rapidfuzz) against the synonyms of each column role in the catalogue
(`schema/data/column_roles.yaml`), in both scripts. Years in a header ("2024- yil (fakt)",
"2021 йил режаси") are taken out before matching and kept as the column's year. A two-row header
("Miqdori" spanning "2024- yil (fakt)" / "2025- yil (reja)") is read column by column through the
merged cells, so each column gets the words of every header row above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz

from .ir import Table
from .plan_words import fold, word_set
from .sections import parse_heading
from .settings import HeaderScores

# Roles a column can have in a ParsedPlan; the catalogue's "quantity" (a "Miqdori" column with no
# sub-header) holds the plan value, and "note" has no PlanItem field.
ITEM_ROLES = ("number", "text", "unit", "fact", "plan", "mechanism", "deadline", "responsible")
OTHER = "other"
_ROLE_ALIAS = {"quantity": "plan", "note": OTHER}

MAX_HEADER_LEN = 60  # header cells are short ("Бажариладиган ишларнинг мазмуни" is 31 characters)
_YEAR_RE = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")
_YEAR_WORD_RE = re.compile(r"(?<!\w)(yil|йил|год|г)\w*\.?", re.I)
_NOISE_RE = re.compile(r"[()\[\]\-–—.,:;/]+")
_ITEM_NO_RE = re.compile(r"^\d{1,3}(\.\d{1,3})*[.)]?$")  # "1." and "1)"


@dataclass
class ColumnRoles:
    """What each column of a table holds, and the years its fact/plan headers carry."""

    roles: list[str]
    fact_year: int | None = None
    plan_year: int | None = None
    headers: list[str] = field(default_factory=list)  # the header words of each column, as written
    doubt: str | None = None  # set when roles were inferred rather than read; items get `column_review`

    @property
    def n_cols(self) -> int:
        return len(self.roles)

    def col(self, role: str) -> int | None:
        return self.roles.index(role) if role in self.roles else None

    def value_cols(self) -> list[int]:
        return [c for c, r in enumerate(self.roles) if r in ("fact", "plan")]


@lru_cache(maxsize=1)
def role_synonyms() -> dict[str, tuple[str, ...]]:
    """Role id → header synonyms in both scripts, from the catalogue (schema/data/column_roles.yaml)."""
    from reja.schema.catalogue import load_catalogue

    return {rid: role.labels() for rid, role in load_catalogue().column_roles.items()}


def _key(text: str) -> str:
    """Header text reduced to its words: no years, no "yil", no brackets or dashes, folded."""
    s = _YEAR_RE.sub(" ", fold(text))
    s = _YEAR_WORD_RE.sub(" ", s)
    s = _NOISE_RE.sub(" ", s)
    return " ".join(s.split())


@lru_cache(maxsize=1)
def _synonym_keys() -> list[tuple[str, str]]:
    pairs = []
    for role, labels in role_synonyms().items():
        for label in labels:
            k = _key(label) or fold(label)
            if k:
                pairs.append((role, k))
    return pairs


@lru_cache(maxsize=4096)
def classify_header(text: str, scores: HeaderScores) -> tuple[str | None, float]:
    """The role a header text names and the match score (0..100); (None, 0) for no match.
    `scores`: the parse settings' header scores (`ParseSettings.header`)."""
    subheader = scores.subheader
    key = _key(text) or fold(text)
    if not key:
        return None, 0.0
    best: dict[str, float] = {}
    for role, syn in _synonym_keys():
        score = fuzz.ratio(key, syn)
        if " " in key or " " in syn:
            # "miqdori fakt" (a column under a merged "Miqdori") contains "fakt" as a word
            score = max(score, fuzz.token_set_ratio(key, syn) - 3)
        if score > best.get(role, 0):
            best[role] = score
    if not best:
        return None, 0.0
    top = max(best.values())
    # fact/plan words beat the "Miqdori" group word they sit under — but not a heading that is
    # exactly another role's synonym ("Rejalashtirilgan tadbirlar" is the text column)
    exact_other = any(score >= 100 for r, score in best.items() if r not in ("fact", "plan", "quantity"))
    for role in ("fact", "plan"):
        if best.get(role, 0) >= top - 3 and best.get(role, 0) >= subheader and not (
            exact_other and best[role] < 100
        ):
            return role, best[role]
    role = max(best, key=lambda r: best[r])
    return role, top


def header_year(text: str) -> int | None:
    m = _YEAR_RE.search(text or "")
    return int(m.group(1)) if m else None


def _is_item_no(text: str) -> bool:
    return bool(_ITEM_NO_RE.match(text.strip()))


def _cells_named(texts: list[str], threshold: float, scores: HeaderScores) -> tuple[int, int, int]:
    """(cells naming a role, header cells naming no role ("I chorak"), non-empty cells) of one row."""
    named = plain = filled = 0
    for t in texts:
        if not t.strip():
            continue
        filled += 1
        if len(t.strip()) > MAX_HEADER_LEN:
            continue  # a sentence that happens to contain "reja" or "сони" is data, not a heading
        role, score = classify_header(t, scores)
        if role is not None and score >= threshold:
            named += 1
        elif _header_only(t):
            plain += 1
    return named, plain, filled


def _header_only(text: str) -> bool:
    """A heading with no role we read ("II chorak"): part of a header row all the same."""
    f = fold(text)
    return any(w in f.split() or (" " in w and w in f) for w in word_set("header_only_words"))


def is_header_row(table: Table, row: int, scores: HeaderScores) -> bool:
    """A row of column headings: at least two cells name a role and most filled cells do."""
    texts = table.row_texts(row)
    if any(_is_item_no(t) for t in texts[:2] if t.strip()):
        return False
    named, plain, filled = _cells_named(texts, scores.match, scores)
    # quarter headings count towards "most cells are headings", never as the two that name a role
    # (a data row "… | сони | Ҳар чорак" is no header)
    return named >= 2 and (named + plain) * 10 >= filled * 6


def is_subheader_row(table: Table, row: int, scores: HeaderScores) -> bool:
    """The second row of a two-row header: every filled cell names a role or a year."""
    texts = table.row_texts(row)
    filled = [t for t in texts if t.strip()]
    if not filled or any(_is_item_no(t) for t in filled):
        return False
    if any(parse_heading(t) is not None for t in filled):
        return False  # "I. TADBIRLAR" under a one-row header is a section row, not more header words
    for t in filled:
        if len(t.strip()) > MAX_HEADER_LEN:
            return False
        role, score = classify_header(t, scores)
        # a bare year heading ("2025") counts; a long cell that merely mentions a year is data
        if not (role is not None and score >= scores.subheader) and not (header_year(t) and len(t) <= 25):
            return False
    return True


def is_column_numbering_row(table: Table, row: int) -> bool:
    """The "1 | 2 | 3 | …" row some plans put under the header."""
    texts = [t.strip().rstrip(".") for t in table.row_texts(row) if t.strip()]
    return len(texts) >= 3 and texts == [str(i) for i in range(1, len(texts) + 1)]


def header_span(table: Table, row: int, scores: HeaderScores) -> int:
    """How many rows starting at `row` form a header (0 when `row` is not a header row)."""
    if not is_header_row(table, row, scores):
        return 0
    end = row + 1
    # rows covered by the header's vertical merges belong to it, and so does a sub-header row
    covered_until = max((c.row + c.rowspan for c in table.cells if c.row == row), default=row + 1)
    while end < table.n_rows and end - row < 3:
        if any(_is_item_no(t) for t in table.row_texts(end) if t.strip()):
            break  # an item row, even when a header merge reaches down into it
        if end < covered_until or is_subheader_row(table, end, scores):
            end += 1
            continue
        break
    if end < table.n_rows and is_column_numbering_row(table, end):
        end += 1
    return end - row


def roles_from_header(table: Table, first: int, n_rows: int, scores: HeaderScores) -> ColumnRoles:
    """Column roles from the header rows first..first+n_rows-1 (merged cells read through)."""
    grid = table.grid()
    read = _HeaderRead()
    for c in range(table.n_cols):
        read.add_column(c, _column_parts(table, grid, first, n_rows, c), scores)
    doubt = read.years_doubt()
    guessed = _fill_unplaced(table, first + n_rows, read.roles, read.headers, scores)
    if guessed:
        doubt = "; ".join(([doubt] if doubt else []) + guessed)
    return ColumnRoles(read.roles, read.fact_year, read.plan_year, read.headers, doubt)


def _column_parts(table: Table, grid, first: int, n_rows: int, c: int) -> list[str]:
    """The header texts of column `c`, top to bottom, each merged cell once, the column-number row left out."""
    parts: list[str] = []
    seen: set[int] = set()
    for r in range(first, first + n_rows):
        cell = grid[r][c]
        if cell is None or id(cell) in seen or not cell.text.strip():
            continue
        seen.add(id(cell))
        if is_column_numbering_row(table, r):
            continue
        parts.append(cell.text.strip())
    return parts


@dataclass
class _HeaderRead:
    """The roles of a header's columns as they are read left to right."""

    roles: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    fact_year: int | None = None
    plan_year: int | None = None
    dropped: list[str] = field(default_factory=list)  # headers of second fact/plan columns, which are not read
    bare_years: list[tuple[int, int]] = field(default_factory=list)  # (column, year) of value columns no fact/plan word names

    def add_column(self, c: int, parts: list[str], scores: HeaderScores) -> None:
        text = " ".join(parts)
        self.headers.append(text)
        role, score = _column_role(parts, scores)
        if role is None or score < scores.subheader:
            role = "number" if c == 0 and not text else OTHER
        raw = role
        if role in ("quantity", OTHER) and header_year(text) is not None:
            self.bare_years.append((c, header_year(text)))
        role = _ROLE_ALIAS.get(role, role)
        if role in self.roles and role != OTHER:
            role = OTHER  # a second column of the same role: keep the first, never merge two
            if _ROLE_ALIAS.get(raw, raw) in ("fact", "plan"):
                self.dropped.append(text)  # a second value column ("2026 yil reja") must not vanish unsaid
        year = header_year(text)
        if role == "fact" and self.fact_year is None:
            self.fact_year = year
        if role == "plan" and self.plan_year is None:
            self.plan_year = year
        self.roles.append(role)

    def years_doubt(self) -> str | None:
        """Two value columns headed by bare years become fact and plan (said); a second value column is
        named as not read."""
        years = sorted({y for _, y in self.bare_years})
        if len(self.bare_years) == 2 and len(years) == 2 and "fact" not in self.roles:
            # "Miqdori" over bare "2024" | "2025": no word says which is the fact, so the earlier year is
            # taken as the fact and the later as the plan — and the items say it was inferred
            for c, y in self.bare_years:
                self.roles[c] = "fact" if y == years[0] else "plan"
            self.fact_year, self.plan_year = years
            return f"value columns headed only {years[0]} and {years[1]}: taken as fact {years[0]}, plan {years[1]}"
        if self.dropped:
            return "second value column not read: " + "; ".join(repr(d) for d in self.dropped)
        return None


def _fill_unplaced(table: Table, start: int, roles: list[str], headers: list[str], scores: HeaderScores) -> list[str]:
    """Roles no header named well enough, guessed (in place), each with the doubt it leaves: the nearest
    free role, the activity text, the № column."""
    guessed = _guess_unplaced(roles, headers, scores)
    if "text" not in roles:
        wide = _widest_text_column(table, start, roles)
        if wide is not None:
            roles[wide] = "text"
            guessed.append(f"no column is headed as the activity text; column {wide + 1} "
                           f"({headers[wide]!r}) holds the longest texts and is taken as it")
    if "number" not in roles and roles and roles[0] == OTHER and _numbers_below(table, start):
        # "Т/р" misread ("Ир", "Ур" on a photo) names no role, but a first column of "1.", "2." is the №
        roles[0] = "number"
        guessed.append(f"column 1 header {headers[0]!r} names no role; its cells are item numbers and are taken as them")
    return guessed


def _guess_unplaced(roles: list[str], headers: list[str], scores: HeaderScores) -> list[str]:
    """A header naming no role well enough gets the role it is closest to, when that role is still
    free and the match is not far off ("Наименование мероприятий по плану") — with a doubt said."""
    said: list[str] = []
    for c, (role, text) in enumerate(zip(roles, headers, strict=True)):
        if role != OTHER or not text.strip() or len(text) > 2 * MAX_HEADER_LEN or _header_only(text):
            continue
        guess, score = classify_header(text, scores)
        guess = _ROLE_ALIAS.get(guess, guess)
        if guess is None or guess == OTHER or guess in roles or score < scores.guess:
            continue
        roles[c] = guess
        said.append(f"column {c + 1} header {text!r} taken as {guess} (best guess)")
    return said


def _widest_text_column(table: Table, start: int, roles: list[str]) -> int | None:
    """The unplaced column whose cells below the header hold the most letters: the activity text
    is never dropped because its header was worded in a way reja does not know."""
    letters = [0] * table.n_cols
    for cell in table.cells:
        if cell.row >= start and cell.col < table.n_cols and cell.colspan < max(2, table.n_cols // 2):
            letters[cell.col] += sum(ch.isalpha() for ch in cell.text)
    free = [c for c in range(min(table.n_cols, len(roles))) if roles[c] == OTHER and letters[c] > 0]
    return max(free, key=lambda c: letters[c]) if free else None


def _numbers_below(table: Table, start: int) -> bool:
    """Most filled single cells of the first column below the header are item numbers (at least two)."""
    texts = [c.text.strip() for c in table.cells if c.row >= start and c.col == 0 and c.colspan == 1 and c.text.strip()]
    hits = sum(_is_item_no(t) for t in texts)
    return hits >= 2 and hits * 2 > len(texts)


def _column_role(parts: list[str], scores: HeaderScores) -> tuple[str | None, float]:
    """Role of a column from its header texts, top to bottom. The lowest text that names a role
    wins ("Ўлчов бирлиги" under a merged "Амалга ошириш механизми"), except that a group word
    over fact/plan columns ("Miqdori" over "2024- yil (fakt)") is read together with them."""
    if not parts:
        return None, 0.0
    whole = classify_header(" ".join(parts), scores)
    if whole[0] in ("fact", "plan"):
        return whole
    for text in reversed(parts):
        role, score = classify_header(text, scores)
        if role is not None and score >= scores.subheader:
            return role, score
    return whole


def guess_roles(n_cols: int) -> ColumnRoles:
    """Roles for a table with no header and no table before it to inherit from: № | text | unit | …"""
    base = ["number", "text", "unit"][:n_cols]
    return ColumnRoles(base + [OTHER] * (n_cols - len(base)), headers=[""] * n_cols,
                       doubt=f"no header row; {n_cols} columns guessed as № | text | unit")
