"""IR `Document` → `ParsedPlan`: the plan parser's orchestrator.

Walks the document in reading order: the title block (everything before the first plan table),
then paragraphs (section headings and their department lines) and tables (header rows, section
rows, item rows). Each job lives in its own module: title_block, header, sections, items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reja.normalize.text import clean_text

from .header import ColumnRoles, guess_roles, header_span, is_column_numbering_row, roles_from_header
from .ir import Document, Paragraph, Table
from .items import ItemBuilder, Row
from .model import ParsedPlan, PlanMeta, Section
from .plan_words import is_label
from .sections import (
    Heading,
    arabic_heading_rows,
    is_department,
    ocr_heading,
    parse_heading,
    plausible_text,
    row_heading,
    section_value,
    spanning_text,
)
from .settings import HeaderScores, ParseSettings, load_parse_settings
from .title_block import Line, parse_title_block

_MAX_HEADER_SEARCH = 4  # a plan table has its header within its first rows
_PAGE_NUMBER_RE = re.compile(r"^[-–\s]*\d{1,3}[-–\s]*$")
_ITEM_START_RE = re.compile(r"^\s*\d{1,3}(\.\d{1,3})*\.?(\s|$)")


def _starts_lower(text: str) -> bool:
    t = text.lstrip(" \"“'‘«")
    return bool(t) and t[0].isalpha() and t[0].islower()


def _looks_continued(text: str) -> bool:
    """Text that carries on from the page before: lower case, a list mark or a bracket first."""
    t = text.strip()
    return _starts_lower(t) or t[:1] in "-–—•*(<"


def _item_number_start(text: str) -> bool:
    return bool(_ITEM_START_RE.match(text))


def _is_plan_table(table: Table, scores: HeaderScores) -> bool:
    """A table of the plan proper (not the layout table of the signature blocks)."""
    if table.n_cols < 3:
        return False
    return any(header_span(table, r, scores) for r in range(min(table.n_rows, _MAX_HEADER_SEARCH)))


def _title_lines(blocks: list) -> list[Line]:
    lines: list[Line] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            if block.text.strip():
                lines.append(Line(block.text, block.bbox, block.page))
        else:
            for cell in sorted(block.cells, key=lambda c: (c.row, c.col)):
                if cell.text.strip():
                    lines.append(Line(cell.text, None, cell.page, group=id(cell)))
    return lines


def _rows_above_header(blocks: list, first: int, scores: HeaderScores) -> list[Line]:
    """Title lines typed into the first plan table above its header ("2025-yil uchun ish rejasi")."""
    table = blocks[first] if first < len(blocks) else None
    if not isinstance(table, Table):
        return []
    header_at = next((k for k in range(min(table.n_rows, _MAX_HEADER_SEARCH)) if header_span(table, k, scores)), 0)
    cells = sorted((c for c in table.cells if c.row < header_at and c.text.strip()), key=lambda c: (c.row, c.col))
    return [Line(c.text, None, c.page, group=id(c)) for c in cells]


@dataclass
class _TableWalk:
    """One table as `_Walker.table` reads it row by row."""

    table: Table
    grid: list
    header_at: int | None  # the first header row, if any in the first rows
    arabic_headings: dict
    roles: ColumnRoles | None = None
    first_data: bool = True  # no data row or heading read yet in this table


class _Walker:
    def __init__(self, doc: Document, settings: ParseSettings) -> None:
        self.doc = doc
        self.scores = settings.header
        self.builder = ItemBuilder(settings.low_ocr_confidence)
        self.sections: list[Section] = []
        self.warnings: list[str] = []
        self.roles: ColumnRoles | None = None
        self.open_heading: tuple[Heading, Section] | None = None  # a paragraph heading awaiting its department line
        self.heading_since_table = True
        self.pending_subsection: tuple[str, int | None] | None = None
        self.scanned = doc.format == "scan"
        self.last_section_value: int | None = None

    # -- headings ------------------------------------------------------------------------------
    def _heading(self, heading: Heading, page: int | None, review: str | None = None) -> Section:
        section = Section(heading.number, heading.title, heading.responsible, heading.level, page)
        self.sections.append(section)
        if heading.level == 1:
            self.builder.start_section(heading.number, heading.title, section, review)
            self.last_section_value = section_value(heading.number) or self.last_section_value
        else:
            self.builder.start_subsection(_subsection_title(heading))
        return section

    def paragraph(self, p: Paragraph) -> None:
        text = p.text.strip()
        if not text:
            return
        heading = parse_heading(text, allow_arabic=p.bold or len(text) < 200)
        review = None
        if heading is None and self.scanned:
            heading, review = self._ocr_heading(text)
        if heading is not None:
            self.pending_subsection = None
            section = self._heading(heading, p.page, review)
            self.open_heading = (heading, section) if heading.responsible is None else None
            self.heading_since_table = True
            return
        if self.open_heading is not None:
            heading, section = self.open_heading
            if _starts_lower(text) or (text.startswith("(") and not is_department(text)):
                # the heading's title wrapped onto a second line
                section.title = heading.title = clean_text(f"{heading.title}\n{text}")
                self.builder.rename_section(section.title)
                return
            # the department line under a heading paragraph (italic, or simply on its own line)
            section.responsible = heading.responsible = clean_text(text)
            self.open_heading = None
            return
        if _PAGE_NUMBER_RE.match(text) or not plausible_text(text):
            return
        # an un-numbered line standing between tables heads the items below it (a sub-section);
        # it counts only once a table follows (a signature line after the plan heads nothing)
        if self.pending_subsection is not None and _starts_lower(text):
            text = f"{self.pending_subsection[0]}\n{text}"
        self.pending_subsection = (text, p.page)

    def _subsection(self, text: str, page: int | None) -> None:
        title = clean_text(text)
        self.sections.append(Section(None, title, None, 2, page))
        self.builder.start_subsection(title)

    # -- tables --------------------------------------------------------------------------------
    def table(self, t: Table) -> None:
        self.open_heading = None
        if self.pending_subsection is not None:
            self._subsection(*self.pending_subsection)
            self.pending_subsection = None
        header_at = next((k for k in range(min(t.n_rows, _MAX_HEADER_SEARCH)) if header_span(t, k, self.scores)), None)
        walk = _TableWalk(t, t.grid(), header_at, arabic_heading_rows(t))
        r = 0
        while r < t.n_rows:
            r += self._table_row(walk, r)
        if walk.roles is not None:
            self.roles = walk.roles
        self.heading_since_table = False

    def _table_row(self, walk: _TableWalk, r: int) -> int:
        """Read row `r` of the table: a header, a heading, a sub-section or an item's row. Returns the
        number of rows read (a header's span)."""
        t = walk.table
        span = header_span(t, r, self.scores)
        if span:
            walk.roles = roles_from_header(t, r, span, self.scores)
            return span
        if is_column_numbering_row(t, r) or self._title_above_header(walk, r):
            return 1
        if walk.roles is None:
            walk.roles = self._inherited_roles(t)
        if self._heading_row(walk, r):
            return 1
        if not any(c.text.strip() for c in t.rows()[r]):
            return 1
        row = self._row(t, walk.grid, r, walk.roles)
        row.table_start = walk.first_data and not self.heading_since_table
        walk.first_data = False
        self.builder.add_row(row)
        self.heading_since_table = False
        return 1

    @staticmethod
    def _title_above_header(walk: _TableWalk, r: int) -> bool:
        """The plan's title typed into the table above its header: not an item."""
        t = walk.table
        return (walk.roles is None and walk.header_at is not None and r < walk.header_at
                and not _item_number_start(t.row_texts(r)[0]) and row_heading(t, r) is None)

    def _heading_row(self, walk: _TableWalk, r: int) -> bool:
        """Row `r` as a section heading, or as a sub-section (an un-numbered row across the table that
        heads the items below it): True when it was one."""
        t = walk.table
        heading = row_heading(t, r) or walk.arabic_headings.get(r)
        page = next((c.page for c in t.rows()[r]), t.page)
        review = None
        lone = spanning_text(t, r)
        if heading is None and lone is not None and self.scanned:
            heading, review = self._ocr_heading(lone)
        if heading is not None:
            self._heading(heading, page, review)
            self.heading_since_table = True
            walk.first_data = False
            return True
        if lone is not None and not is_label(lone) and not _item_number_start(lone) and plausible_text(lone):
            continues = walk.first_data and not self.heading_since_table and _looks_continued(lone)
            if not continues:
                self._subsection(lone, page)
                walk.first_data = False
                return True
        return False

    def _ocr_heading(self, text: str) -> tuple[Heading | None, str | None]:
        found = ocr_heading(text, self.last_section_value)
        if found is None:
            return None, None
        heading, as_read = found
        return heading, f"heading number read as {as_read!r}, taken as {heading.number}"

    def _inherited_roles(self, t: Table) -> ColumnRoles:
        """A table without a header row continues the previous one when its columns match."""
        if self.roles is not None and self.roles.n_cols == t.n_cols:
            return self.roles
        self.warnings.append(
            f"table {t.index + 1} (page {t.page}): no header row and {t.n_cols} columns; "
            "columns guessed as № | text | unit"
        )
        return guess_roles(t.n_cols)

    def _row(self, t: Table, grid, r: int, roles: ColumnRoles) -> Row:
        cells: dict[str, list] = {}
        for c in range(t.n_cols):
            cell = grid[r][c]
            role = roles.roles[c] if c < len(roles.roles) else "other"
            if cell is None or cell.col != c or role == "other":
                continue  # a horizontal merge counts at its first column only
            cells.setdefault(role, []).append(cell)
        page = next((c.page for cs in cells.values() for c in cs if c.row == r and c.page), None) or t.page
        return Row(t.index, r, page, cells, roles)


def _subsection_title(heading: Heading) -> str:
    return heading.title  # "1.1. Hujjatlarni butlash" -> "Hujjatlarni butlash" (docs/conventions.md)


def _read_title_block(lines: list[Line], source: str) -> PlanMeta:
    """The title block, or, when its lines cannot be read (OCR junk from a stamp or noise), empty
    metadata flagged with what failed and where: a title block never costs the plan's rows."""
    try:
        return parse_title_block(lines, source)
    except Exception as exc:  # noqa: BLE001 - any defect here must become a flag, not a lost plan
        boxes = [ln.bbox for ln in lines if ln.bbox is not None]
        where = ""
        if boxes:
            page = next((ln.page for ln in lines if ln.page is not None), None)
            box = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
            where = (f" page {page}" if page else "") + " box " + ",".join(str(int(v)) for v in box)
        return PlanMeta(flags=[f"meta_missing: title block could not be read ({type(exc).__name__}: {exc}){where}"])


NO_ITEMS_PREFIX = "no plan items found: "
UNNUMBERED_NOTE = "the plan numbers none of its activities (no № column): its rows are named by section and text, not flagged no_item_no"


def _what_was_found(doc: Document) -> str:
    """What a document without plan items holds, for the clerk: the reader's own account when it has
    one (a workbook's sheets), else its tables and their columns."""
    for w in doc.warnings:
        if "none with a №/activity header" in w or w.startswith("no visible sheet"):
            return w
    tables = doc.tables
    if not tables:
        return f"no table ({len(doc.paragraphs)} paragraph(s) of text)"
    widest = max(tables, key=lambda t: t.n_cols)
    return (f"{len(tables)} table(s), none with a №/activity header; the widest (table {widest.index + 1}) "
            f"has {widest.n_cols} column(s) and {widest.n_rows} row(s)")


def _plan_start(blocks: list, scores: HeaderScores) -> int:
    """Index of the block where the plan proper starts: its first plan table (else its first table of
    three or more columns), or a section heading written just above it (it belongs to the plan, not
    the title block)."""
    first = next((i for i, b in enumerate(blocks) if isinstance(b, Table) and _is_plan_table(b, scores)), None)
    if first is None:
        first = next((i for i, b in enumerate(blocks) if isinstance(b, Table) and b.n_cols >= 3), len(blocks))
    for k in range(first - 1, -1, -1):
        block = blocks[k]
        if isinstance(block, Table):
            break
        if parse_heading(block.text) is not None:
            return k
    return first


def parse_plan(doc: Document, settings: ParseSettings | None = None) -> ParsedPlan:
    """Parse a read document into the plan's metadata, sections and items. `settings`: the parser's
    thresholds (`reja.extract.settings`; by default this installation's data files)."""
    settings = settings or load_parse_settings()
    blocks = list(doc.blocks)
    first = _plan_start(blocks, settings.header)
    meta = _read_title_block(_title_lines(blocks[:first]) + _rows_above_header(blocks, first, settings.header), doc.source)

    walker = _Walker(doc, settings)
    for block in blocks[first:]:
        try:
            if isinstance(block, Paragraph):
                walker.paragraph(block)
            else:
                walker.table(block)
        except Exception as exc:  # one odd block must not cost the rest of the plan
            where = f"table {block.index + 1}" if isinstance(block, Table) else "paragraph"
            walker.warnings.append(
                f"{doc.source}: {where} (page {block.page}) could not be parsed: {type(exc).__name__}: {exc}"
            )
    items = walker.builder.finish()
    warnings = list(doc.warnings) + walker.warnings
    if items and walker.builder.numbers_nothing:
        warnings.append(f"{doc.source}: {UNNUMBERED_NOTE}")
    if not items:
        warnings.append(f"{doc.source}: {NO_ITEMS_PREFIX}{_what_was_found(doc)}")
    return ParsedPlan(
        source=doc.source,
        format=doc.format,
        meta=meta,
        sections=walker.sections,
        items=items,
        page_count=doc.page_count,
        warnings=warnings,
    )

