"""The committed Izboskan samples have the structure the spec promises (checked with python-docx, not the parser).

Expected values come from samples/spec/izboskan_2025.yaml (transcribed by hand from the seed) and,
where the seed is at hand, from the seed text itself.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from samples import gen_common

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"

SPEC = gen_common.load_spec(SAMPLES / "spec" / "izboskan_2025.yaml")
SEED = REPO.parent / "shared" / "seeds" / "000_f3b575627d6dd8dd.txt"
NUMBER_RE = re.compile(r"^\d+(\.\d+)*\.?$")


def ws(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


@pytest.fixture(scope="module")
def doc():
    return Document(str(SAMPLES / "izboskan_2025.docx"))


@pytest.fixture(scope="module")
def plan_tables(doc):
    # table 0 is the borderless KELISHILDI / TASDIQLAYMAN layout table
    return doc.tables[1:]


def tc_text(tc) -> str:
    """Text of one <w:tc>, its paragraphs (stacked lines) joined by newline."""
    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p")))


def row_texts(row) -> list[str]:
    """One text per <w:tc>: a merged cell once, not once per grid column as python-docx's row.cells."""
    return [tc_text(tc) for tc in row._tr.tc_lst]


def grid_span(tc) -> int:
    span = tc.find(qn("w:tcPr") + "/" + qn("w:gridSpan")) if tc.tcPr is not None else None
    return int(span.get(qn("w:val"))) if span is not None else 1


def v_merge(tc) -> str | None:
    if tc.tcPr is None:
        return None
    el = tc.tcPr.find(qn("w:vMerge"))
    if el is None:
        return None
    return el.get(qn("w:val")) or "continue"


def numbered_rows(tables):
    for t in tables:
        for row in t.rows:
            cells = row_texts(row)
            if len(cells) == 8 and NUMBER_RE.match(cells[0].strip()):
                yield cells


def test_spec_counts():
    items = SPEC["items"]
    assert len(items) == 48
    assert sum(1 for i in items if not i.get("render", {}).get("skip")) == 44
    assert [s["section_no"] for s in SPEC["sections"]] == ["I", "II", "III", "IV", "V", "VII"]


def test_committed_expected_file_is_the_spec():
    committed = json.loads((SAMPLES / "expected" / "izboskan_2025.json").read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(gen_common.expected_from_spec(SPEC), ensure_ascii=False))


def test_page_is_landscape_a4(doc):
    section = doc.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert section.page_width > section.page_height
    assert abs(section.page_width.cm - 29.7) < 0.05 and abs(section.page_height.cm - 21.0) < 0.05


def test_title_block_has_both_signature_blocks(doc):
    layout = " ".join(c.text for c in doc.tables[0]._cells)
    assert "KELISHILDI" in layout and "TASDIQLAYMAN" in layout
    for key in ("agreed_by", "agreed_date", "approved_by", "approved_date"):
        assert SPEC["meta"][key] in layout, key
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "ISH REJASI" in body and "2025-yil uchun mo'ljallangan" in body


def test_two_row_header_with_merged_miqdori_repeats_on_each_page(plan_tables):
    with_header = [t for t in plan_tables if row_texts(t.rows[0])[0] == SPEC["columns"]["number"]]
    assert len(with_header) == 2  # the table after the VII paragraph has none, as in the seed
    for t in with_header:
        top, bottom = t.rows[0]._tr, t.rows[1]._tr
        for tr in (top, bottom):
            assert tr.trPr is not None and tr.trPr.find(qn("w:tblHeader")) is not None
        tcs = top.tc_lst
        assert len(tcs) == 7  # 8 grid columns, "Miqdori" spans two
        miqdori = [tc for tc in tcs if tc_text(tc) == SPEC["columns"]["amount"]]
        assert len(miqdori) == 1 and grid_span(miqdori[0]) == 2
        assert v_merge(tcs[0]) == "restart" and v_merge(bottom.tc_lst[0]) == "continue"
        bottom_texts = row_texts(t.rows[1])
        assert SPEC["columns"]["fact"] in bottom_texts and SPEC["columns"]["plan"] in bottom_texts


def test_section_rows_span_the_table_and_paragraph_sections_are_bold(doc, plan_tables):
    spanning = {}
    for t in plan_tables:
        for row in t.rows:
            tcs = row._tr.tc_lst
            if len(tcs) == 1 and grid_span(tcs[0]) == 8:
                spanning[tc_text(tcs[0])] = True
    for s in SPEC["sections"]:
        heading = f"{s['section_no']}. {s['title']}"
        if s["render"]["as"] == "row":
            assert heading in spanning, heading
        else:
            paras = [p for p in doc.paragraphs if p.text == heading]
            assert len(paras) == 1 and all(r.bold for r in paras[0].runs), heading


def test_every_numbered_item_is_a_row_with_its_values(plan_tables):
    rows = list(numbered_rows(plan_tables))
    written = [i for i in SPEC["items"] if not i.get("render", {}).get("skip")]
    assert len(rows) == len(written)
    for cells, item in zip(rows, written, strict=True):
        render = item.get("render", {})
        assert cells[0] == render.get("number", item["item_no"] + ".")
        want = {**{"text": item["text"], "fact": item["fact_raw"], "plan": item["plan_raw"]}, **render.get("cells", {})}
        for col, idx in (("text", 1), ("fact", 3), ("plan", 4)):
            value = want[col]
            lines = value if isinstance(value, list) else [value or ""]
            assert cells[idx].split("\n") == [str(v) for v in lines], (item["item_no"], col)


def test_every_item_text_is_in_the_document(plan_tables):
    """Each expected text can be read off the document: whole, stitched from two rows, or a named part."""
    all_text = ws(" ".join(c for t in plan_tables for row in t.rows for c in row_texts(row)))
    for item in SPEC["items"]:
        render = item.get("render", {})
        if "cont" in render and "text" in render["cont"]:
            first, rest = render["cells"]["text"], render["cont"]["text"]
            assert first in all_text and rest in all_text, item["item_no"]
            if item["item_no"] != "9.4":  # 9.4's written text is split into the item and its sub-items
                assert item["text"] == f"{first} {rest}", item["item_no"]
        else:
            assert item["text"] in all_text, (item["item_no"], item["text"])


def test_stitched_expected_values_are_the_joined_parts():
    for item in SPEC["items"]:
        cont = item.get("render", {}).get("cont")
        if not cont:
            continue
        assert "stitched_row" in item["expected_flags"]
        cells = item["render"].get("cells", {})
        for col in ("mechanism", "deadline", "responsible"):
            if col in cont:
                assert item[col] == f"{cells[col]} {cont[col]}", (item["item_no"], col)
    item21 = next(i for i in SPEC["items"] if i["item_no"] == "21")
    assert (item21["render"]["cells"]["unit"], item21["render"]["cont"]["unit"]) == ("Biblio-", "grafik yozuvlar")
    assert item21["unit"] == "Bibliografik yozuvlar"


def test_stacked_cells(plan_tables):
    rows = {c[0]: c for c in numbered_rows(plan_tables)}
    assert rows["9.4."][3].split("\n") == ["230", "40"]
    assert rows["12."][3].split("\n") == ["134", "4010"]
    assert rows["13."][3].split("\n") == ["13862", "390", "3541"]
    by_parent = {}
    for i in SPEC["items"]:
        if i["item_no"] is None:
            by_parent.setdefault(i["parent_item_no"], []).append(i["text"])
    assert by_parent == {"9.4": ["Jismoniy shaxslar", "Yuridik shaxslar"], "13": ["yangi", "qayta"]}
    item12 = next(i for i in SPEC["items"] if i["item_no"] == "12")
    assert item12["fact_value"] is None and item12["expected_flags"] == ["stacked_values"]


def test_deadline_and_responsible_of_9_1_to_9_3_are_one_vertical_merge(plan_tables):
    table = next(t for t in plan_tables if any(row_texts(r)[0] == "9.1." for r in t.rows))
    trs = {row_texts(r)[0]: r._tr for r in table.rows}
    for col in (6, 7):
        assert v_merge(trs["9.1."].tc_lst[col]) == "restart"
        assert v_merge(trs["9.2."].tc_lst[col]) == "continue"
        assert v_merge(trs["9.3."].tc_lst[col]) == "continue"
        assert v_merge(trs["9.4."].tc_lst[col]) is None


def test_shundan_label_row_precedes_9_1(plan_tables):
    table = next(t for t in plan_tables if any(row_texts(r)[0] == "9.1." for r in t.rows))
    firsts = [row_texts(r)[0] for r in table.rows]
    assert firsts[firsts.index("9.1.") - 1] == "Shundan,"


def test_apostrophe_variants_survive_in_the_docx(plan_tables):
    all_text = " ".join(c for t in plan_tables for row in t.rows for c in row_texts(row))
    for ch in ("'", "\u2018", "\u201c"):
        assert ch in all_text, repr(ch)
    assert "CHIQRARISH" in all_text


@pytest.mark.skipif(not SEED.exists(), reason="reference seeds not checked out next to the repo")
def test_spec_strings_come_from_the_seed():
    seed = SEED.read_text(encoding="utf-8")
    for item in SPEC["items"]:
        render = item.get("render", {})
        if render.get("skip"):
            continue
        for col, field in (("text", "text"), ("mechanism", "mechanism"), ("responsible", "responsible")):
            value = render.get("cells", {}).get(col, item[field])
            value = " ".join(value) if isinstance(value, list) else value
            if value:
                assert value in seed, (item["item_no"], col, value)
            if col in render.get("cont", {}):
                assert render["cont"][col] in seed, (item["item_no"], col)
    for s in SPEC["sections"]:
        assert f"{s['section_no']}. {s['title']}" in seed


def test_pdf_and_doc_were_generated():
    import pdfplumber

    with pdfplumber.open(SAMPLES / "izboskan_2025.pdf") as pdf:
        pages = pdf.pages
        assert len(pages) >= 5
        assert pages[1].width > pages[1].height  # landscape survived the conversion
        assert "TASDIQLAYMAN" in (pages[1].extract_text() or "")
    assert (SAMPLES / "izboskan_2025.doc").read_bytes()[:8] == bytes.fromhex("D0CF11E0A1B11AE1")  # OLE2 = Word 97


@pytest.mark.skipif(not SEED.exists(), reason="reference seeds not checked out next to the repo")
def test_every_written_row_reproduces_a_seed_line_exactly():
    """The spec's rows, written back as tab-separated lines, are the seed's lines (all 8 cells)."""
    seed_lines = set(SEED.read_text(encoding="utf-8").splitlines())
    cols = ("text", "unit", "fact", "plan", "mechanism", "deadline", "responsible")
    field = {"fact": "fact_raw", "plan": "plan_raw"}

    def cell(value):
        return " ".join(value) if isinstance(value, list) else (value or "")

    written = 0
    for item in SPEC["items"]:
        render = item.get("render", {})
        if render.get("skip"):
            continue
        cells = {c: item[field.get(c, c)] for c in cols} | render.get("cells", {})
        line = "\t".join([render.get("number", f"{item['item_no']}."), *(cell(cells[c]) for c in cols)])
        assert line in seed_lines, line
        if "cont" in render:
            cont = "\t".join(["", *(cell(render["cont"].get(c)) for c in cols)])
            assert cont in seed_lines, cont
        written += 1
    assert written == 44

