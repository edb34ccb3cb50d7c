"""The title block above the plan table: who agreed (KELISHILDI/КЕЛИШИЛДИ) and approved
(TASDIQLAYMAN/ТАСДИҚЛАЙМАН) the plan and when, the region, district, organisation and plan year.

The two signature blocks stand side by side. A DOCX usually lays them out in a borderless table
(one cell per block); a PDF gives interleaved lines ("“KELISHILDI”", "“TASDIQLAYMAN”", "Andijon
viloyati", "Izboskan tuman …"), which are put back into their block by horizontal position; a text
without either gives them one after the other. Whatever cannot be found falls back to the file
name, and is flagged `meta_missing: <field>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz
from reja.normalize.places import local_place_name, name_words_before
from reja.normalize.text import clean_text

from .ir import BBox
from .model import PlanMeta
from .plan_words import fold, word_set

KEYWORD_SCORE = 75  # "EL ISHLDI" still opens the KELISHILDI block
_YEAR_RE = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")
_DATE_RE = re.compile(r"(?<!\d)(?:19|20)(?:\d\d)?\s*[-‐–]?\s*(?:yil|йил|й\.|y\.|г\.|год)", re.I)
_NUMERIC_DATE_RE = re.compile(r"(?<!\d)\d{1,2}[./-]\d{1,2}[./-](?:19|20)\d\d(?!\d)")  # 06.01.2025
_INITIAL_NAME_RE = re.compile(r"([A-ZА-ЯЎҚҒҲЁ]\.\s*(?:[A-ZА-ЯЎҚҒҲЁ]\.\s*)?[A-ZА-ЯЎҚҒҲЁ][\w'ʻʼ‘’`-]+)\s*$")
_QUOTES = "\"“”„«»'‘’"
_NAME_WORD = re.compile(r"[^\W\d_][\w'ʻʼ‘’`-]*")


@dataclass
class Line:
    """One line of the title block as the reader gave it."""

    text: str
    bbox: BBox | None = None
    page: int | None = None
    group: int | None = None  # lines of one layout-table cell share a group


@dataclass
class _Block:
    kind: str  # "approve" | "agree"
    lines: list[Line]
    keyword: Line | None = None  # None when the block was found by its position alone


@dataclass
class _Found:
    block: _Block
    indices: list[int]


def _beside(found: _Block, lines: list[Line], used: set[int]) -> _Found | None:
    """The other signature block when OCR lost its keyword: the lines standing beside the block
    that was found (same page, same height, another column), ending with a date."""
    key = found.keyword
    assert key is not None and key.bbox is not None
    box = _span([key, *found.lines])
    picked = [i for i, ln in enumerate(lines) if i not in used and _stands_beside(ln, key.page, box)]
    if len(picked) < 2 or not _is_date(lines[picked[-1]].text):
        return None
    kind = "approve" if found.kind == "agree" else "agree"
    return _Found(_Block(kind, [lines[i] for i in picked], None), picked)


def _span(lines: list[Line]) -> tuple[float, float, float, float]:
    """(x0, top, x1, bottom) around the boxes of the lines that have one."""
    boxes = [ln.bbox for ln in lines if ln.bbox is not None]
    xs0, tops, xs1, bottoms = zip(*boxes, strict=True)
    return min(xs0), min(tops), max(xs1), max(bottoms)


def _stands_beside(ln: Line, page: int | None, box: tuple[float, float, float, float]) -> bool:
    """Is the line on `page`, at the height of `box` (5 points either way) and wholly left or right of it?"""
    if ln.bbox is None or ln.page != page:
        return False
    x0, top, x1, bottom = box
    return top - 5 <= ln.bbox[1] <= bottom + 5 and (ln.bbox[0] > x1 or ln.bbox[2] < x0)


def _keyword_kind(text: str) -> str | None:
    t = re.sub(r"[^\w]", "", fold(text).replace(" ", ""))
    if not t or len(t) > 16:
        return None
    for kind, key in (("approve", "approve_words"), ("agree", "agree_words")):
        if any(fuzz.ratio(t, w) >= KEYWORD_SCORE for w in word_set(key)):
            return kind
    return None


def _is_date(text: str) -> bool:
    f = fold(text)
    return bool(_DATE_RE.search(f) or _NUMERIC_DATE_RE.search(f)) or any(re.search(rf"\b{re.escape(m)}\b", f) for m in word_set("months"))


def _split_lines(lines: list[Line]) -> list[Line]:
    """One Line per text line; "TASDIQLAYMAN: Direktor N.Burxonov" becomes the keyword, then the rest."""
    out: list[Line] = []
    for ln in lines:
        parts = [p.strip() for p in ln.text.splitlines() if p.strip()]
        for p in parts:
            bbox = ln.bbox if len(parts) == 1 else None
            head, _, tail = p.partition(" ")
            # only a keyword as such: upper case or followed by a colon ("Tasdiqlangan reja" is a title)
            marked = head.endswith(":") or head.strip(_QUOTES + ":").isupper()
            if tail and marked and _keyword_kind(head) and not _keyword_kind(p):
                out.append(Line(head, bbox, ln.page, ln.group))
                out.append(Line(tail.lstrip(" :"), bbox, ln.page, ln.group))
            else:
                out.append(Line(p, bbox, ln.page, ln.group))
    return out


def _overlaps(a: BBox, b: BBox) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 0


def _collect_blocks(lines: list[Line]) -> tuple[list[_Block], list[Line], list[Line]]:
    """Signature blocks, and the lines that belong to neither (cover and title)."""
    used: set[int] = set()
    blocks: list[_Block] = []
    keyword_at = [(_keyword_kind(ln.text), i) for i, ln in enumerate(lines)]
    keyword_idx = {i for kind, i in keyword_at if kind}
    for kind, i in keyword_at:
        if kind is None:
            continue
        used.add(i)
        members = _block_members(lines, i, keyword_idx, used)
        used.update(members)
        blocks.append(_Block(kind, [lines[j] for j in members], lines[i]))
    if len(blocks) == 1 and blocks[0].keyword.bbox is not None:
        other = _beside(blocks[0], lines, used)
        if other is not None:
            used.update(other.indices)
            blocks.append(other.block)
    return (blocks, *_left_over(lines, used))


def _left_over(lines: list[Line], used: set[int]) -> tuple[list[Line], list[Line]]:
    """The lines no signature block took (the cover page before the blocks, then the title proper
    after them), and those after the blocks alone."""
    last = max(used, default=-1)
    before = [ln for i, ln in enumerate(lines) if i not in used and i < last]
    after = [ln for i, ln in enumerate(lines) if i not in used and i > last]
    return before + after, after


def _block_members(lines: list[Line], i: int, keyword_idx: set[int], used: set[int]) -> list[int]:
    """The lines (indices) of the signature block whose keyword is line `i`: up to its date line, at most six."""
    key = lines[i]
    members: list[int] = []
    for j in range(i + 1, len(lines)):
        if j in keyword_idx:
            if key.group is None and key.bbox is None:
                break
            continue
        if j in used:
            continue
        step = _member_step(key, lines[j], [lines[m] for m in members])
        if step == "stop":
            break
        if step == "skip":
            continue
        members.append(j)
        if _is_date(lines[j].text) or len(members) >= 6:
            break
    return members


def _member_step(key: Line, ln: Line, members: list[Line]) -> str:
    """Is `ln` the next line of the block opened by `key` ("take"), another block's or the page's
    ("skip"), or past the block's end ("stop")? Lines of one text box or layout cell (`group`) belong
    together; boxed lines (OCR, PDF) must sit under the keyword, no wider apart than three lines."""
    if _names_plan(ln.text) and not (key.group is not None and ln.group == key.group):
        return "stop"  # the plan's title ("… 2024-yil uchun ish rejasi") is no date of a block without one
    if key.group is not None:
        return "take" if ln.group == key.group else "skip"
    if key.bbox is not None and ln.bbox is not None:
        if ln.page != key.page or not _overlaps(ln.bbox, key.bbox):
            return "skip"
        # the last member that has a box: a multi-line OCR paragraph split into lines has none
        boxed = [m.bbox for m in members if m.bbox is not None]
        last = boxed[-1] if boxed else key.bbox
        height = max(last[3] - last[1], 8.0)
        if ln.bbox[1] - last[3] > 3 * height:
            return "stop"
    return "take"


def _block_parts(block: _Block) -> tuple[list[str], str | None, str | None]:
    """(position lines, name, date) of a signature block."""
    texts = [ln.text for ln in block.lines]
    date = None
    if texts and _is_date(texts[-1]):
        date = texts.pop()
    name = None
    if texts:
        m = _INITIAL_NAME_RE.search(texts[-1])
        if m and m.start() > 0:  # "markazi direktori N.Burxonov" on one line
            name = m.group(1)
            texts[-1] = texts[-1][: m.start()].strip()
            if not texts[-1]:
                texts.pop()
        elif not _has_word(texts[-1], "position_words") or m:
            name = texts.pop()
    return texts, _clean(name), _date_value(date)


def _clean(s: str | None) -> str | None:
    s = clean_text(s) if s else ""
    return s or None


def _date_value(raw: str | None) -> str | None:
    """The date as written, or None when the form was left blank ("20 йил “ ”")."""
    if raw is None:
        return None
    s = clean_text(raw)
    bare = s.translate({ord(c): " " for c in _QUOTES})
    has_year = bool(_YEAR_RE.search(bare))
    has_month = any(re.search(rf"\b{re.escape(m)}\b", fold(bare)) for m in word_set("months"))
    return s if (has_year or has_month) else None


def _has_word(text: str, key: str) -> bool:
    words = set(re.findall(r"[\w']+", fold(text)))
    return bool(words & word_set(key))


def _admin_name(texts: list[str], key: str) -> str | None:
    """'<Name> viloyati' / '<Name> tumani' as written; the full form (tumani) is preferred, and a
    bare attributive 'Izboskan tuman' is given its name form 'Izboskan tumani'."""
    pattern = _admin_pattern(key)
    found = [(_name_before(text, m), m.group(2)) for text in texts for m in pattern.finditer(text)]
    if not found:
        return None
    name, word = _preferred_name(found)
    return f"{name} {_name_form(word)}"


def _admin_pattern(key: str) -> re.Pattern:
    """A name followed by one of the `key` words (plan_words.yaml: region_words, district_words)."""
    words = sorted(word_set(key), key=len, reverse=True)
    alt = "|".join(re.escape(w) for w in words)
    # any of the five apostrophes may sit inside a name ("Farg`ona", "Qoʻshtepa")
    return re.compile(rf"([^\W\d_][\w'ʻʼ‘’`-]*)\s+({alt})(?![\w])", re.I)


def _name_before(text: str, m: re.Match) -> str:
    """The name before the word `m` found: one word, or two ("Шароф Рашидов тумани") taken whole when
    the gazetteer knows them."""
    before = _NAME_WORD.findall(text[: m.start(1)])[-3:]
    k = name_words_before([*before, m.group(1)])
    return " ".join([*before[len(before) - k + 1 :], m.group(1)]) if k > 1 else m.group(1)


def _preferred_name(found: list[tuple[str, str]]) -> tuple[str, str]:
    """Of the (name, word) pairs found: the first with the full form of the word (tumani), and of
    those the first name not written in capitals."""
    full = [f for f in found if fold(f[1]).endswith(("i", "и"))]
    mixed = [f for f in (full or found) if not f[0].isupper() or len(f[0]) == 1] or (full or found)
    return mixed[0]


def _name_form(word: str) -> str:
    """The attributive 'tuman' / 'viloyat' in its name form ('tumani'); any other word as it is."""
    if not fold(word).endswith(("i", "и")) and fold(word) in ("tuman", "туман", "viloyat", "вилоят"):
        word += "и" if re.search("[а-яё]", word, re.I) else "i"
    return word


def _organisation(position_lines: list[str]) -> str | None:
    """The organisation the approver directs: "… axborot-kutubxona markazi" without "direktori"."""
    if not position_lines:
        return None
    text = clean_text("\n".join(position_lines))
    tokens = text.split(" ")
    while tokens and fold(tokens[-1]).strip(",.") in word_set("position_words"):
        tokens.pop()
    org = " ".join(tokens).strip(" ,")
    if not any(fold(org).endswith(w) for w in word_set("organisation_words")):
        return None
    return org or None


def _title_lines(rest: list[Line], after_blocks: list[Line]) -> list[str]:
    """The plan's own title: the lines after the signature blocks when they name the plan,
    else the last run of lines that names the plan ("… ISH REJASI")."""
    after = [ln.text for ln in after_blocks]
    named = [i for i, t in enumerate(after) if _names_plan(t)]
    if named:
        end = named[-1] + 1
        # "ПЛАН РАБОТЫ" / "… markazining" / "на 2023 год": the year line closes the title
        for k in range(end, min(end + 3, len(after))):
            if _has_year_word(after[k]):
                end = k + 1
                break
        return after[:end]
    texts = [ln.text for ln in rest]
    for end in range(len(texts) - 1, -1, -1):
        if _names_plan(texts[end]):
            start = end
            while start > 0 and not _names_plan(texts[start - 1]) and end - start < 4:
                start -= 1
            return texts[start : end + 1]
    return []


def _names_plan(text: str) -> bool:
    f = fold(text)
    return any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", f) for w in word_set("plan_title_words"))


def _plan_year(title: list[str], rest: list[str]) -> int | None:
    for group in (title, rest):
        for text in group:
            if _names_plan(text) or _has_year_word(text):
                m = _YEAR_RE.search(text)
                if m:
                    return int(m.group(1))
    return None


def _has_year_word(text: str) -> bool:
    """A year word next to a number: "2024-yilga", "2023 йил", "на 2023 год", "2023 г."."""
    alt = "|".join(re.escape(w) for w in sorted(word_set("year_words"), key=len, reverse=True))
    return bool(re.search(rf"\d\s*[-‐–]?\s*(?:{alt})(?!\w)|\d\s*[-‐–]?\s*(?:yil|йил)\w*", fold(text)))


def _from_file_name(source: str, want_place: bool = True) -> tuple[int | None, str | None]:
    """(year, place) a file name gives. The place only when it names a gazetteer district or city
    beyond doubt ("buxoro_shahar_2025" → "Buxoro shahri"); "Ish_rejasi_2025" names none, and its
    first word is no place (two such files must not become one plan)."""
    stem = re.split(r"[\\/]", source)[-1].rsplit(".", 1)[0]
    m = _YEAR_RE.search(stem)
    year = int(m.group(1)) if m else None
    return year, (local_place_name(stem) if want_place else None)  # the gazetteer search costs ~0.1 s


def parse_title_block(lines: list[Line], source: str) -> PlanMeta:
    """Plan metadata from the lines before the plan table; `source` is the file name."""
    lines = _split_lines(lines)
    blocks, rest, after_blocks = _collect_blocks(lines)
    meta = PlanMeta()
    approve_pos, agree_pos = _signatures(blocks, meta)
    rest_texts = [ln.text for ln in rest]
    title = _title_lines(rest, after_blocks)
    meta.title = _clean("\n".join(title)) if title else None
    everything = agree_pos + approve_pos + rest_texts
    meta.region = _admin_name(agree_pos + approve_pos, "region_words") or _admin_name(everything, "region_words")
    meta.district = _admin_name(approve_pos, "district_words") or _admin_name(everything, "district_words")
    meta.organisation = _organisation(approve_pos) or _organisation_from_title(title)
    meta.year = _plan_year(title, rest_texts)
    if meta.district is None:  # a city centre: "Buxoro shahar axborot-kutubxona markazi"
        meta.district = local_place_name(" ".join(filter(None, (meta.region, meta.organisation, *title))))

    _fill_missing(meta, source)
    return meta


def _signatures(blocks: list[_Block], meta: PlanMeta) -> tuple[list[str], list[str]]:
    """The approver and the agreeing official (name, date) onto `meta`, the first block of each kind;
    returns the position lines of both (approve, agree)."""
    approve_pos: list[str] = []
    agree_pos: list[str] = []
    for block in blocks:
        if block.keyword is None:
            word = "TASDIQLAYMAN" if block.kind == "approve" else "KELISHILDI"
            meta.flags.append(f"meta_missing: {word} not found; its block taken from the layout")
        pos, name, date = _block_parts(block)
        if block.kind == "approve" and meta.approved_by is None:
            approve_pos, meta.approved_by, meta.approved_date = pos, name, date
        elif block.kind == "agree" and meta.agreed_by is None:
            agree_pos, meta.agreed_by, meta.agreed_date = pos, name, date
    return approve_pos, agree_pos


def _fill_missing(meta: PlanMeta, source: str) -> None:
    """Year and district the title block did not name, from the file name (said); every field still
    missing is flagged `meta_missing`."""
    file_year, file_place = _from_file_name(source, want_place=meta.district is None)
    for field_name in ("region", "district", "organisation", "year", "approved_by", "agreed_by"):
        if getattr(meta, field_name) is not None:
            continue
        if field_name == "year" and file_year is not None:
            meta.year = file_year
            meta.flags.append("meta_missing: year (taken from the file name)")
        elif field_name == "district" and file_place is not None:
            meta.district = file_place
            meta.flags.append(f"meta_missing: district (taken from the file name: {file_place})")
        else:
            meta.flags.append(f"meta_missing: {field_name}")


def _organisation_from_title(title: list[str]) -> str | None:
    """"Izboskan tuman axborot-kutubxona markazining …" → "… markazi" (genitive dropped)."""
    if not title:
        return None
    text = clean_text(title[0])
    m = re.search(r"^(.*?\b(?:markaz|марказ))(i|и)(ning|нинг)?\b", text, re.I)
    return (m.group(1) + m.group(2)) if m else None
