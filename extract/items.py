"""Item rows → PlanItems: item numbers, sub-items, rows broken by a page break, stacked values.

Rows arrive one by one (`ItemBuilder.add_row`) in document order, already stripped of header and
section rows. A row is
- a label ("Shundan," / "Бундан" alone): not an item; the rows after it are sub-items of the item
  above;
- a numbered item ("9.1." → "9.1");
- a continuation of the item above (no number, and its cells carry on the previous row's text:
  an empty text cell, a lower-case start, a hyphen at the end of the previous cell, or the first
  row of a table that continues the previous one): joined cell by cell;
- otherwise an item without a number (a sub-item under a label, else flagged `no_item_no`).
Values are parsed and stacked values split when the whole item is known (`finish`), because a
continuation row may still add to them. See docs/conventions.md.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from reja.normalize.numbers import NumberParse, parse_number
from reja.normalize.text import clean_text

from .header import ColumnRoles
from .ir import BBox, Cell
from .model import PlanItem, Section
from .plan_words import is_label, starts_with_label
from .sections import section_value

# "1)" and "1-" are how some districts number items, as "1." is elsewhere
_ITEM_NO_RE = re.compile(r"^(\d{1,3}(?:\s*\.\s*\d{1,3})*)\s*[.)\-–]?$")
_NO_AND_TEXT_RE = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)\.?\s+(\S.*)$", re.S)
_NO_IN_TEXT_RE = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3})*)[.)]\s+(\S.*)$", re.S)  # "1. …", "2) …"; "5 ta" is no number
# "5 Kitobxonlar klubi" with no dot: a number only when it is the next one and a capital (or quote) follows
_BARE_NO_IN_TEXT_RE = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3})*)\s+([\"“«„'‘(]?[^\W\d_].*)$", re.S)
_LIST_MARK_RE = re.compile(r"^\s*(?:[-–—•*·]+|\d{1,2}[.)])\s*")
_LETTER_MARK_RE = re.compile(r"^\s*[a-zа-яёўқғҳ]\s*[).]\s*$")  # "a)", "б)", "v." — parts of the item above
_DASH_MARK_RE = re.compile(r"^\s*[-–—•·]\s+(?=\S)")
_THOUSANDS_RE = re.compile(r"^\d{1,3}(?: \d{3})+$")  # "25 048", "1 234 567"
_TEXT_FIELDS = ("text", "unit", "mechanism", "deadline", "responsible")
_VALUE_FIELDS = ("fact", "plan")
_CONTENT_FIELDS = ("text", "unit", "fact", "plan", "mechanism", "deadline", "responsible")


@dataclass
class Row:
    """One table row, its cells by column role (vertical merges reach every row they cover)."""

    table_index: int
    row_index: int
    page: int | None
    cells: dict[str, list[Cell]]  # role -> cells of that role in this row (usually one)
    roles: ColumnRoles
    table_start: bool = False  # first data row of a table that continues the previous one

    def text(self, role: str) -> str:
        return "\n".join(c.text for c in self.cells.get(role, []) if c.text.strip()).strip()

    def filled(self, roles=_CONTENT_FIELDS) -> list[str]:
        return [r for r in roles if self.text(r)]

    def own(self, roles=_CONTENT_FIELDS) -> list[str]:
        """The roles this row itself fills: not the cells a vertical merge brings down from a row above."""
        return [r for r in roles if any(c.text.strip() and c.row == self.row_index for c in self.cells.get(r, []))]


@dataclass
class _Draft:
    """An item being assembled: text fragments per field, from one or more rows."""

    item_no: str | None
    section_no: str | None
    section_title: str | None
    subsection_title: str | None
    roles: ColumnRoles
    first: Row
    parts: dict[str, list[str]] = field(default_factory=dict)
    used_cells: set[int] = field(default_factory=set)
    parent_item_no: str | None = None
    flags: list[str] = field(default_factory=list)
    stitched: int = 0
    section: Section | None = None  # its department line is the responsible when no column says
    ocr: list[float] = field(default_factory=list)
    under_label: bool = False  # a sub-item row under a label or a list of parts
    has_section: bool = True

    def add(self, row: Row) -> None:
        for role in _CONTENT_FIELDS:
            for cell in row.cells.get(role, []):
                if id(cell) in self.used_cells or not cell.text.strip():
                    continue  # a vertically merged cell counts once
                self.used_cells.add(id(cell))
                self.parts.setdefault(role, []).append(cell.text)
        for cells in row.cells.values():
            for cell in cells:
                if cell.confidence is not None:
                    self.ocr.append(cell.confidence)
                for note in cell.notes:
                    if note not in self.flags:
                        self.flags.append(note)

    def joined(self, role: str) -> str:
        # fragments from different rows meet at a line break, so "Biblio-" + "grafik" joins as a word
        return "\n".join(p.strip() for p in self.parts.get(role, []) if p.strip())


def _cell_like(source: Cell, text: str) -> Cell:
    """A cell with `text` where `source` is (a number or words moved between a row's cells)."""
    return Cell(source.row, source.col, text, page=source.page, bbox=source.bbox, confidence=source.confidence)


class ItemBuilder:
    """Collects rows into items, tracking the current section and the label state."""

    def __init__(self, low_ocr_confidence: float) -> None:
        self.low_ocr_confidence = low_ocr_confidence
        self.drafts: list[_Draft] = []
        self.section: Section | None = None
        self.section_review: str | None = None
        self.section_no: str | None = None
        self.section_title: str | None = None
        self.subsection_title: str | None = None
        self.in_section = False
        self.label_parent: _Draft | None = None  # set by "Shundan,"/"Бундан" until the next numbered row
        self.last_numbered: _Draft | None = None

    # -- context -----------------------------------------------------------------------------
    def start_section(
        self, number: str | None, title: str, section: Section | None = None, review: str | None = None
    ) -> None:
        self.section = section
        self.section_review = review  # an OCR-repaired heading number: every item says so
        self.section_no, self.section_title = number, title
        self.subsection_title = None
        self.in_section = True
        self.label_parent = None
        self.last_numbered = None

    def rename_section(self, title: str) -> None:
        """The section heading turned out longer (a wrapped paragraph): fix the items already made."""
        for draft in self.drafts:
            if draft.section is self.section:
                draft.section_title = title
        self.section_title = title

    def start_subsection(self, title: str) -> None:
        self.subsection_title = title
        self.label_parent = None

    # -- rows --------------------------------------------------------------------------------
    def add_row(self, row: Row) -> None:
        """One table row: a sub-item label, a continuation of the item above, or an item (docs/conventions.md)."""
        if self._is_label_only(row):  # "Shundan:" alone
            self.label_parent = self.last_numbered or (self.drafts[-1] if self.drafts else None)
            return
        content = row.filled()
        number_raw, text = self._number_from_text(row)
        item_no, number_raw, extra_text, content = self._number_cell(row, number_raw, text, content)
        unnumbered = item_no is None and not number_raw
        if unnumbered:
            self._open_label_group(row, text, content)
            if self.drafts and (not content or self._carry_on(row)):
                return
        lettered = item_no is None and bool(_LETTER_MARK_RE.match(number_raw or "")) and self.last_numbered is not None
        draft = self._new_draft(row, item_no, extra_text, lettered)
        self._place(draft, item_no, number_raw, text, lettered)
        self.drafts.append(draft)

    @staticmethod
    def _is_label_only(row: Row) -> bool:
        """A row holding only a sub-item label ("Shundan:" in the № or the text cell; a deadline merged
        down over the item's parts passes beside it)."""
        number_raw, text = row.text("number"), row.text("text")
        return is_label(number_raw or text) and (not number_raw or not text) and not (set(row.own()) - {"text"})

    def _number_from_text(self, row: Row) -> tuple[str, str]:
        """(number, text) of the row; with no № column, "1. Kitob ko'rgazmasi" carries its number at the
        start of the text: it is moved into a number cell of the row."""
        number_raw, text = row.text("number"), row.text("text")
        if "number" in row.roles.roles:
            return number_raw, text
        m = _NO_IN_TEXT_RE.match(text) or self._bare_number_in_text(text)
        if not m:
            return number_raw, text
        source = row.cells["text"][0]
        row.cells = dict(row.cells)
        row.cells["number"] = [_cell_like(source, m.group(1))]
        row.cells["text"] = [_cell_like(source, m.group(2)), *row.cells["text"][1:]]
        return m.group(1), m.group(2)

    def _number_cell(self, row: Row, number_raw: str, text: str,
                     content: list[str]) -> tuple[str | None, str, str | None, list[str]]:
        """(item number, number as written, words of the number column left unplaced, filled roles): words
        in the number column beside a number open the text ("5.4 | Тадбирлар"); over an empty text cell
        (or a cell merged across № and text) they are the text."""
        item_no, extra_text = self._number(number_raw)
        if extra_text and item_no is not None and text:
            source = row.cells["number"][0]
            row.cells = dict(row.cells)
            row.cells["text"] = [_cell_like(source, extra_text), *row.cells["text"]]
            extra_text = None
        if extra_text and not text:
            source = row.cells["number"][0]
            row.cells = dict(row.cells)
            row.cells["text"] = [_cell_like(source, extra_text)]
            row.cells.pop("number")
            number_raw = "" if item_no is None else number_raw
            extra_text = None
            content = row.filled()
        return item_no, number_raw, extra_text, content

    def _open_label_group(self, row: Row, text: str, content: list[str]) -> None:
        """An un-numbered row that starts a group of sub-items under the item above."""
        if starts_with_label(text) and self.last_numbered is not None:
            # "Shu jumladan: jurnallar" in the text cell: the label opens a sub-item group, and this row
            # is its first sub-item (its text kept as written)
            self.label_parent = self.last_numbered
        head = self.last_numbered or next((d for d in reversed(self.drafts) if not d.under_label), None)
        if (self.label_parent is None and head is not None and _DASH_MARK_RE.match(text)
                and set(content) - {"text"} and not row.table_start):
            # "- Radio orqali | marta | 1 | 2" under an item: a list of its parts, each a sub-item (in an
            # unnumbered plan too, where the item above has no number to name)
            self.label_parent = head

    def _carry_on(self, row: Row) -> bool:
        """An un-numbered row that continues the last item (a row broken by a page break) is joined to it."""
        if not self._continues(row, self.drafts[-1]):
            return False
        draft = self.drafts[-1]
        draft.add(row)
        draft.stitched += 1
        return True

    def _new_draft(self, row: Row, item_no: str | None, extra_text: str | None, lettered: bool) -> _Draft:
        draft = _Draft(
            item_no=item_no,
            section_no=self.section_no,
            section_title=self.section_title,
            subsection_title=self.subsection_title,
            roles=row.roles,
            first=row,
            has_section=self.in_section,
            section=self.section,
        )
        draft.add(row)
        if self.section_review:
            draft.flags.append(f"section_review: {self.section_review}")
        if extra_text is not None and item_no is None and not lettered:
            # a number column holding words ("ХКА (МКО)"): no number; the words are only reported
            draft.flags.append(f"no_item_no: number column reads {clean_text(extra_text)!r}")
        return draft

    def _place(self, draft: _Draft, item_no: str | None, number_raw: str, text: str, lettered: bool) -> None:
        """The new item's parent, and the label state it leaves for the rows below."""
        if item_no is not None:
            draft.parent_item_no = self._numbered_parent(item_no)
            # "OAVda chiqishlar, shundan:": the label closes the text and opens the sub-items below
            self.label_parent = draft if _ends_with_label(text) else None
            self.last_numbered = draft
        elif lettered:
            # "a)" / "б)" in the number column under item 8: a part of it, a sub-item with no number
            draft.parent_item_no = self.last_numbered.item_no
            draft.under_label = True
        elif is_label(number_raw):
            # "Бундан | Китоблар ва китоб маҳсулотлари": a sub-item, and the start of a label group
            parent = self.last_numbered
            draft.parent_item_no = parent.item_no if parent else None
            self.label_parent = parent
        elif self.label_parent is not None:
            draft.parent_item_no = self.label_parent.item_no
            draft.under_label = True

    def _bare_number_in_text(self, text: str) -> re.Match | None:
        """"5 Kitobxonlar klubi" (no dot after the number) in a plan without a № column: numbered only when
        5 is a number that comes next (5 or S.5 after 4, 4.x or S.4; 4.1 after 4; 4.3 after 4.2; at a
        section's start 1, S.1 or the plan's last number + 1) and the text after it starts with a
        capital — "5 ta kitob" is a text."""
        m = _BARE_NO_IN_TEXT_RE.match(text)
        if m is None or m.group(2).lstrip("\"“«„'‘(")[:1].islower():
            return None
        s = section_value(self.section_no)
        if self.last_numbered is None:  # a section's first item: 1 (or S.1), or the plan's numbering runs on
            before = next((d.item_no for d in reversed(self.drafts) if d.item_no), None)
            nxt = {"1", *([f"{s}.1"] if s is not None else []),
                   *([str(int(before.split(".")[0]) + 1)] if before else [])}
        else:
            last = self.last_numbered.item_no
            parts = last.split(".")
            k = int(parts[1]) if len(parts) == 2 and s is not None and parts[0] == str(s) else int(parts[0])
            nxt = {str(k + 1), f"{last}.1", *([f"{s}.{k + 1}"] if s is not None else [])}
            if len(parts) > 1:
                nxt.add(".".join([*parts[:-1], str(int(parts[-1]) + 1)]))
        return m if m.group(1) in nxt else None

    def _number(self, raw: str) -> tuple[str | None, str | None]:
        """(item number, words in the number column that are not a number)."""
        s = clean_text(raw)
        if not s:
            return None, None
        m = _ITEM_NO_RE.match(s)
        if m:
            return re.sub(r"\s+", "", m.group(1)), None
        m = _NO_AND_TEXT_RE.match(s)
        if m:
            return m.group(1), m.group(2)
        if is_label(s):
            return None, None
        return None, s

    def _numbered_parent(self, item_no: str) -> str | None:
        """The longest proper prefix of `item_no` that is an item number earlier in this section."""
        parts = item_no.split(".")
        known = {d.item_no for d in self.drafts if d.section_no == self.section_no and d.item_no}
        for k in range(len(parts) - 1, 0, -1):
            prefix = ".".join(parts[:k])
            if prefix in known:
                return prefix
        return None

    def _continues(self, row: Row, prev: _Draft) -> bool:
        """Does an un-numbered row carry on the item above (a row broken by a page break)?"""
        if prev.roles.roles != row.roles.roles:
            return False
        text = row.text("text")
        if not text:
            return True  # an item always has a text; this row only adds to the one above
        if self.label_parent is not None:
            return False  # under "Shundan,"/"Бундан" a row with text is a sub-item
        # a row opening a page whose text starts lower case, with a list mark or a bracket goes on
        # from the page before; elsewhere such rows are items ("журналлар сони" in a list)
        if row.table_start and (_starts_lower(text) or text[:1] in "-–—•*(" or text.startswith("<")):
            return True
        for role in ("mechanism", "deadline", "responsible"):
            if _starts_lower(row.text(role)):
                return True  # "davomida", "to'ldirish, saqlash …": the rest of the cells above
        if any(p.rstrip().endswith("-") for role in ("text", "unit") for p in prev.parts.get(role, [])[-1:]):
            return True
        return False

    # -- output ------------------------------------------------------------------------------
    @property
    def numbers_nothing(self) -> bool:
        """True for a plan laid out without item numbers: no table has a number column and no row a number.
        A row there without a number is the layout, not a doubt, so `no_item_no` is not flagged (its row key
        is its section and text, as for any row)."""
        return bool(self.drafts) and not any(
            d.item_no is not None or d.roles.col("number") is not None for d in self.drafts
        )

    def finish(self) -> list[PlanItem]:
        _section_prefixed_items(self.drafts)
        items: list[PlanItem] = []
        expects_numbers = not self.numbers_nothing
        for draft in self.drafts:
            items.extend(_build(draft, self.low_ocr_confidence, expects_numbers))
        counts = Counter((i.section_no, i.item_no) for i in items if i.item_no is not None)
        for item in items:
            if item.item_no is not None and counts[(item.section_no, item.item_no)] > 1:
                item.flag("duplicate_item_no", item.item_no)
        return items


def _section_prefixed_items(drafts: list[_Draft]) -> None:
    """"2.3" in section 2 (or II) where an item "2" exists: a part of item 2, or an item of the section
    numbered with the section's prefix? Decided per section from all its numbers (docs/conventions.md),
    walking its item numbers in order: an "S.K" is a part of item S when it continues the run S.1, S.2 …
    that starts right under item S; it is an item when K is above the section's last item number. When
    both readings fit ("1, 2, 2.1, 2.2, 2.3, …"), the next plain number decides: "… 4" means 2.3 was
    the third item, "… 3" (or none) that it was a third part of item 2."""
    by_section: dict[str | None, list[_Draft]] = {}
    for d in drafts:
        if d.item_no is not None:
            by_section.setdefault(d.section_no, []).append(d)
    for section_no, numbered in by_section.items():
        s = section_value(section_no)
        if s is None or not any(d.parent_item_no == str(s) for d in numbered):
            continue  # no "S.K" was taken for a part of an item S: nothing in doubt
        _decide_prefixed(_first_level_rows(numbered, s), s)


def _first_level_rows(numbered: list[_Draft], s: int) -> list[tuple[_Draft, int, bool]]:
    """(draft, K, prefixed) of a section's first-level numbers in order: "K" and "S.K"."""
    rows = []
    for d in numbered:
        if re.fullmatch(r"\d+", d.item_no):
            rows.append((d, int(d.item_no), False))
        elif re.fullmatch(rf"{s}\.\d+", d.item_no):
            rows.append((d, int(d.item_no.split(".")[1]), True))
    return rows


def _decide_prefixed(rows: list[tuple[_Draft, int, bool]], s: int) -> None:
    """Walk a section's first-level numbers: each "S.K" read as a part of item S keeps its parent, one read
    as an item of the section loses it."""
    last_item, next_part = 0, None  # the section's last item number; the next part number of item S
    for j, (d, k, prefixed) in enumerate(rows):
        if not prefixed:
            last_item, next_part = k, (1 if k == s else None)
            continue
        as_part = d.parent_item_no == str(s) and next_part == k
        as_item = k > last_item
        if as_part and as_item:
            as_part = not _items_continue(rows[j:], last_item)
        if as_part:
            next_part = k + 1
        elif as_item or d.parent_item_no != str(s):
            d.parent_item_no = None
            last_item, next_part = k, None


def _items_continue(rows: list[tuple[_Draft, int, bool]], last_item: int) -> bool:
    """Do the "S.K" rows from here, read as items, lead on to the next plain number (and read as parts,
    not)? "2.3, 2.4, 5" after item 2: yes; "2.3, 3": no; the section's end: no."""
    k = rows[0][1]
    for _, value, prefixed in rows[1:]:
        if not prefixed:
            return value == k + 1 and value != last_item + 1
        if value != k + 1:
            return False
        k = value
    return False


def _ends_with_label(text: str) -> bool:
    tail = re.split(r"[,;]", text.strip())[-1] if text else ""
    return bool(re.search(r"[,;]", text or "")) and is_label(tail)


def _starts_lower(s: str) -> bool:
    s = s.lstrip(" \"“'‘«")
    return bool(s) and s[0].isalpha() and s[0].islower()


def _clean_or_none(s: str) -> str | None:
    c = clean_text(s)
    return c or None


def _union(boxes: list[BBox]) -> BBox | None:
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _provenance(item: PlanItem, draft: _Draft) -> None:
    row = draft.first
    item.page = row.page
    item.table_index = row.table_index
    item.row_index = row.row_index
    boxes: dict[str, BBox] = {}
    for role, cells in row.cells.items():
        for cell in cells:
            if cell.bbox is not None and role not in boxes:
                boxes[role] = cell.bbox
    all_boxes = [c.bbox for cells in row.cells.values() for c in cells if c.bbox is not None]
    item.bbox = _union(all_boxes)
    item.cell_boxes = boxes
    item.ocr_confidence = min(draft.ocr) if draft.ocr else None


def _build(draft: _Draft, low_ocr_confidence: float, expects_numbers: bool = True) -> list[PlanItem]:
    """The item (and the sub-items split from its stacked values); an item whose lowest OCR cell
    confidence is below `low_ocr_confidence` is flagged."""
    item = _item_of(draft)
    _provenance(item, draft)
    _flag_item(item, draft, low_ocr_confidence, expects_numbers)
    return [item, *_values(item, draft)]


def _item_of(draft: _Draft) -> PlanItem:
    """The item's number, text, columns and section as the draft's rows give them (values apart)."""
    text = clean_text(draft.joined("text"))
    if draft.item_no is None and (draft.parent_item_no is not None or draft.under_label):
        # a sub-item written as a list line ("- Radio orqali"): the mark is layout, not text
        text = _DASH_MARK_RE.sub("", text, count=1)
    item = PlanItem(
        item_no=draft.item_no,
        text=text,
        parent_item_no=draft.parent_item_no,
        unit=_clean_or_none(draft.joined("unit")),
        fact_year=draft.roles.fact_year if draft.roles.col("fact") is not None else None,
        plan_year=draft.roles.plan_year if draft.roles.col("plan") is not None else None,
        mechanism=_clean_or_none(draft.joined("mechanism")),
        deadline=_clean_or_none(draft.joined("deadline")),
        responsible=_clean_or_none(draft.joined("responsible")),
        section_no=draft.section_no,
        section_title=draft.section_title,
        subsection_title=draft.subsection_title,
    )
    if draft.roles.col("responsible") is None and draft.section is not None:
        # no Mas'ullar column: the department line under the section heading is responsible
        item.responsible = draft.section.responsible
    return item


def _flag_item(item: PlanItem, draft: _Draft, low_ocr_confidence: float, expects_numbers: bool = True) -> None:
    """The draft's own flags, then what the item's reading leaves in doubt."""
    for f in draft.flags:
        if f not in item.flags:
            item.flags.append(f)
    if draft.roles.doubt:
        item.flag("column_review", draft.roles.doubt)
    if draft.stitched:
        item.flag("stitched_row")
    if not draft.has_section:
        item.flag("no_section")
    if expects_numbers and item.item_no is None and item.parent_item_no is None and not any(
        f.startswith("no_item_no") for f in item.flags
    ):
        item.flag("no_item_no")
    if item.ocr_confidence is not None and item.ocr_confidence < low_ocr_confidence:
        item.flag("low_ocr_confidence", f"{item.ocr_confidence:.0f}")


def _values(item: PlanItem, draft: _Draft) -> list[PlanItem]:
    """Set the item's fact and plan values; returns the sub-items its stacked values are split into
    (docs/conventions.md, "Stacked values")."""
    raws = {role: draft.joined(role) for role in _VALUE_FIELDS}
    parses = {role: parse_number(raws[role]) for role in _VALUE_FIELDS}
    stacked = [r for r in _VALUE_FIELDS if parses[r].kind == "stacked"]
    subs: list[PlanItem] = []
    if stacked:
        subs = _split_stacked(item, draft, raws, parses, stacked)
    if not subs:
        for role in _VALUE_FIELDS:
            parsed = parses[role]
            if parsed.kind == "stacked" and (one := _unwrapped_number(raws[role])) is not None:
                parsed = one
            _set_value(item, role, raws[role], parsed)
    return subs


def _unwrapped_number(raw: str) -> NumberParse | None:
    """A number a narrow cell wrapped, read as it would be on one line: "25\n048" (at the separator) and
    "11 48\n6" (inside a group) are "25 048" and "11 486" — one number by the thousands convention, and
    unsure as such; None when no joining of the lines gives digit groups of three ("230\n40" stays
    stacked). Only used when the text names no parts to split the values into."""
    lines = [ln.strip() for ln in raw.splitlines() if ln.strip()]
    if len(lines) < 2:
        return None
    for joined in (" ".join(lines), "".join(lines)):
        if _THOUSANDS_RE.match(joined):
            one = parse_number(joined)
            return replace(one, sure=False, note=f"{len(lines)} lines read as one number {joined!r}; could be stacked values")
    return None


def _set_value(item: PlanItem, role: str, raw: str, parsed: NumberParse) -> None:
    setattr(item, f"{role}_raw", _clean_or_none(raw))
    value = parsed.value if parsed.kind == "number" else None
    setattr(item, f"{role}_value", value)
    shown = clean_text(raw)
    if parsed.kind == "text":
        item.flag("unparsable_number", f"{role} {shown!r}")
    elif parsed.kind == "stacked":
        item.flag("stacked_values", f"{role} {shown!r} kept unsplit")
    elif parsed.kind == "number" and not parsed.sure:
        item.flag("unsure_number", f"{role} {shown!r}: {parsed.note}")


def named_parts(text: str) -> tuple[str, list[str]] | None:
    """"Sovg‘a tariqasida: Jismoniy shaxslar; Yuridik shaxslar" → ("Sovg‘a tariqasida",
    ["Jismoniy shaxslar", "Yuridik shaxslar"]); None when the text names no list of parts."""
    split = _head_and_list(text)
    if split is None:
        return None
    head, tail = split
    cleaned = (_LIST_MARK_RE.sub("", clean_text(piece)).strip(" ,.;") for piece in _list_pieces(tail))
    parts = [p for p in cleaned if p]
    head = clean_text(head).strip(" ,;")
    if not head or len(parts) < 1:
        return None
    return head, parts


def _head_and_list(text: str) -> tuple[str, str] | None:
    """(head, list): split at the first colon, else after a first line followed only by marked list
    lines ("- …", "• …"); None when the text has neither."""
    if ":" in text:
        head, tail = text.split(":", 1)
        return head, tail
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) < 2 or not all(_LIST_MARK_RE.match(ln) for ln in lines[1:]):
        return None
    return lines[0], "\n".join(lines[1:])


def _list_pieces(tail: str) -> list[str]:
    """The pieces of a list: separated by ";" or by a new line with a list mark, else (one piece so
    far and a " - " in it) by dashes or bullets."""
    pieces = [p for p in re.split(r";|\n(?=\s*[-–—•*·])", tail) if p.strip()]
    if len(pieces) < 2 and tail.count(" - ") >= 1:
        pieces = [p for p in re.split(r"(?:^|\s)[-–—•]\s", tail) if p.strip()]
    return pieces


def _value_lines(raw: str, parsed: NumberParse) -> list[str]:
    """The written form of each stacked number: one per line, or one per space-separated token."""
    lines = [ln.strip() for ln in raw.splitlines() if ln.strip()]
    if len(lines) == len(parsed.values):
        return lines
    tokens = raw.split()
    if len(tokens) == len(parsed.values):
        return tokens
    return [f"{v:g}" for v in parsed.values]


def _split_stacked(
    item: PlanItem, draft: _Draft, raws: dict[str, str], parses: dict[str, NumberParse], stacked: list[str]
) -> list[PlanItem]:
    """Split stacked values into the item and its named sub-items, when the text names exactly as
    many parts as there are extra numbers; [] (nothing split) otherwise."""
    named = named_parts(draft.joined("text"))
    if named is None:
        return []
    head, parts = named
    if any(len(parses[r].values) != 1 + len(parts) for r in stacked):
        return []
    if any(parses[r].kind not in ("number", "empty", "dash", "stacked") for r in _VALUE_FIELDS):
        return []
    item.text = head
    subs: list[PlanItem] = []
    for part in parts:
        sub = PlanItem(
            item_no=None,
            text=part,
            parent_item_no=item.item_no,
            unit=item.unit,
            fact_year=item.fact_year,
            plan_year=item.plan_year,
            mechanism=item.mechanism,
            deadline=item.deadline,
            responsible=item.responsible,
            section_no=item.section_no,
            section_title=item.section_title,
            subsection_title=item.subsection_title,
            page=item.page,
            table_index=item.table_index,
            row_index=item.row_index,
            bbox=item.bbox,
            ocr_confidence=item.ocr_confidence,
        )
        sub.cell_boxes = dict(item.cell_boxes)
        subs.append(sub)
    for role in _VALUE_FIELDS:
        parsed = parses[role]
        if role in stacked:
            written = _value_lines(raws[role], parsed)
            setattr(item, f"{role}_raw", written[0])
            setattr(item, f"{role}_value", parsed.values[0])
            for sub, raw, value in zip(subs, written[1:], parsed.values[1:], strict=True):
                setattr(sub, f"{role}_raw", raw)
                setattr(sub, f"{role}_value", value)
        else:
            _set_value(item, role, raws[role], parsed)
    return subs
