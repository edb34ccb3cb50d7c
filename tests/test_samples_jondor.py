"""The Jondor 2021 samples match their spec: expected file, seed, typed PDF, scanned PDF, DOCX.

Everything expected here comes from samples/spec/jondor_2021.yaml (transcribed by hand from the seed)
and from the page plan its render hints force (gen_jondor.page_plan), never from reja's parser.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pdfplumber
import pytest

from samples import gen_common, gen_jondor

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"

SEED = REPO.parent / "shared" / "seeds" / "002_e425a55a350d6698.txt"
TYPED = SAMPLES / "jondor_2021.pdf"
SCAN = SAMPLES / "jondor_2021_scan.pdf"
DOCX = SAMPLES / "jondor_2021.docx"


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _tokens(text: str) -> set[str]:
    # Split on hyphens too: a cell may wrap after "ахборот-", which the parser (not this test) joins.
    return {t for t in re.split(r"[\s\-–]+", text) if t}


@pytest.fixture(scope="module")
def spec() -> dict:
    return gen_common.load_spec(gen_jondor.SPEC)


@pytest.fixture(scope="module")
def plan(spec) -> list[dict]:
    return gen_jondor.page_plan(spec)


@pytest.fixture(scope="module")
def typed_pages() -> list[str]:
    with pdfplumber.open(TYPED) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


# --- spec and expected file -------------------------------------------------------------------


def test_expected_file_is_the_spec(spec):
    committed = json.loads((SAMPLES / "expected" / "jondor_2021.json").read_text(encoding="utf-8"))
    assert committed == gen_common.expected_from_spec(spec), "regenerate: samples/gen_jondor.py --no-convert"


def test_spec_counts_and_quirks(spec):
    items = spec["items"]
    numbered = [i["item_no"] for i in items if i["item_no"]]
    assert len(items) == 123 and len(numbered) == 85
    assert numbered.count("4.5") == 2  # the seed's duplicate, both kept
    assert not {"4.1", "5.18", "5.20", "9.7"} & set(numbered)  # gaps of the seed, not invented
    assert [s["section_no"] for s in spec["sections"]] == ["1", "II", "V", "VI", "VII", "VIII", "IX", "Х"]
    assert spec["sections"][-1]["section_no"] == "\u0425"  # Cyrillic Kha, as the seed writes it
    by_no = {i["item_no"]: i for i in items if i["item_no"]}
    assert by_no["10.1"]["plan_value"] is None and "unparsable_number" in by_no["10.1"]["expected_flags"]
    assert [by_no[n]["plan_value"] for n in ("10.2", "10.3", "10.5", "10.7")] == [15, 21, 215, 1200]
    assert "инobatга" in by_no["7.6"]["text"] and by_no["9.2"]["unit"] == "ном/биб.ёзу В"
    bundan = [i for i in items if (i.get("render") or {}).get("number") == "Бундан"]
    assert [i["parent_item_no"] for i in bundan] == ["1.2", "1.3", "1.4", "1.4"]


def test_spec_render_hints_agree_with_expected(spec):
    gen_jondor.check_spec(spec)  # raises on any stitched value that the rows do not show


def test_check_spec_catches_a_wrong_stitch(spec):
    broken = dict(spec, items=[dict(i) for i in spec["items"]])
    pos = next(k for k, i in enumerate(broken["items"]) if i["item_no"] == "4.7")
    broken["items"][pos]["unit"] = broken["items"][pos]["unit"].replace(" топширилади", "")
    with pytest.raises(gen_jondor.LayoutError, match="4.7"):
        gen_jondor.check_spec(broken)


@pytest.mark.skipif(not SEED.exists(), reason="reference seeds (../shared/seeds) not present")
def test_every_written_cell_comes_from_the_seed(spec):
    """Each piece the spec writes into a cell is a cell (or a part of one) of the seed, markup aside."""
    seed = re.sub(r"<[^>]+>", " ", SEED.read_text(encoding="utf-8"))
    flat = _collapse(seed.replace("\t", " "))
    missing = []
    for item in spec["items"]:
        render = item.get("render") or {}
        shown = [
            render.get("cells", {}).get(col, item.get(field)) for col, field in gen_jondor.FIELD_OF.items()
        ]
        shown += [v for cont in render.get("cont") or [] for k, v in cont.items() if k in gen_jondor.FIELD_OF]
        shown.append(render.get("number"))
        for value in shown:
            for piece in value if isinstance(value, list) else [value]:
                if piece and _collapse(piece) not in flat:
                    missing.append((item["item_no"], piece))
    assert not missing


# --- typed PDF --------------------------------------------------------------------------------


def test_typed_pdf_has_the_planned_pages(plan, typed_pages):
    assert len(typed_pages) == len(plan) == 19


def test_every_item_number_starts_a_line_on_its_planned_page(spec, plan, typed_pages):
    wrong = []
    for page_no, (page, text) in enumerate(zip(plan, typed_pages, strict=True), 1):
        for pos in page["items"]:
            item = spec["items"][pos]
            number = (item.get("render") or {}).get("number", item["item_no"])
            if number and not re.search(rf"^{re.escape(number.split()[0])}(\s|$)", text, re.M):
                wrong.append((page_no, number))
    assert not wrong


def test_item_texts_are_in_the_text_layer(spec, typed_pages):
    words = _tokens(" ".join(typed_pages))
    lost = {}
    for item in spec["items"]:
        gone = _tokens(item["text"]) - words
        if gone:
            lost[item["item_no"] or item["text"][:30]] = sorted(gone)
    assert not lost


def test_item_text_opens_on_its_planned_page(spec, plan, typed_pages):
    """The first two words of each item's own row sit together on the page the plan puts it on."""
    wrong = []
    for page_no, (page, text) in enumerate(zip(plan, typed_pages, strict=True), 1):
        flat = _collapse(text)
        for pos in page["items"]:
            item = spec["items"][pos]
            render = item.get("render") or {}
            first = render.get("cells", {}).get("text", item["text"]) or render.get("number")
            first = first[0] if isinstance(first, list) else first
            head = " ".join(first.split()[:2])
            if head not in flat:
                wrong.append((page_no, item["item_no"], head))
    assert not wrong


def test_header_row_opens_the_first_table_of_every_page(spec, plan):
    """The repeated header is the first row of the first ruled table on each page."""
    wrong = []
    with pdfplumber.open(TYPED) as pdf:
        for page_no, (page, planned) in enumerate(zip(pdf.pages, plan, strict=True), 1):
            tables = page.extract_tables()
            header = [
                h.get("text") if isinstance(h, dict) else h
                for h in spec["layouts"][planned["layout"]]["header"][0]
            ]
            got = [_collapse(c) for c in tables[0][0] if c is not None] if tables else []
            if got != [h for h in header if h is not None] and got != [h for h in header if h]:
                wrong.append((page_no, planned["layout"], got))
    assert not wrong


# --- scanned PDF and DOCX ---------------------------------------------------------------------


def test_scan_has_no_text_layer_and_the_typed_page_count():
    with pdfplumber.open(SCAN) as pdf, pdfplumber.open(TYPED) as typed:
        assert len(pdf.pages) == len(typed.pages)
        for page in pdf.pages:
            assert not page.chars and not (page.extract_text() or "").strip()
            assert len(page.images) == 1  # one scanned image per page, nothing else
    assert SCAN.stat().st_size < 5 * 1024 * 1024


def test_docx_tables_repeat_their_header(plan):
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(str(DOCX))
    ruled = doc.tables[1:]  # the first table is the borderless title block
    assert len(ruled) >= len(plan)
    for table in ruled:
        first = table.rows[0]._tr
        assert first.trPr is not None and first.trPr.find(qn("w:tblHeader")) is not None
