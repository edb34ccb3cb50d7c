"""The variety corpus's parts: specs are deterministic and self-consistent, renderers write what the
spec says, the cross-plan indicator F1 counts pairs right, floors only ratchet up."""

import json

import docx
import pytest

from reja.variety import evaluate as ev
from reja.variety.corpus import RANGES, ci_documents, dev_wide_documents, documents, generate
from reja.variety.spec import bank, draw_spec, expected_from_spec, families


def test_same_seed_same_spec_other_seed_other_spec():
    assert draw_spec(1000, "docx_classic") == draw_spec(1000, "docx_classic")
    assert draw_spec(1000, "docx_classic")["hash"] != draw_spec(1001, "docx_classic")["hash"]


def test_seed_ranges_are_disjoint_and_big_enough():
    dev, held = documents("dev"), documents("heldout")
    assert not {(d.family, d.seed) for d in dev} & {(d.family, d.seed) for d in held}
    assert len(dev) + len(held) >= 300
    ci = ci_documents()
    assert {d.family for d in ci} == set(families())
    assert 30 <= len(ci) <= 55


def test_dev_wide_is_dev_with_more_seeds_never_a_held_out_one():
    wide, dev, held = dev_wide_documents(), documents("dev"), documents("heldout")
    assert {(d.family, d.seed) for d in dev} < {(d.family, d.seed) for d in wide}
    assert not {(d.family, d.seed) for d in wide} & {(d.family, d.seed) for d in held}
    with pytest.raises(SystemExit):
        documents("dev", per_family=RANGES["heldout"] - RANGES["dev"] + 1)


def test_bank_labels_are_catalogue_indicators():
    from reja.schema.catalogue import load_catalogue

    known = set(load_catalogue().indicators)
    for act in bank()["activities"]:
        assert act["indicator"] == "none" or act["indicator"] in known, act["indicator"]
        for part in act.get("parts", []):
            assert part in {a["indicator"] for a in bank()["activities"]}, part


@pytest.mark.parametrize("family", list(families()))
def test_expected_items_come_from_the_spec(family):
    spec = draw_spec(1003, family)
    exp = expected_from_spec(spec)
    assert len(exp["items"]) == len(spec["items"]) > 0
    numbers = {i["item_no"] for i in exp["items"] if i["item_no"]}
    for item in exp["items"]:
        assert item["text"].strip()
        # a sub-item's parent is an item of the same plan
        assert item["parent_item_no"] is None or item["parent_item_no"] in numbers
    assert exp["meta"]["district_id"] and exp["meta"]["year"] == spec["meta"]["year"]


def test_totals_are_the_sum_of_their_parts():
    seen = 0
    for seed in range(1000, 1030):
        spec = draw_spec(seed, "docx_classic")
        items = spec["items"]
        for k, it in enumerate(items):
            if "parts" not in (it.get("render") or {}):
                continue
            parts = [p for p in items[k + 1:] if p["parent_item_no"] == it["item_no"]]
            if it["plan_value"] is not None and it["item_no"]:
                assert it["plan_value"] == sum(p["plan_value"] for p in parts)
                seen += 1
    assert seen > 0


def test_docx_renderer_writes_every_visible_cell_of_the_spec(tmp_path):
    refs = [r for r in ci_documents(["docx_classic", "docx_cyrillic"])]
    for g in generate(refs, tmp_path, log=None):
        d = docx.Document(str(g.file))
        cells = {c.text for t in d.tables for row in t.rows for c in row.cells}
        text = "\n".join(cells) + "\n".join(p.text for p in d.paragraphs)
        exp = json.loads(g.expected.read_text(encoding="utf-8"))
        for item in exp["items"]:
            assert item["text"] in text, item["text"]
        assert exp["meta"]["district"] in text


def test_xlsx_totals_are_formulas_with_cached_values(tmp_path):
    import openpyxl

    for seed in range(1000, 1020):
        spec = draw_spec(seed, "xlsx")
        if any((i.get("render") or {}).get("parts") in ("numbered", "label_row", "dash", "letter", "label_in_number")
               and i["plan_value"] for i in spec["items"]):
            break
    else:
        pytest.fail("no xlsx spec with a total in 20 seeds")
    from reja.variety.renderers.xlsx import render_xlsx

    path = render_xlsx(spec, tmp_path / "p.xlsx")
    formulas = [c.value for row in openpyxl.load_workbook(path).active.iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("=SUM(")]
    cached = [c.value for row in openpyxl.load_workbook(path, data_only=True).active.iter_rows() for c in row]
    assert formulas
    totals = {i["plan_value"] for i in spec["items"] if "parts" in (i.get("render") or {})}
    assert totals & set(cached)


def _doc(name, triples):
    return ev.DocScore(name, "f", "docx", indicators=[list(t) for t in triples])


def test_pairwise_indicator_f1_counts_pairs_across_plans_only():
    a = _doc("a", [("x", "x", True), ("y", "y", True)])
    b = _doc("b", [("x", "x", True), ("y", "z", True)])
    # truth pairs across plans: (x,x), (y,y) = 2; said pairs: (x,x) = 1, all correct
    assert ev.indicator_f1([a, b]) == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    # two items of one plan with the same id are not a cross-plan pair
    c = _doc("c", [("x", "x", True), ("x", "x", True)])
    assert ev.indicator_f1([c]) is None  # no cross-plan pairs at all: not measurable
    assert ev.indicator_f1([a, _doc("d", [("x", None, False), ("y", None, False)])]) == 0.0


def test_wrong_auto_counts_a_match_of_a_must_not_match_activity():
    d = _doc("a", [(None, "events", True), ("x", "x", True), ("y", "q", False)])
    assert ev.aggregate([d])["wrong_auto"] == pytest.approx(0.5)


def test_a_flag_on_a_right_row_is_noise_and_a_wrong_row_without_a_flag_is_hidden():
    from types import SimpleNamespace as NS

    exp = [{"item_no": "1", "text": "Kitob berish", "unit": "nusxa", "fact_value": 10, "plan_value": 12,
            "section_no": "I", "parent_item_no": None, "deadline": "Yil davomida", "indicator": "book_issue"}] * 4
    item = NS(item_no="1", text="Kitob berish", unit="nusxa", fact_value=10, plan_value=12, section_no="I",
              parent_item_no=None, deadline="Yil davomida")
    wrong_value = NS(**{**vars(item), "plan_value": 21})
    rows = [NS(indicator_id="book_issue", flags=["indicator_review"]),  # right, flagged: noise
            NS(indicator_id="book_issue", flags=[]),  # right, no flag
            NS(indicator_id="book_issue", flags=[]),  # plan value wrong, no flag: hidden
            NS(indicator_id="events", flags=["indicator_review"])]  # wrong indicator, flagged: a real doubt
    right = ev._rows_right(exp, [item, item, wrong_value, item], rows, [(0, 0), (1, 1), (2, 2), (3, 3)])
    assert right == {0, 1}
    d = ev.DocScore("a", "f", "docx", rows=4, rows_flagged=2, rows_flagged_right=1, rows_wrong_unflagged=1)
    scores = ev.aggregate([d])
    assert (scores["flagged"], scores["flag_noise"], scores["hidden"]) == (0.5, 0.25, 0.25)


def test_ratchet_raises_floors_and_lowers_ceilings_never_the_reverse():
    scores = dict.fromkeys(ev.METRICS, 0.5)
    raised = ev.ratchet({"item_recall": 0.4, "files_failed": 0.6}, scores)
    assert raised["item_recall"] == 0.5 and raised["files_failed"] == 0.5
    kept = ev.ratchet({"item_recall": 0.9, "files_failed": 0.1}, scores)
    assert kept["item_recall"] == 0.9 and kept["files_failed"] == 0.1
    assert ev.violations("f", scores, kept) != []


def test_the_dev_range_has_a_district_in_several_years_and_cities_and_region_named_places():
    years: dict[str, set] = {}
    kinds = set()
    for ref in documents("dev"):
        meta = ref.spec["meta"]
        years.setdefault(meta["district_id"], set()).add(meta["year"])
        kinds.add("city" if str(meta["district_id"])[4] == "4" else "district")
    assert max(len(y) for y in years.values()) >= 2
    assert kinds == {"city", "district"}


def test_the_bank_has_must_not_match_wordings_and_russian_ones():
    acts = bank()["activities"]
    assert sum(len(a["latn"]) for a in acts if a["indicator"] == "none") >= 6
    assert sum(len(a.get("ru", [])) for a in acts) >= 15


def test_autonumbered_docx_shows_the_specs_item_numbers_when_they_restart_per_section(tmp_path):
    """Word continues one list across tables: a plan that numbers items per section needs a restarted
    list per section, or the document shows 1..n while the spec (the truth) says 1, 2 | 1, 2, 3 — and
    the scorer then pairs an item with its neighbour ("seminar-treninglar" with "malaka oshirish")."""
    from reja.pipeline import parse_file
    from reja.variety.renderers.docx import render_docx

    for seed in range(1000, 1040):
        spec = draw_spec(seed, "docx_autonum")
        numbered = [i["item_no"] for i in spec["items"] if i["item_no"] and i["parent_item_no"] is None]
        if all(n.isdigit() for n in numbered) and numbered != [str(k) for k in range(1, len(numbered) + 1)]:
            break
    else:
        pytest.fail("no autonumbered spec restarting its numbers in 40 seeds")
    parsed = parse_file(render_docx(spec, tmp_path / "p.docx"))
    got = [(i.text, i.item_no) for i in parsed.items if i.parent_item_no is None]
    assert got == [(i["text"], i["item_no"]) for i in spec["items"] if i["parent_item_no"] is None]


def test_a_document_made_by_an_older_renderer_is_made_again(tmp_path, monkeypatch):
    # the cache is keyed by the spec; a renderer fix must not leave the old, wrong documents in place
    import reja.variety.corpus as corpus

    refs = ci_documents(["docx_classic"])[:1]
    first = generate(refs, tmp_path, log=None)[0]
    made = first.file.stat().st_mtime_ns
    again = generate(refs, tmp_path, log=None)[0]
    assert again.file.stat().st_mtime_ns == made  # same renderer: reused
    monkeypatch.setattr(corpus, "renderer_version", lambda: "a-newer-one")
    newer = generate(refs, tmp_path, log=None)[0]
    assert newer.file.stat().st_mtime_ns != made
    assert json.loads(newer.expected.read_text(encoding="utf-8"))["renderer_version"] == "a-newer-one"


def test_relabelling_a_section_in_the_bank_moves_no_random_draw(monkeypatch):
    """Sections are drawn by their place in the bank's fixed `section_draw_order`, not by sorted id:
    renaming one (as events -> cultural_events was) leaves every seed's plan as it was but the label."""
    import copy

    from reja.variety import spec as spec_mod

    before = {(f, s): draw_spec(s, f) for f in ("docx_classic", "xlsx", "docx_russian") for s in range(1000, 1012)}
    renamed = copy.deepcopy(bank())
    old, new = "collection_work", "zz_collection_work"  # sorts last instead of first
    for act in renamed["activities"]:
        if act["section"] == old:
            act["section"] = new
    renamed["sections"][new] = renamed["sections"].pop(old)
    renamed["section_draw_order"] = [new if s == old else s for s in renamed["section_draw_order"]]
    monkeypatch.setattr(spec_mod, "bank", lambda: renamed)
    moved = 0
    for (f, s), spec in before.items():
        after = draw_spec(s, f)
        for sp in (spec, after):
            sp.pop("hash")
        text = json.dumps(spec, ensure_ascii=False, sort_keys=True)
        moved += text.count(f'"section_id": "{old}"') > 0
        assert text.replace(f'"section_id": "{old}"', f'"section_id": "{new}"') == json.dumps(
            after, ensure_ascii=False, sort_keys=True), (f, s)
    assert moved  # the renamed section was drawn in some of these plans


def test_every_bank_section_is_drawn_and_headings_the_matcher_is_sure_of_agree_with_the_label():
    """The bank's section label is the corpus's truth for every row under a heading. A heading the
    matcher auto-accepts as another catalogue section is a disagreement between corpus and catalogue
    (the bank once labelled "MADANIY-MA'RIFIY TADBIRLAR" as `events`, the catalogue's international
    and republic events, where the catalogue's `cultural_events` is meant)."""
    from reja.normalize.match import match_section
    from reja.schema.catalogue import load_catalogue

    from reja.variety.spec import in_script

    known = set(load_catalogue().sections)
    secs = bank()["sections"]
    assert set(bank()["section_draw_order"]) == set(secs) <= known
    for sec_id, titles in secs.items():
        written = [*titles["latn"], *(in_script(t, "cyrl") for t in titles["latn"]), *titles["ru"]]
        for title in written:
            m = match_section(title)
            assert m.band != "auto" or m.id == sec_id, (title, sec_id, m.id)


def test_a_bench_generates_apart_and_then_only_finds_the_files(tmp_path):
    # a timed process must not carry the renderers' imports (OpenCV's thread pool) or memory into its reads
    import subprocess
    import sys

    script = (
        "import sys, pathlib\n"
        "from reja.variety import corpus\n"
        "refs = corpus.ci_documents(['docx_classic'])[:1]\n"
        "cache = pathlib.Path(sys.argv[1])\n"
        "assert corpus.pending(refs, cache) == refs\n"
        "corpus.generate_apart(refs, cache)\n"
        "assert corpus.pending(refs, cache) == []\n"
        "made = corpus.generate(refs, cache, log=None)\n"
        "assert made[0].file.exists() and made[0].expected.exists()\n"
        "loaded = [m for m in sys.modules if m.startswith('reja.variety.renderers') or m == 'cv2']\n"
        "assert not loaded, loaded\n"
    )
    run = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
