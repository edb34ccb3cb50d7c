"""DOCX → IR Document: body paragraphs and tables in XML reading order, merged cells once with spans.

python-docx loads the package and the styles; the body is walked as XML (`w:p`, `w:tbl`, `w:tc`)
because python-docx's table API repeats a merged cell at every grid position it covers, and the
true spans are in `w:gridSpan` / `w:vMerge` only.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from docx.oxml.ns import qn
from reja.extract.docx_numbering import Numbering
from reja.extract.errors import CorruptFile, TooLarge
from reja.extract.ir import Cell, Document, Paragraph, Table
from reja.extract.limits import Deadline, Limits

W_P, W_TBL, W_TR, W_TC, W_R, W_T = (qn(t) for t in ("w:p", "w:tbl", "w:tr", "w:tc", "w:r", "w:t"))
W_SDT, W_SDTCONTENT, W_CUSTOMXML = qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")
W_VAL = qn("w:val")
W_TXBX = qn("w:txbxContent")
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# Containers whose text is not body text (text boxes, drawings) or is duplicated (AlternateContent).
_SKIP_SUBTREES = {
    qn("w:drawing"),
    qn("w:pict"),
    qn("w:object"),
    qn("w:txbxContent"),
    "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent",
}
_TRUE = {"1", "true", "on"}
_ALIGN = {"left": "left", "start": "left", "center": "center", "right": "right", "end": "right",
          "both": "justify", "distribute": "justify", "justify": "justify"}

# C0/C1 control characters other than tab and newline: never meaningful in a plan, they break
# CSV/terminal output downstream. Vertical tab and form feed are Word's line/page breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n").replace("\x0c", "\n")
    return _CONTROL.sub("", text)


def _on(el) -> bool | None:
    """A toggle property (w:b, w:i): None when absent, else its value (no w:val means on)."""
    if el is None:
        return None
    val = el.get(W_VAL)
    return True if val is None else val.lower() in _TRUE


class _Styles:
    """Bold/italic/alignment of each style id, resolved through `w:basedOn` chains."""

    def __init__(self, document):
        self.by_id: dict[str, object] = {}
        self.default_para = None
        styles_el = document.styles.element
        for st in styles_el.findall(qn("w:style")):
            sid = st.get(qn("w:styleId"))
            if sid:
                self.by_id[sid] = st
                if st.get(qn("w:type")) == "paragraph" and st.get(qn("w:default")) in _TRUE:
                    self.default_para = sid
        self._cache: dict[tuple[str, str], object] = {}

    def prop(self, sid: str | None, what: str):
        """what: 'b', 'i' (from rPr), 'jc' or 'num' (list numbering: (numId, ilvl)) from pPr."""
        if sid is None:
            return None
        key = (sid, what)
        if key not in self._cache:
            self._cache[key] = self._inherited(sid, what)
        return self._cache[key]

    def _inherited(self, sid: str, what: str):
        """The value of the first style along the `w:basedOn` chain from `sid` that sets `what`."""
        seen: set[str] = set()
        cur = sid
        while cur and cur not in seen:
            seen.add(cur)
            st = self.by_id.get(cur)
            if st is None:
                break
            found, value = _style_sets(st, what)
            if found:
                return value
            based = st.find(qn("w:basedOn"))
            cur = based.get(W_VAL) if based is not None else None
        return None


def _style_sets(st, what: str) -> tuple[bool, object]:
    """(does the style element itself set `what`?, the value it sets)."""
    if what == "num":
        return _style_numbering(st)
    if what == "jc":
        return _style_alignment(st)
    rpr = st.find(qn("w:rPr"))
    v = _on(rpr.find(qn("w:" + what))) if rpr is not None else None
    return v is not None, v


def _style_numbering(st) -> tuple[bool, tuple[str | None, int] | None]:
    ppr = st.find(qn("w:pPr"))
    num = ppr.find(qn("w:numPr")) if ppr is not None else None
    if num is None:
        return False, None
    nid, ilvl = num.find(qn("w:numId")), num.find(qn("w:ilvl"))
    level = _int(ilvl.get(W_VAL) if ilvl is not None else None, 0)
    return True, (nid.get(W_VAL) if nid is not None else None, level)


def _style_alignment(st) -> tuple[bool, str | None]:
    """An alignment the reader does not know still ends the chain (as None)."""
    ppr = st.find(qn("w:pPr"))
    jc = ppr.find(qn("w:jc")) if ppr is not None else None
    if jc is None:
        return False, None
    return True, _ALIGN.get(jc.get(W_VAL, ""))


def _iter_runs_and_text(p):
    """Yield (run_element, text) for each run of a paragraph, skipping text boxes and drawings."""
    stack = [iter(p)]
    while stack:
        el = next(stack[-1], None)
        if el is None:
            stack.pop()
            continue
        tag = el.tag
        if not isinstance(tag, str) or tag in _SKIP_SUBTREES:
            continue
        if tag == W_R:
            yield el, _run_text(el)
        elif tag in (qn("w:pPr"), qn("w:del"), qn("w:moveFrom")):
            continue  # properties, deleted revision text
        else:
            stack.append(iter(el))  # hyperlink, ins, smartTag, fldSimple, sdt, customXml...


def _run_text(r) -> str:
    parts: list[str] = []
    for el in r:
        tag = el.tag
        if tag == W_T:
            parts.append(el.text or "")
        elif tag == qn("w:tab") or tag == qn("w:ptab"):
            parts.append("\t")
        elif tag in (qn("w:br"), qn("w:cr")):
            parts.append("\n")
        elif tag == qn("w:noBreakHyphen"):
            parts.append("-")
        elif tag in _SKIP_SUBTREES:
            continue
        elif tag == qn("w:sym"):
            char = el.get(qn("w:char"))
            if char:
                try:
                    code = int(char, 16)
                    # Symbol-font chars live in the private-use area F0xx; map back to ASCII.
                    parts.append(chr(code - 0xF000 if code >= 0xF000 else code))
                except ValueError:
                    pass
    return "".join(parts)


def _grid_before(tr, width: int) -> int:
    """The grid column a w:tr's first cell stands in (w:gridBefore, within the table's width)."""
    trpr = tr.find(qn("w:trPr"))
    if trpr is None:
        return 0
    gb = trpr.find(qn("w:gridBefore"))
    return min(max(0, _int(gb.get(W_VAL) if gb is not None else None, 0)), width - 1)


class DocxReader:
    def __init__(self, document, name: str, limits: Limits, deadline: Deadline):
        self.doc = document
        self.name = name
        self.limits = limits
        self.deadline = deadline
        self.styles = _Styles(document)
        self.numbering = Numbering(document)
        self.warnings: list[str] = []
        self.table_index = 0

    # -- paragraphs ------------------------------------------------------------------------
    def _para_style(self, p) -> str | None:
        ppr = p.find(qn("w:pPr"))
        ps = ppr.find(qn("w:pStyle")) if ppr is not None else None
        return ps.get(W_VAL) if ps is not None else self.styles.default_para

    def paragraph_info(self, p) -> tuple[str, bool, bool, str | None, str | None]:
        """text, bold, italic, align, style id."""
        sid = self._para_style(p)
        para_b = self.styles.prop(sid, "b")
        para_i = self.styles.prop(sid, "i")
        texts: list[str] = []
        all_b = all_i = True
        any_text = False
        for r, text in _iter_runs_and_text(p):
            texts.append(text)
            if not text.strip():
                continue
            any_text = True
            rpr = r.find(qn("w:rPr"))
            b = i = None
            if rpr is not None:
                b = _on(rpr.find(qn("w:b")))
                i = _on(rpr.find(qn("w:i")))
                rs = rpr.find(qn("w:rStyle"))
                if rs is not None:
                    if b is None:
                        b = self.styles.prop(rs.get(W_VAL), "b")
                    if i is None:
                        i = self.styles.prop(rs.get(W_VAL), "i")
            all_b &= bool(para_b if b is None else b)
            all_i &= bool(para_i if i is None else i)
        ppr = p.find(qn("w:pPr"))
        jc = ppr.find(qn("w:jc")) if ppr is not None else None
        align = _ALIGN.get(jc.get(W_VAL, "")) if jc is not None else self.styles.prop(sid, "jc")
        text = clean_text(self._list_label(p, ppr, sid) + "".join(texts))
        return text, any_text and all_b, any_text and all_i, align, sid

    def _list_label(self, p, ppr, sid) -> str:
        num = ppr.find(qn("w:numPr")) if ppr is not None else None
        if num is not None:
            nid, ilvl_el = num.find(qn("w:numId")), num.find(qn("w:ilvl"))
            num_id = nid.get(W_VAL) if nid is not None else None
            ilvl = _int(ilvl_el.get(W_VAL) if ilvl_el is not None else None, 0)
            if num_id is None:  # only the level given: the list comes from the style
                num_id = (self.styles.prop(sid, "num") or (None, 0))[0]
        else:
            num_id, ilvl = self.styles.prop(sid, "num") or (None, 0)
        return self.numbering.label(num_id, ilvl)

    def paragraph(self, p) -> Paragraph | None:
        text, bold, italic, align, sid = self.paragraph_info(p)
        if not text.strip():
            return None
        st = self.styles.by_id.get(sid) if sid else None
        name_el = st.find(qn("w:name")) if st is not None else None
        style = name_el.get(W_VAL) if name_el is not None else sid
        return Paragraph(text=text, bold=bold, italic=italic, style=style, align=align)

    # -- tables ----------------------------------------------------------------------------
    @staticmethod
    def _children(el, tag):
        """Direct children with this tag, looking through content controls and custom XML wrappers."""
        for child in el:
            if child.tag == tag:
                yield child
            elif child.tag in (W_SDT, W_CUSTOMXML):
                inner = child.find(W_SDTCONTENT) if child.tag == W_SDT else child
                if inner is not None:
                    yield from DocxReader._children(inner, tag)

    def _cell_text(self, tc) -> tuple[str, bool, bool, bool]:
        """text (paragraphs joined by newline, nested tables flattened), bold, italic, had nested table."""
        lines: list[str] = []
        bolds: list[bool] = []
        italics: list[bool] = []
        nested = False
        for el in tc.iter(W_P, W_TBL):
            if el.tag == W_TBL:
                nested = True
                continue
            if any(a.tag in _SKIP_SUBTREES for a in el.iterancestors()):
                continue
            text, b, i, _, _ = self.paragraph_info(el)
            lines.append(text)
            if text.strip():
                bolds.append(b)
                italics.append(i)
        text = "\n".join(lines).strip()
        return text, bool(bolds) and all(bolds), bool(italics) and all(italics), nested

    def table(self, tbl) -> Table:
        rows = list(self._children(tbl, W_TR))
        index = self.table_index
        self.table_index += 1
        grid_cols = self._grid_columns(tbl, index, len(rows))
        # spans and gridBefore are read no wider than the table's grid (or the column limit when the
        # file has no grid): a gridSpan of 300 000 000 would otherwise make a grid of gigabytes
        width = grid_cols or self.limits.max_table_cols
        cells: list[Cell] = []
        open_v: dict[int, Cell] = {}  # grid column → vertically merged cell still open above
        n_cols = grid_cols
        for r, tr in enumerate(rows):
            if r % 500 == 0:
                self.deadline.check()
            n_cols = max(n_cols, self._table_row(tr, r, index, width, cells, open_v))
            if n_cols > self.limits.max_table_cols:
                raise TooLarge(self.name, f"table {index + 1} has {n_cols} columns (limit {self.limits.max_table_cols})")
        return Table(index=index, n_rows=len(rows), n_cols=n_cols, cells=cells)

    def _grid_columns(self, tbl, index: int, n_rows: int) -> int:
        """The table's grid columns (0 when it has no grid); a table over the row or column limit is refused."""
        if n_rows > self.limits.max_table_rows:
            raise TooLarge(
                self.name, f"table {index + 1} has {n_rows} rows (limit {self.limits.max_table_rows})"
            )
        grid_cols = len(tbl.findall(qn("w:tblGrid") + "/" + qn("w:gridCol")))
        if grid_cols > self.limits.max_table_cols:
            raise TooLarge(self.name, f"table {index + 1} has {grid_cols} grid columns (limit {self.limits.max_table_cols})")
        return grid_cols

    def _table_row(self, tr, r: int, index: int, width: int, cells: list[Cell], open_v: dict[int, Cell]) -> int:
        """Read one w:tr into `cells`, a merged-over w:tc into the cell it continues (left, or above:
        `open_v`). Returns the grid column after the row's last cell."""
        col = _grid_before(tr, width)
        prev_in_row: Cell | None = None
        for tc in self._children(tr, W_TC):
            span, vmerge, hmerge = self._cell_merges(tc, col, width, index, r)
            if hmerge == "continue" and prev_in_row is not None:
                # Legacy horizontal merge: this w:tc is covered by the cell on its left.
                prev_in_row.colspan += span
                col += span
                continue
            anchor = open_v.get(col)
            if vmerge == "continue" and anchor is not None and anchor.row + anchor.rowspan == r:
                anchor.rowspan += 1
                col += span
                prev_in_row = None
                continue
            text, bold, italic, nested = self._cell_text(tc)
            if nested:
                self.warnings.append(f"table {index + 1} row {r + 1}: nested table flattened into the cell text")
            cell = Cell(row=r, col=col, text=text, colspan=span, bold=bold, italic=italic)
            cells.append(cell)
            for c in range(col, col + span):
                open_v.pop(c, None)
            if vmerge is not None:  # "restart" (or a stray "continue" with nothing above)
                open_v[col] = cell
            prev_in_row = cell
            col += span
        return col

    def _cell_merges(self, tc, col: int, width: int, index: int, r: int) -> tuple[int, str | None, str | None]:
        """(columns spanned, vertical merge, legacy horizontal merge) of a w:tc; a span wider than the
        table is cut to it, with a warning."""
        tcpr = tc.find(qn("w:tcPr"))
        span, vmerge, hmerge = 1, None, None
        if tcpr is None:
            return span, vmerge, hmerge
        gs = tcpr.find(qn("w:gridSpan"))
        span = max(1, _int(gs.get(W_VAL) if gs is not None else None, 1))
        if col + span > width:
            self.warnings.append(f"table {index + 1} row {r + 1}: a cell claims {span} columns, "
                                 f"wider than the table's {width}; read as {max(1, width - col)}")
            span = max(1, width - col)
        vm = tcpr.find(qn("w:vMerge"))
        if vm is not None:
            vmerge = vm.get(W_VAL) or "continue"
        hm = tcpr.find(qn("w:hMerge"))
        if hm is not None:
            hmerge = hm.get(W_VAL) or "continue"
        return span, vmerge, hmerge

    # -- text boxes, headers and footers ---------------------------------------------------
    def text_boxes(self, p) -> list:
        """Blocks of the text boxes anchored in a paragraph (a title block typed into a text box),
        before the paragraph itself. Word writes each box twice (mc:Choice and a VML mc:Fallback):
        only the first copy is read."""
        if p.find(".//" + W_TXBX) is None:
            return []
        out: list = []
        for box in p.iter(W_TXBX):
            if any(a.tag in (MC_FALLBACK, W_TXBX) for a in _ancestors_until(box, p)):
                continue
            out.extend(self.blocks(box))
        return out

    def header_footer_blocks(self, document) -> list:
        """Paragraphs and tables of the first section's headers and footers (a title block or the
        plan's year is sometimes typed there), each part read once."""
        out: list = []
        seen: set[int] = set()
        if not document.sections:
            return out
        section = document.sections[0]
        for attr in ("first_page_header", "header", "first_page_footer", "footer"):
            try:
                part = getattr(section, attr)
                if part.is_linked_to_previous:
                    continue
                element = part._element
            except (AttributeError, KeyError, ValueError):
                continue
            if id(element) in seen:
                continue
            seen.add(id(element))
            out.extend(self.blocks(element))
        return out

    # -- body ------------------------------------------------------------------------------
    def blocks(self, container) -> list:
        out: list = []
        for el in container:
            tag = el.tag
            if tag == W_P:
                out.extend(self.text_boxes(el))
                para = self.paragraph(el)
                if para is not None:
                    out.append(para)
            elif tag == W_TBL:
                self.deadline.check()
                out.append(self.table(el))
            elif tag == W_SDT:
                inner = el.find(W_SDTCONTENT)
                if inner is not None:
                    out.extend(self.blocks(inner))
            elif tag == W_CUSTOMXML:
                out.extend(self.blocks(el))
        return out


def _ancestors_until(el, stop):
    parent = el.getparent()
    while parent is not None and parent is not stop:
        yield parent
        parent = parent.getparent()


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def read_docx(path: Path, *, name: str, limits: Limits, deadline: Deadline, fmt: str = "docx") -> Document:
    """Read a DOCX (already checked by limits.check_zip / check_xml_parts) into the IR.

    Raises CorruptFile when python-docx cannot load the package; the caller may then try LibreOffice.
    """
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, XMLSyntaxError, KeyError, ValueError, zipfile.BadZipFile, zlib.error, AttributeError,
            TypeError, IndexError, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        # zlib.error: a damaged member; RuntimeError: an encrypted zip member; NotImplementedError:
        # an unsupported compression method.
        raise CorruptFile(name, f"python-docx cannot open the Word document: {type(exc).__name__}: {exc}") from exc
    try:
        reader = DocxReader(document, name, limits, deadline)
        blocks = reader.blocks(document.element.body)
        extra = reader.header_footer_blocks(document)
        if extra:  # the title block's lines may stand in the page header or footer: put them first
            blocks = extra + blocks
            for k, table in enumerate(b for b in blocks if isinstance(b, Table)):
                table.index = k
    except (KeyError, ValueError, AttributeError, TypeError) as exc:
        raise CorruptFile(name, f"unexpected Word XML structure: {type(exc).__name__}: {exc}") from exc
    return Document(source=name, format=fmt, blocks=blocks, page_count=None, warnings=reader.warnings)
