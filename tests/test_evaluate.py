"""The scorer itself, on tiny hand-made plans whose scores are computed by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reja.extract.model import ParsedPlan, PlanItem, PlanMeta

from reja import evaluate

REPO = Path(__file__).resolve().parent.parent

EXPECTED = {
    "meta": {
        "region": "Andijon viloyati",
        "district": "Izboskan tumani",
        "year": 2025,
        "approved_by": "N.Burxonov",
        "agreed_by": "Ismailova",
    },
    "items": [
        {"section_no": "I", "item_no": "1", "parent_item_no": None, "text": "Hujjatlar ijrosi",
         "unit": "Hujjat", "fact_value": 1, "plan_value": 4},
        {"section_no": "II", "item_no": "1", "parent_item_no": None, "text": "Bibliografik qo‘llanmalarni ishlab chiqish",
         "unit": "Hujjat", "fact_value": 18, "plan_value": 20},
        {"section_no": "IV", "item_no": "9.4", "parent_item_no": "9", "text": "Sovg‘a tariqasida",
         "unit": "Nusxa", "fact_value": 230, "plan_value": 250},
        {"section_no": "IV", "item_no": None, "parent_item_no": "9.4", "text": "Jismoniy shaxslar",
         "unit": "Nusxa", "fact_value": 40, "plan_value": 50},
    ],
}


def plan_from(expected: dict, items: list[dict] | None = None, **meta_overrides) -> ParsedPlan:
    rows = expected["items"] if items is None else items
    meta = PlanMeta(**{**expected["meta"], **meta_overrides})
    return ParsedPlan(
        source="test",
        format="docx",
        meta=meta,
        items=[PlanItem(**{k: r.get(k) for k in ("section_no", "item_no", "parent_item_no", "text", "unit", "fact_value", "plan_value")}) for r in rows],
    )


def scores_of(parsed: ParsedPlan | None, expected: dict = EXPECTED) -> dict[str, float]:
    counts, *_ = evaluate.score_plan(expected, parsed)
    return counts.scores()


def test_perfect_match_scores_one_everywhere():
    s = scores_of(plan_from(EXPECTED))
    for metric in evaluate.METRICS:
        assert s[metric] == (0.0 if metric == "text_cer" else 1.0), metric


def test_one_missing_item_costs_exactly_one_quarter_of_recall():
    parsed = plan_from(EXPECTED, EXPECTED["items"][:3])  # drops the sub-item
    s = scores_of(parsed)
    assert s["item_recall"] == pytest.approx(3 / 4)
    assert s["item_precision"] == 1.0
    assert s["fact_value_exact"] == 1.0  # the three found are right


def test_extra_item_costs_precision_only():
    extra = {"section_no": "IV", "item_no": "99", "text": "Boshqa ish", "unit": None, "fact_value": None, "plan_value": None}
    s = scores_of(plan_from(EXPECTED, [*EXPECTED["items"], extra]))
    assert s["item_recall"] == 1.0
    assert s["item_precision"] == pytest.approx(4 / 5)


def test_wrong_value_and_unit_drop_their_field_rate():
    rows = [dict(r) for r in EXPECTED["items"]]
    rows[2]["fact_value"] = 2304  # "230 40" read as one number
    rows[0]["unit"] = "Hujjatlar"
    s = scores_of(plan_from(EXPECTED, rows))
    assert s["fact_value_exact"] == pytest.approx(3 / 4)
    assert s["unit_exact"] == pytest.approx(3 / 4)
    assert s["plan_value_exact"] == 1.0
    assert s["item_recall"] == 1.0


def test_numbering_restarting_per_section_is_matched_by_text_and_section():
    # both sections have an item "1"; swapped order in the output must still pair them correctly
    rows = [EXPECTED["items"][1], EXPECTED["items"][0], *EXPECTED["items"][2:]]
    s = scores_of(plan_from(EXPECTED, rows))
    assert s["item_recall"] == 1.0
    assert s["section_accuracy"] == 1.0
    assert s["text_exact"] == 1.0


def test_wrong_section_counts_against_section_accuracy():
    rows = [dict(r) for r in EXPECTED["items"]]
    rows[3]["section_no"] = "V"
    s = scores_of(plan_from(EXPECTED, rows))
    assert s["item_recall"] == 1.0
    assert s["section_accuracy"] == pytest.approx(3 / 4)


def test_text_error_counts_in_cer_and_text_exact_but_whitespace_does_not():
    rows = [dict(r) for r in EXPECTED["items"]]
    rows[1]["text"] = "Bibliografik  qo‘llanmalarni\nishlab chiqish"  # whitespace only: still exact
    rows[2]["text"] = "Sovg‘a tariqasidA"  # one substituted character out of 17
    s = scores_of(plan_from(EXPECTED, rows))
    assert s["text_exact"] == pytest.approx(3 / 4)
    assert s["text_cer"] == pytest.approx((1 / 17) / 4)


def test_misread_number_still_matches_by_text_but_costs_item_no():
    rows = [dict(r) for r in EXPECTED["items"]]
    rows[1]["item_no"] = "A"  # OCR read "1." as "A"
    s = scores_of(plan_from(EXPECTED, rows))
    assert s["item_recall"] == 1.0
    assert s["item_no_exact"] == pytest.approx(3 / 4)


def test_same_number_but_unrelated_text_does_not_match():
    rows = [dict(r) for r in EXPECTED["items"]]
    rows[0]["text"] = "Kadrlar malakasini oshirish bo'yicha hisobot"
    s = scores_of(plan_from(EXPECTED, rows))
    assert s["item_recall"] == pytest.approx(3 / 4)
    assert s["item_precision"] == pytest.approx(3 / 4)


def test_subitem_without_number_is_matched_by_parent_and_text():
    rows = [dict(r) for r in EXPECTED["items"]]
    rows[3]["parent_item_no"] = "9.4."  # trailing dot is not a difference
    s = scores_of(plan_from(EXPECTED, rows))
    assert s["item_recall"] == 1.0


def test_metadata_folds_admin_words_and_case():
    parsed = plan_from(EXPECTED, district="IZBOSKAN TUMAN", region="Andijon", approved_by="Karimov")
    s = scores_of(parsed)
    assert s["meta_accuracy"] == pytest.approx(4 / 5)  # only approved_by is wrong


def test_metadata_compares_cyrillic_with_latin_when_transliteration_exists():
    expected = {**EXPECTED, "meta": {**EXPECTED["meta"], "region": "Бухоро вилояти", "district": "Жондор тумани"}}
    parsed = plan_from(expected, region="Buxoro viloyati", district="Jondor tumani")
    assert scores_of(parsed, expected)["meta_accuracy"] == 1.0


def test_failed_pipeline_scores_zero():
    s = scores_of(None)
    assert s["item_recall"] == 0.0
    assert s["meta_accuracy"] == 0.0
    assert s["text_cer"] == 1.0


def test_pipeline_error_is_reported_not_raised(tmp_path, monkeypatch):
    (tmp_path / "exp.json").write_text(json.dumps(EXPECTED), encoding="utf-8")
    (tmp_path / "plan.docx").write_bytes(b"not a docx")

    def boom(path):
        raise RuntimeError("reader exploded")

    import reja.pipeline

    monkeypatch.setattr(reja.pipeline, "parse_file", boom)
    entry = {"name": "x_docx", "file": "plan.docx", "format": "docx", "expected": "exp.json"}
    res = evaluate.evaluate_entry(entry, repo_dir=tmp_path)
    assert res.error == "RuntimeError: reader exploded"
    assert res.scores["item_recall"] == 0.0


def test_unreadable_expected_file_is_an_error_of_that_entry(tmp_path):
    entry = {"name": "x_docx", "file": "plan.docx", "format": "docx", "expected": "missing.json"}
    res = evaluate.evaluate_entry(entry, repo_dir=tmp_path)
    assert res.expected_broken and "missing.json" in res.error


def test_thresholds_floor_and_ceiling():
    scores = {"item_recall": 0.5, "text_cer": 0.2}
    limits = {"s": {"item_recall": 0.6, "text_cer": 0.1}}
    problems = evaluate.violations("s", scores, limits)
    assert len(problems) == 2
    assert evaluate.violations("s", {"item_recall": 0.6, "text_cer": 0.1}, limits) == []


def test_ratchet_only_moves_toward_better():
    old = {"s": {"item_recall": 0.8, "text_cer": 0.05}}
    new = evaluate.ratchet(old, {"s": {"item_recall": 0.7, "text_cer": 0.2}})
    assert new["s"] == {"item_recall": 0.8, "text_cer": 0.05}
    new = evaluate.ratchet(old, {"s": {"item_recall": 0.9126, "text_cer": 0.0312}})
    assert new["s"] == {"item_recall": 0.912, "text_cer": 0.032}


def test_committed_expected_file_scores_perfectly_against_itself():
    """The real Izboskan expected data fed back as a parse: guards the matcher on 48 real items."""
    expected = json.loads((REPO / "samples/expected/izboskan_2025.json").read_text(encoding="utf-8"))
    s = scores_of(plan_from(expected), expected)
    assert s["item_recall"] == 1.0 and s["item_precision"] == 1.0
    assert s["text_exact"] == 1.0 and s["section_accuracy"] == 1.0


def test_every_manifest_entry_has_thresholds_for_known_metrics():
    manifest = json.loads((REPO / "samples/expected/manifest.json").read_text(encoding="utf-8"))
    thresholds = evaluate.load_thresholds()
    for entry in manifest["samples"]:
        assert set(thresholds.get(entry["name"], {})) <= set(evaluate.METRICS)
        assert (REPO / entry["file"]).exists(), entry["file"]
        assert (REPO / entry["expected"]).exists(), entry["expected"]
