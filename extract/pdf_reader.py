"""Typed PDF → IR Document with pdfplumber: ruled tables with true spans, other text as paragraphs.

pdfplumber reports a merged cell as one rectangle and `None` at the positions it covers. Spans are
rebuilt from the rectangles: the table's distinct cell edges define the grid, and a rectangle
covering several grid columns/rows is one cell with that colspan/rowspan.

Pages without a text layer (no characters, but images) are not read here: they are returned as
`scan_pages` for the OCR reader.
"""

from __future__ import annotations

import bisect
import re
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from reja.extract.docx_reader import clean_text
from reja.extract.errors import CorruptFile, EncryptedFile, TooLarge
from reja.extract.ir import BBox, Cell, Document, Paragraph, Table
from reja.extract.limits import Deadline, Limits
from reja.extract.settings import HeaderScores

EDGE_TOLERANCE = 2.0  # pt: cell edges closer than this are one grid line
LINE_GAP_SPLIT = 24.0  # pt: a horizontal gap this wide inside a text line separates two blocks
_CID = re.compile(r"\(cid:\d+\)")
# Library-boundary errors: what pdfminer raises on a damaged file. Converted to CorruptFile with
# the exception type in the cause, so it stays explainable.
PARSE_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, AssertionError, struct.error,
                zlib.error, RecursionError, OverflowError, UnicodeError, NotImplementedError, EOFError)


@dataclass
class PdfResult:
    document: Document
    scan_pages: list[int] = field(default_factory=list)  # 1-based pages that need OCR


def _is_bold(fontname: str) -> bool:
    f = fontname.lower()
    return any(k in f for k in ("bold", "black", "heavy", "semibold", "demi"))


def _is_italic(fontname: str) -> bool:
    f = fontname.lower()
    return "italic" in f or "oblique" in f


def _style(chars: list[dict]) -> tuple[bool, bool]:
    visible = [c for c in chars if c.get("text", "").strip()]
    if not visible:
        return False, False
    return (all(_is_bold(c.get("fontname", "")) for c in visible),
            all(_is_italic(c.get("fontname", "")) for c in visible))


def _cluster(values: list[float], tol: float = EDGE_TOLERANCE) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= tol:
            continue
        out.append(v)
    return out


def _nearest(lines: list[float], v: float) -> int:
    i = bisect.bisect_left(lines, v)
    if i == 0:
        return 0
    if i == len(lines):
        return len(lines) - 1
    return i if lines[i] - v < v - lines[i - 1] else i - 1


def grid_spans(rects: list[BBox]) -> tuple[int, int, list[tuple[int, int, int, int]]]:
    """Cell rectangles → (n_rows, n_cols, [(row, col, rowspan, colspan)] in input order).

    Pure geometry, so it is unit-testable without a PDF.
    """
    xs = _cluster([x for r in rects for x in (r[0], r[2])])
    ys = _cluster([y for r in rects for y in (r[1], r[3])])
    placed = []
    for x0, top, x1, bottom in rects:
        c0, c1 = _nearest(xs, x0), _nearest(xs, x1)
        r0, r1 = _nearest(ys, top), _nearest(ys, bottom)
        placed.append((r0, c0, max(1, r1 - r0), max(1, c1 - c0)))
    return max(len(ys) - 1, 1), max(len(xs) - 1, 1), placed


class _CharIndex:
    """Page characters sorted by vertical centre, to find a rectangle's characters quickly."""

    def __init__(self, chars: list[dict]):
        self.chars = sorted(chars, key=lambda c: (c["top"] + c["bottom"]) / 2)
        self.keys = [(c["top"] + c["bottom"]) / 2 for c in self.chars]

    def inside(self, bbox: BBox) -> list[dict]:
        x0, top, x1, bottom = bbox
        lo = bisect.bisect_left(self.keys, top)
        hi = bisect.bisect_right(self.keys, bottom)
        return [c for c in self.chars[lo:hi] if x0 <= (c["x0"] + c["x1"]) / 2 <= x1]


def _text(chars: list[dict], *, cell: bool = False) -> str:
    from pdfplumber.utils import extract_text

    if not chars:
        return ""
    raw = extract_text(chars, x_tolerance=3, y_tolerance=3)
    if cell and "\n" in raw:
        raw = _join_wrapped_words(raw)
    return clean_text(raw).strip()


# A narrow table column breaks a word longer than the column without a hyphen ("Мунтаза" / "м", or "Му" /
# "нта" / "зам"); the PDF keeps the pieces on lines of their own. Geometry cannot tell this from a wrap between
# words (both lines are full), the words can: pieces are glued when together they make a word of the project's
# data files (catalogue, deadlines, plan words) or a month name with its ending, the longest such run first;
# a piece that is a word itself takes only an ending.
_MAX_PIECES = 4
_ENDING_MAX = 3  # letters: "си", "лар", "м"
_TRAILING_LETTERS_RE = re.compile(r"[^\W\d_]+$")


def _join_wrapped_words(raw: str) -> str:
    lines = raw.split("\n")
    out = [lines[0]]
    i = 1
    while i < len(lines):
        last = _TRAILING_LETTERS_RE.search(out[-1].rstrip())
        head = last.group(0) if last else ""
        tail_words = [line.strip() for line in lines[i:i + _MAX_PIECES - 1]]
        glued_to = 0
        for k in range(len(tail_words), 0, -1):  # the longest run of pieces that makes a word
            pieces = tail_words[:k]
            if not _continues_word(head, pieces):
                continue
            rest = pieces[-1].split(" ", 1)
            # a word followed by a word stays two ("видео / роликларни" though "videoroliklar" is a data word);
            # a word followed by an ending is glued ("режа / си")
            if _is_data_word(head) and len("".join(pieces[:-1]) + rest[0]) > _ENDING_MAX:
                continue
            if _is_data_word(head + "".join(pieces[:-1]) + rest[0]):
                out[-1] = out[-1].rstrip() + "".join(pieces[:-1]) + pieces[-1]
                glued_to = k
                break
        if glued_to:
            i += glued_to
        else:
            out.append(lines[i])
            i += 1
    return "\n".join(out)


def _continues_word(last: str, pieces: list[str]) -> bool:
    """`last` ends in a letter, every piece but the last is one run of letters, and each starts lower case."""
    if not last[-1:].isalpha():
        return False
    for n, piece in enumerate(pieces):
        word = piece if n < len(pieces) - 1 else piece.split(" ", 1)[0]
        if not word or not word.isalpha() or not word[0].islower():
            return False
    return True


def _is_data_word(word: str) -> bool:
    from reja.normalize.text import is_month_word
    from reja.normalize.translit import to_latin

    from .scan.lexicon import lexicon

    low = word.lower()
    return low in lexicon() or to_latin(low).lower() in lexicon() or is_month_word(low)


def _paragraphs(chars: list[dict], page_no: int) -> list[Paragraph]:
    """Characters outside tables → one paragraph per visual line; a wide horizontal gap (two-column
    title blocks, "KELISHILDI ... TASDIQLAYMAN") splits a line into paragraphs at the same height.
    Works on the page's own characters, spaces included, so word spacing is the PDF's own."""
    from pdfplumber.utils import cluster_objects

    out: list[Paragraph] = []
    for line in cluster_objects(chars, lambda c: (c["top"] + c["bottom"]) / 2, 3):
        for g in _split_at_gaps(line):
            paragraph = _paragraph(g, page_no)
            if paragraph is not None:
                out.append(paragraph)
    return out


def _split_at_gaps(line: list[dict]) -> list[list[dict]]:
    """A line's characters, left to right, split where the gap after the last visible character is
    wider than LINE_GAP_SPLIT."""
    groups: list[list[dict]] = []
    last_x1: float | None = None
    for c in sorted(line, key=lambda c: c["x0"]):
        visible = bool(c.get("text", "").strip())
        if not groups or (visible and last_x1 is not None and c["x0"] - last_x1 > LINE_GAP_SPLIT):
            groups.append([])
        groups[-1].append(c)
        if visible:
            last_x1 = c["x1"]
    return groups


def _paragraph(chars: list[dict], page_no: int) -> Paragraph | None:
    """One paragraph of the characters (None when they hold no text), boxed around the visible ones."""
    text = _text(chars).replace("\n", " ")
    if not text:
        return None
    bold, italic = _style(chars)
    seen = [c for c in chars if c.get("text", "").strip()]
    bbox = (min(c["x0"] for c in seen), min(c["top"] for c in seen),
            max(c["x1"] for c in seen), max(c["bottom"] for c in seen))
    return Paragraph(text=text, bold=bold, italic=italic, page=page_no, bbox=bbox)


def _page_table(ptable, index: _CharIndex, page_no: int) -> Table | list[Paragraph]:
    rects: list[BBox] = [tuple(map(float, c)) for c in ptable.cells]
    n_rows, n_cols, placed = grid_spans(rects)
    if n_rows == 1 and n_cols == 1:
        # A lone framed box is a frame around text, not a table.
        chars = index.inside(rects[0])
        text = _text(chars)
        bold, italic = _style(chars)
        return [Paragraph(text=text, bold=bold, italic=italic, page=page_no, bbox=rects[0])] if text else []
    seen: set[tuple[int, int]] = set()
    cells: list[Cell] = []
    for rect, (r, c, rs, cs) in zip(rects, placed, strict=True):
        if (r, c) in seen:  # degenerate duplicate rectangle
            continue
        seen.add((r, c))
        chars = index.inside(rect)
        bold, italic = _style(chars)
        cells.append(Cell(row=r, col=c, text=_text(chars, cell=True), rowspan=rs, colspan=cs, bold=bold, italic=italic,
                          page=page_no, bbox=rect))
    cells.sort(key=lambda x: (x.row, x.col))
    return Table(index=-1, n_rows=n_rows, n_cols=n_cols, cells=cells, page=page_no,
                 bbox=tuple(map(float, ptable.bbox)))


# path-building operators, each a separate token between PDF delimiters: every one becomes (part of)
# an object pdfminer builds; counted on the raw content before it does
_PATH_OPERATOR = re.compile(rb"(?<![^\s\[\]()<>{}/%])(?:re|m|l|c|v|y)(?![^\s\[\]()<>{}/%])")
_FORM_CALL = re.compile(rb"(?<![^\s\[\]()<>{}/%])Do(?![^\s\[\]()<>{}/%])")


def _stream_bytes(obj, *, only_forms: bool = False) -> bytes:
    from pdfminer.pdftypes import PDFStream, resolve1

    stream = resolve1(obj)
    if not isinstance(stream, PDFStream):
        return b""
    if only_forms and getattr(resolve1(stream.attrs.get("Subtype")), "name", None) != "Form":
        return b""  # an image: never decoded here (image bombs are the OCR reader's business)
    return stream.get_data()


def _count(pattern: re.Pattern, data: bytes, stop_after: int | None) -> int:
    n = 0
    for _ in pattern.finditer(data):
        n += 1
        if stop_after is not None and n > stop_after:
            break
    return n


def count_path_operators(page_obj, stop_after: int | None = None) -> int:
    """Path-building operators on one page (its content streams, plus each form XObject's counted
    as often as the page calls forms), read from the raw streams, without building any object.
    Counting stops once past `stop_after`: a hostile page is refused as soon as it is known to be one."""
    from pdfminer.pdftypes import resolve1

    contents = resolve1(page_obj.attrs.get("Contents"))
    streams = contents if isinstance(contents, list) else [contents] if contents is not None else []
    total = calls = 0
    for stream in streams:
        data = _stream_bytes(stream)
        total += _count(_PATH_OPERATOR, data, None if stop_after is None else stop_after - total)
        calls += _count(_FORM_CALL, data, stop_after)
        if stop_after is not None and total > stop_after:
            return total
    if calls:
        resources = resolve1(page_obj.resources) or {}
        xobjects = resolve1(resources.get("XObject")) if isinstance(resources, dict) else None
        forms = 0
        for ref in (xobjects or {}).values() if isinstance(xobjects, dict) else ():
            forms += _count(_PATH_OPERATOR, _stream_bytes(ref, only_forms=True), stop_after)
        total += forms * calls
    return total


def _read_page(page, page_no: int, limits: Limits, doc: Document, scores: HeaderScores,
               carry: dict | None = None) -> list | None:
    """Blocks of one page in reading order, or None when the page needs OCR. `carry` keeps a lineless
    table's columns for the next page (a table continued without its header)."""
    carry = {} if carry is None else carry
    _check_page_limits(page, page_no, limits, doc)
    chars = page.chars
    layer = _text_layer(page, chars, page_no, limits, doc)
    if layer != "text":
        return None if layer == "ocr" else []
    blocks, table_boxes = _ruled_tables(page, _CharIndex(chars), page_no, limits, doc)

    def outside(obj) -> bool:
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in table_boxes)

    columns = None
    if not any(isinstance(b, Table) and b.n_cols >= 3 for b in blocks):
        # no ruled plan table: the table may be drawn without lines (or with horizontal rules only)
        free = [c for c in chars if outside(c)]  # the characters no ruled table holds
        columns = _lineless_table(free, carry.get("columns"), page_no, limits, doc, scores, blocks, table_boxes)
    carry["columns"] = columns
    return _in_reading_order(blocks, _paragraphs([c for c in chars if outside(c)], page_no))


def _check_page_limits(page, page_no: int, limits: Limits, doc: Document) -> None:
    """A page drawing more path operators or holding more objects than the limits allow is refused."""
    operators = count_path_operators(page.page_obj, stop_after=limits.max_page_operators)
    if operators > limits.max_page_operators:
        raise TooLarge(doc.source, f"page draws more than {limits.max_page_operators} path operators (limit)",
                       page=page_no)
    objects = page.objects
    n_objects = sum(len(objects.get(kind, ())) for kind in ("char", "line", "rect", "curve"))
    if n_objects > limits.max_page_objects:
        raise TooLarge(doc.source, f"page holds {n_objects} drawing objects (limit {limits.max_page_objects})",
                       page=page_no)


def _text_layer(page, chars: list[dict], page_no: int, limits: Limits, doc: Document) -> str:
    """"text" when the page's text layer is read; "ocr" when the page must be OCR'd (an image, text drawn
    as outlines, a font without a Unicode map); "blank" for an empty page. Says why in the warnings."""
    if not chars:
        if page.images:
            return "ocr"
        if len(page.curves) > 200:
            doc.warnings.append(f"page {page_no}: no text layer, text drawn as outlines; sent to OCR")
            return "ocr"
        doc.warnings.append(f"page {page_no}: blank (no text, no image)")
        return "blank"
    visible = "".join(c.get("text", "") for c in chars)
    cid_chars = sum(len(m) for m in _CID.findall(visible))
    if visible and cid_chars / len(visible) > limits.max_cid_fraction:
        doc.warnings.append(f"page {page_no}: font without a Unicode map (text is '(cid:NN)'); sent to OCR")
        return "ocr"
    return "text"


def _ruled_tables(page, index: _CharIndex, page_no: int, limits: Limits, doc: Document) -> tuple[list, list[BBox]]:
    """The page's ruled tables (pdfplumber's), and the boxes they cover (a frame holding paragraphs too)."""
    blocks: list = []
    table_boxes: list[BBox] = []
    for ptable in page.find_tables(table_settings=dict(limits.pdf_table_settings)):
        item = _page_table(ptable, index, page_no)
        if isinstance(item, Table):
            if item.n_rows > limits.max_table_rows:
                raise TooLarge(doc.source, f"table has {item.n_rows} rows (limit {limits.max_table_rows})", page=page_no)
            blocks.append(item)
            table_boxes.append(item.bbox)
        else:
            blocks.extend(item)
            table_boxes.append(tuple(map(float, ptable.bbox)))
    return blocks, table_boxes


def _lineless_table(chars: list[dict], carried, page_no: int, limits: Limits, doc: Document, scores: HeaderScores,
                    blocks: list, table_boxes: list[BBox]):
    """The plan table drawn without lines among `chars` (`reja.extract.pdf_lineless`), added to `blocks`
    and `table_boxes`; returns its columns for the next page (None when there is none)."""
    from pdfplumber.utils import extract_words
    from reja.extract.pdf_lineless import lineless_table

    words = extract_words(chars, extra_attrs=["fontname"])
    found = lineless_table(words, page_no, carried, scores=scores)
    if found is None:
        return None
    table, columns, bbox = found
    if table.n_rows > limits.max_table_rows:
        raise TooLarge(doc.source, f"table has {table.n_rows} rows (limit {limits.max_table_rows})", page=page_no)
    table.bbox = bbox
    blocks.append(table)
    table_boxes.append(bbox)
    return columns


def _in_reading_order(blocks: list, paragraphs: list[Paragraph]) -> list:
    """Paragraphs come out line by line, left to right; tables (and frames) go in before the first
    line below their top edge. Sorting everything by top would reorder a two-column line whose
    halves sit a fraction of a point apart."""
    placed = sorted(blocks, key=lambda b: b.bbox[1])
    merged: list = []
    for para in paragraphs:
        while placed and placed[0].bbox[1] < para.bbox[1]:
            merged.append(placed.pop(0))
        merged.append(para)
    return merged + placed


def _page_count(pdf) -> int | None:
    """/Count of the page tree, read without building thousands of page objects."""
    from pdfminer.pdftypes import resolve1

    try:
        pages = resolve1(pdf.doc.catalog.get("Pages"))
        count = resolve1(pages.get("Count"))
        return int(count) if isinstance(count, int) else None
    except Exception:  # noqa: BLE001 — a damaged tree is caught when pages are built
        return None


def _unwrap(exc: Exception) -> Exception:
    return exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc


def _raise_pdf_error(name: str, exc: Exception, page: int | None = None):
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    inner = _unwrap(exc)
    if isinstance(inner, PDFPasswordIncorrect | PDFEncryptionError):
        raise EncryptedFile(name, "the PDF is password-protected; send a copy without a password") from exc
    raise CorruptFile(name, f"damaged PDF: {type(inner).__name__}: {inner}", page=page) from exc


def _close(pdf) -> None:
    """Close without pdfplumber's close(), which builds every page object first: slow on a
    5000-page file and it raises again on the damaged page that brought us here."""
    import contextlib

    with contextlib.suppress(Exception):
        pdf.flush_cache()
    for page in pdf.__dict__.get("_pages", []):
        with contextlib.suppress(Exception):
            page.close()
    if not pdf.stream_is_external:
        with contextlib.suppress(Exception):
            pdf.stream.close()


def read_pdf(path: Path, *, name: str, limits: Limits, deadline: Deadline, scores: HeaderScores) -> PdfResult:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psexceptions import PSException
    from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

    lib_errors = (PdfminerException, MalformedPDFException, PDFSyntaxError, PSException, *PARSE_ERRORS)
    doc = Document(source=name, format="pdf")
    result = PdfResult(document=doc)
    try:
        pdf = pdfplumber.open(path)
    except lib_errors as exc:
        _raise_pdf_error(name, exc)
    try:
        count = _page_count(pdf)
        if count is not None and count > limits.max_pdf_pages:
            raise TooLarge(name, f"the PDF has {count} pages (limit {limits.max_pdf_pages})")
        try:
            # /Count can lie: walk the page tree lazily, stopping just past the limit, before
            # pdfplumber builds a Page object for every page.
            from pdfminer.pdfpage import PDFPage

            walked = 0
            for _ in PDFPage.create_pages(pdf.doc):
                walked += 1
                if walked > limits.max_pdf_pages:
                    raise TooLarge(name, f"the PDF has more than {limits.max_pdf_pages} pages (limit)")
            pages = pdf.pages
        except lib_errors as exc:
            _raise_pdf_error(name, exc)
        doc.page_count = len(pages)
        carry: dict = {}
        for page in pages:
            page_no = page.page_number
            deadline.check(page=page_no)
            try:
                blocks = _read_page(page, page_no, limits, doc, scores, carry)
            except lib_errors as exc:
                _raise_pdf_error(name, exc, page=page_no)
            finally:
                page.close()  # frees the page's cached layout: memory stays flat over long files
            if blocks is None:
                result.scan_pages.append(page_no)
            else:
                doc.blocks.extend(blocks)
    finally:
        _close(pdf)
    return result
