"""OCR repairs that need more than one cell: column roles, item-number sequence, vocabularies.

Every change is written as a note on the cell ("item_no_rebuilt: …", "snapped_value: …"), which
`flags.apply_ocr_flags` turns into item flags, so no repair is silent.

- Item numbers are the worst-read column ("1." → "A", "2." → "Z.", "1.1" → "1,4"). A number that
  does not match the item-number pattern is rebuilt from its look-alike digits and the numbers
  around it; a number that is well-formed is never changed (plans have real duplicates).
- Units are a closed vocabulary (schema/data/units.yaml): a unit cell close to a catalogue form is
  snapped to it ("ном)нусха" → "ном/нусха": Debian's uzb_cyrl model has no "/").
- Look-alike letters of the other script inside a word are repaired by the normaliser.
"""

from __future__ import annotations

import re
from functools import lru_cache

from reja.extract.header import classify_header, is_header_row
from reja.extract.ir import Cell, Document, Paragraph, Table
from reja.extract.settings import HeaderScores, ParseSettings
from reja.normalize.script import repair_lookalikes
from reja.schema.data_files import package_yaml

from .language import MODEL_SCRIPT
from .settings import ScanSettings

ITEM_NO_RE = re.compile(r"^\d{1,3}(\.\d{1,3})*\.?$")
_NUMBERISH_RE = re.compile(r"^[\w.,:;'`|]{1,8}$")


@lru_cache(maxsize=1)
def _digit_lookalikes() -> dict[str, str]:
    raw = package_yaml("reja.extract.scan", "item_numbers.yaml")
    return {str(k): str(v) for k, v in raw["lookalikes"].items()}


# ---------------------------------------------------------------- column roles


def _roles_of(table: Table, scores: HeaderScores) -> tuple[list[str | None], set[int]] | None:
    """Column roles from the table's header row (the parser's own header matcher, at the parse
    settings' `scores`), and the header rows. None when the table has no header row (a continuation page).
    An error of the header matcher is reja's own bug: it is raised, not read as "no header"."""
    for row in range(min(3, table.n_rows)):
        if not is_header_row(table, row, scores):
            continue
        grid = table.grid()
        roles: list[str | None] = []
        for col in range(table.n_cols):
            cell = grid[row][col]
            roles.append(classify_header(cell.text, scores)[0] if cell is not None else None)
        return roles, set(range(row + 1))
    return None


def _number_col_guess(table: Table) -> int | None:
    """Without a header: the first column when most of its filled cells are item numbers."""
    texts = [c.text.strip() for c in table.cells if c.col == 0 and c.colspan == 1 and c.text.strip()]
    if texts and sum(bool(ITEM_NO_RE.match(t)) for t in texts) * 2 > len(texts):
        return 0
    return None


# ---------------------------------------------------------------- item numbers


def _parts(no: str) -> list[int]:
    return [int(p) for p in no.rstrip(".").split(".") if p]


def _fmt(parts: list[int], dotted: bool) -> str:
    s = ".".join(str(p) for p in parts)
    return s + "." if dotted and len(parts) == 1 else s


def _successors(prev: str | None) -> list[list[int]]:
    """Numbers that may follow `prev`: next sibling, first child, next at a higher level."""
    if prev is None:
        return [[1], [1, 1]]
    p = _parts(prev)
    out = [p[:-1] + [p[-1] + 1], p + [1]]
    for k in range(len(p) - 1, 0, -1):
        out.append(p[: k - 1] + [p[k - 1] + 1])
        out.append(p[: k - 1] + [p[k - 1] + 1, 1])
    return out


def _lookalike_reading(text: str) -> str | None:
    """Digits restored from look-alike letters and ',' → '.'; None when still not a number."""
    table = _digit_lookalikes()
    fixed = "".join(table.get(ch, ch) for ch in text.strip())
    fixed = re.sub(r"\.{2,}", ".", fixed)
    return fixed if ITEM_NO_RE.match(fixed) else None


def _expected_numbers(prev: str | None, nxt: str | None) -> list[list[int]]:
    """Numbers that may stand between `prev` and `nxt` (the successors of prev, narrowed to those nxt
    may follow when any is)."""
    expected = _successors(prev)
    if nxt is not None and ITEM_NO_RE.match(nxt):
        n = _parts(nxt)
        consistent = [e for e in expected if n in _successors(_fmt(e, False))]
        expected = consistent or expected
    return expected


def _from_lookalikes(t: str, prev: str | None, expected: list[list[int]], dotted: bool) -> str | None:
    """The number the look-alike reading of `t` gives, when it is expected (or nothing comes before)."""
    reading = _lookalike_reading(t)
    if reading is None:
        return None
    r = _parts(reading)
    if r in expected or prev is None:
        return _fmt(r, reading.endswith("."))
    # "1,4" read for "1.1": same shape as the expected number, last digit misread
    same_shape = [e for e in expected if len(e) == len(r) and e[:-1] == r[:-1]]
    return _fmt(same_shape[0], dotted) if len(same_shape) == 1 else None


def rebuild_item_no(text: str, prev: str | None, nxt: str | None) -> str | None:
    """A rebuilt number for a misread one, or None to leave the cell alone."""
    t = text.strip()
    if not t or ITEM_NO_RE.match(t) or not _NUMBERISH_RE.match(t):
        return None
    if sum(ch.isalpha() for ch in t) > 2:
        return None  # a word ("Бундан", "Shundan"), not a number
    expected = _expected_numbers(prev, nxt)
    dotted = t.endswith(".") or t.endswith(",")
    found = _from_lookalikes(t, prev, expected, dotted)
    if found is not None:
        return found
    if prev is not None and nxt is not None and len(expected) == 1:
        return _fmt(expected[0], dotted)
    return None


def _number_cells(doc: Document, number_cols: dict[int, int], header_rows: dict[int, set[int]]) -> list[Cell]:
    """The item-number column's body cells of every table, in reading order."""
    cells: list[Cell] = []
    for table in doc.tables:
        col = number_cols.get(table.index)
        if col is None:
            continue
        header = header_rows.get(table.index, set())
        cells += [c for c in sorted(table.cells, key=lambda c: c.row)
                  if c.col == col and c.colspan == 1 and c.row not in header]
    return cells


def _repair_numbers(doc: Document, number_cols: dict[int, int], header_rows: dict[int, set[int]]) -> None:
    cells = _number_cells(doc, number_cols, header_rows)
    valid = [c.text.strip() if ITEM_NO_RE.match(c.text.strip()) else None for c in cells]
    for i, cell in enumerate(cells):
        if valid[i] is not None:
            continue
        prev = next((v for v in reversed(valid[:i]) if v is not None), None)
        nxt = next((v for v in valid[i + 1 :] if v is not None), None)
        new = rebuild_item_no(cell.text, prev, nxt)
        if new is not None:
            cell.notes.append(f"item_no_rebuilt: {cell.text.strip()!r} → {new!r}")
            cell.text = new
            valid[i] = new


# ---------------------------------------------------------------- vocabularies


def _letters_key(s: str) -> str:
    return "".join(ch for ch in s.lower() if ch.isalnum())


@lru_cache(maxsize=1)
def unit_vocabulary() -> tuple[str, ...]:
    """Every written form of every unit in the catalogue; empty when the catalogue is missing."""
    try:
        from reja.schema.catalogue import load_catalogue

        return tuple(label for unit in load_catalogue().units.values() for label in unit.labels())
    except Exception:  # noqa: BLE001 - no catalogue: no snapping, nothing invented
        return ()


def _distance(a: str, b: str) -> int:
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(a, b)


def _skeleton(s: str, lacks: str) -> str:
    """Lower-case text with every run of separators (and of symbols the model lacks) made one "/"."""
    return re.sub(r"[\s" + re.escape(lacks) + r")(|{}\[\]\\]+", "/", s.lower()).strip("/")


def _snap_lacked_symbol(t: str, pool: list[str], vocabulary: tuple[str, ...], lacks: str) -> str | None:
    """A form with the lacked symbol where the OCR wrote a separator run ("ном)нусха" → "ном/нусха")."""
    if not lacks or any(ch in t for ch in lacks):
        return None
    skel = _skeleton(t, lacks)
    better = [v for v in pool if any(ch in v for ch in lacks) and _skeleton(v, lacks) == skel]
    if not better:
        return None
    # The separator run the OCR wrote stands for the one lacked symbol ("номда )нусха" is
    # "номда/нусха"), so compare with the run replaced by it.
    guess = re.sub(r"[\s)(|{}\[\]\\]+", lacks[0], t)
    return min(better, key=lambda v: (_distance(guess, v), vocabulary.index(v)))


def _closest_form(t: str, key: str, vocabulary: tuple[str, ...], script: str | None, min_score: float) -> str | None:
    """The form whose letters are closest to `key` (rapidfuzz ratio ≥ min_score), or None."""
    from rapidfuzz import fuzz

    scored = [(fuzz.ratio(key, k), v) for v, k in _keyed_pool(vocabulary, script)]
    if not scored:
        return None
    best = max(s for s, _v in scored)
    if best < min_score:
        return None
    candidates = [v for s, v in scored if s == best]
    # Case is compared last: OCR reads a unit's short letters (с/С, о/О) in either case. Ties go to
    # the earlier form: the catalogue lists each unit's own names before its synonyms.
    return min(candidates, key=lambda v: (_distance(t.lower(), v.lower()), vocabulary.index(v)))


def snap(text: str, vocabulary: tuple[str, ...], script: str | None, lacks: str = "",
         min_score: float = 90) -> str | None:
    """The vocabulary form this OCR'd text most likely is, or None (already exact, or nothing close).

    `lacks`: symbols the OCR model cannot write (uzb_cyrl has no "/"): its "ном нусха" or
    "ном)нусха" may stand for "ном/нусха", so a catalogue form with the symbol in that place wins
    even over an exact match of the symbol-less form."""
    t = " ".join(text.split())
    key = _letters_key(t)
    if len(key) < 3:
        return None
    pool = [v for v, _k in _keyed_pool(vocabulary, script)]
    choice = _snap_lacked_symbol(t, pool, vocabulary, lacks)
    if choice is None:
        if t in vocabulary and not (t.isupper() and len(key) > 1):
            return None
        choice = _closest_form(t, key, vocabulary, script, min_score)
    return None if choice is None or choice == t else choice


@lru_cache(maxsize=8)
def _keyed_pool(vocabulary: tuple[str, ...], script: str | None) -> tuple[tuple[str, str], ...]:
    """(form, letters key) of the vocabulary's forms in `script` (or in none): made once, not for every
    cell snapped (a document's unit cells made them ~100 times: 0.1 s a page, issue 18)."""
    return tuple((v, _letters_key(v)) for v in vocabulary if script is None or _script_of(v) in (script, "none"))


def _script_of(s: str) -> str:
    from .language import detect_script

    return detect_script(s)


def _snap_units(table: Table, unit_col: int, header: set[int], script: str | None, lacks: str = "") -> None:
    vocab = unit_vocabulary()
    if not vocab:
        return
    for cell in table.cells:
        if cell.col != unit_col or cell.row in header or cell.colspan != 1 or not cell.text.strip():
            continue
        lines = cell.text.split("\n")
        new_lines = []
        changed = []
        for line in lines:
            s = snap(line, vocab, script, lacks)
            # spacing alone ("номда /нусха" → "номда/нусха") changes no letter: a repair, not a doubt
            if s is not None and "".join(s.split()) != "".join(line.split()):
                changed.append(f"{line.strip()!r} → {s!r}")
            new_lines.append(s if s is not None else line)
        if changed:
            cell.notes.append("snapped_value: unit " + ", ".join(changed))
            cell.text = "\n".join(new_lines)


# ---------------------------------------------------------------- look-alikes


def _repair_lookalikes(doc: Document, script: str | None) -> None:
    for table in doc.tables:
        for cell in table.cells:
            fixed, changed = repair_lookalikes(cell.text, script)
            if changed:
                cell.notes.append(f"mixed_script: look-alikes repaired {cell.text!r} → {fixed!r}")
                cell.text = fixed
    for para in doc.paragraphs:
        fixed, changed = repair_lookalikes(para.text, script)
        if changed:
            para.text = fixed


def _map_output(doc: Document, mapping: dict) -> None:
    """Characters Tesseract emits for a glyph that typists write differently (data/scan.yaml)."""
    if not mapping:
        return
    table = str.maketrans({str(k): str(v) for k, v in mapping.items()})
    for t in doc.tables:
        for cell in t.cells:
            cell.text = cell.text.translate(table)
    for para in doc.paragraphs:
        para.text = para.text.translate(table)


def _heading_number(text: str) -> tuple[str, str] | None:
    """A heading starting with a misread number ("1,1. Ҳужжатларни …") → (fixed text, note)."""
    head, _sep, rest = text.partition(" ")
    if not rest or ITEM_NO_RE.match(head) or not any(ch.isdigit() for ch in head):
        return None
    fixed = _lookalike_reading(head)
    if fixed is None:
        return None
    return f"{fixed} {rest}", f"heading_number_repaired: {head!r} → {fixed!r}"


_OPENING_CONTEXT = " \t\n([{«—–-/"


def _curly_quotes(text: str) -> str:
    out = []
    for i, ch in enumerate(text):
        if ch == '"':
            ch = "\u201c" if i == 0 or text[i - 1] in _OPENING_CONTEXT else "\u201d"
        out.append(ch)
    return "".join(out)


def _repair_quotes(doc: Document, lang: str, settings: ScanSettings) -> None:
    """A model without “ ” (uzb_cyrl) writes '"'; typed plans in that script use the curly pair."""
    if settings.quote_style.get(lang) != "curly":
        return
    for t in doc.tables:
        for cell in t.cells:
            if '"' in cell.text:
                cell.text = _curly_quotes(cell.text)
    for para in doc.paragraphs:
        if '"' in para.text:
            para.text = _curly_quotes(para.text)


def _unit_like_columns(table: Table, header: set[int], known: set[int], script: str | None, lacks: str) -> list[int]:
    """Columns of a table without a recognised unit header whose cells are mostly catalogue units
    (continuation pages, a unit column under a two-row header)."""
    vocab = unit_vocabulary()
    out = []
    for col in range(table.n_cols):
        if col in known:
            continue
        texts = [c.text for c in table.cells if c.col == col and c.colspan == 1 and c.row not in header
                 and c.text.strip()]
        if len(texts) < 2:
            continue
        hits = sum(1 for t in texts if " ".join(t.split()) in vocab or snap(t.split("\n")[0], vocab, script, lacks))
        if hits * 2 > len(texts):
            out.append(col)
    return out


def _correct_words(table: Table, cols: set[int], header: set[int], settings: ScanSettings) -> None:
    """Closed-vocabulary columns: words one confusable letter away from a word of the data files."""
    pairs = [tuple(p) for p in settings.confusable_letters]
    if not pairs or not cols:
        return
    from .lexicon import correct_text

    for cell in table.cells:
        if cell.col in cols and cell.row not in header and cell.colspan == 1 and cell.text.strip():
            fixed, changes = correct_text(cell.text, pairs)
            if changes:
                cell.notes.append("snapped_value: word " + ", ".join(changes))
                cell.text = fixed


def _repair_heading_numbers(doc: Document) -> None:
    """Headings are no items (nothing to flag): the repair is reported in the document's warnings."""
    for table in doc.tables:
        for cell in table.cells:
            if cell.colspan == table.n_cols and table.n_cols > 1:
                found = _heading_number(cell.text)
                if found:
                    cell.text, note = found
                    doc.warnings.append(f"page {cell.page}: {note}")
    for para in doc.paragraphs:
        found = _heading_number(para.text)
        if found:
            para.text, note = found
            doc.warnings.append(f"page {para.page}: {note}")


_SECTION_NO_RE = re.compile(r"^\s*([IVXLХІ]{1,7}|\d{1,2})\.(?!\d)\s*(\S.*)$", re.S)


def _heading_holders(doc: Document) -> list[Cell | Paragraph]:
    """What may hold a section heading: cells across their table, and paragraphs."""
    out: list[Cell | Paragraph] = []
    for table in doc.tables:
        out += [cell for cell in table.cells if cell.colspan == table.n_cols and table.n_cols > 1]
    return out + list(doc.paragraphs)


def _arabic_first_section(doc: Document) -> None:
    """A first section read "I." in a plan whose other sections are numbered 2, 3 …: "1." (a 1's flag is a
    pixel or two on a photo, and the strokes then read it as I). Said in the document's warnings."""
    numbered = [(holder, m) for holder in _heading_holders(doc) if (m := _SECTION_NO_RE.match(holder.text)) is not None]
    others = [m.group(1) for _h, m in numbered if m.group(1) != "I"]
    if not others or not all(no.isdigit() for no in others):
        return
    for holder, m in numbered:
        if m.group(1) == "I":
            holder.text = "1." + holder.text[m.end(1) + 1 :]
            doc.warnings.append(f"page {holder.page}: heading_number_repaired: 'I.' → '1.' (the other sections "
                                f"are numbered {', '.join(others)})")


def repair_document(doc: Document, *, lang: str, settings: ParseSettings) -> None:
    """Repair an OCR'd document in place (see the module doc); `settings`: the parse settings (the scan
    reader's corrections, and the header scores that name the columns)."""
    scores, settings = settings.header, settings.scan
    script = MODEL_SCRIPT.get(lang)
    _map_output(doc, settings.output_map)
    _repair_quotes(doc, lang, settings)
    _repair_heading_numbers(doc)
    _arabic_first_section(doc)
    _repair_lookalikes(doc, script)
    number_cols: dict[int, int] = {}
    headers: dict[int, set[int]] = {}
    last_roles: dict[int, list[str | None]] = {}  # n_cols → roles of the last table with a header
    for table in doc.tables:
        found = _roles_of(table, scores)
        if found is not None:
            roles, header = found
            last_roles[table.n_cols] = roles
        else:
            roles, header = last_roles.get(table.n_cols), set()
        headers[table.index] = header
        if roles is not None and "number" in roles:
            number_cols[table.index] = roles.index("number")
        else:
            guess = _number_col_guess(table)
            if guess is not None:
                number_cols[table.index] = guess
        lacks = "".join(settings.model_lacks.get(lang, []))
        # Header roles can mislead under two-row headers ("Амалга ошириш механизми" over "Ўлчов
        # бирлиги"), so every column but the number and text ones is tested for unit-like cells.
        role_cols = {c for c, r in enumerate(roles or []) if r in ("number", "text")}
        unit_cols = [roles.index("unit")] if roles is not None and "unit" in roles else []
        unit_cols += _unit_like_columns(table, header, role_cols | set(unit_cols), script, lacks)
        for col in unit_cols:
            _snap_units(table, col, header, script, lacks)
        closed = set(unit_cols) | ({roles.index("deadline")} if roles is not None and "deadline" in roles else set())
        _correct_words(table, closed, header, settings)
    _repair_numbers(doc, number_cols, headers)
