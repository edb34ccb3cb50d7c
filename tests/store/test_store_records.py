"""Rows from a plan: the stable row key, flags and status."""

from reja.extract.model import ParsedPlan, PlanItem, PlanMeta

from reja.records import finalise_rows, flags_text, fold, plan_rows


def _plan(items, district="Izboskan tumani", year=2025):
    return ParsedPlan(source="x", format="docx", meta=PlanMeta(district=district, year=year), items=items)


def _keys(plan):
    rows = plan_rows(plan, document_id="d", source_file="x.docx")
    finalise_rows(rows)
    return [r.row_key for r in rows], rows


def test_fold_ignores_script_apostrophes_case_and_spacing():
    assert fold("Ko‘rgazma  tashkil etish") == fold("KO'RGAZMA tashkil-etish") == "korgazmatashkiletish"
    assert fold("Кўргазма") == fold("Ko'rgazma")
    # a Latin 'o' inside a Cyrillic word (OCR look-alike) folds like the Cyrillic one
    assert fold("инobатга") == fold("инобатга")


def test_row_key_survives_a_rescan_that_moves_rows_and_changes_spelling():
    first = _plan([
        PlanItem("1", "Ko‘rgazma tashkil etish", section_no="I", page=1, table_index=0, row_index=3),
        PlanItem("2", "Kitobxonlar bilan uchrashuv", section_no="I", page=1, table_index=0, row_index=4),
    ])
    rescan = _plan([  # another scan: other pages/rows, apostrophe variant, double space, district in Cyrillic
        PlanItem("1", "Ko'rgazma  tashkil etish", section_no="I", page=2, table_index=1, row_index=7),
        PlanItem("2", "Kitobxonlar bilan uchrashuv.", section_no="I", page=2, table_index=1, row_index=9),
    ], district="Избоскан тумани")
    assert _keys(first)[0] == _keys(rescan)[0]


def test_row_key_tells_apart_duplicates_sections_and_years():
    items = [
        PlanItem("4.5", "Kitob ko'rgazmasi", section_no="I"),
        PlanItem("4.5", "Kitob ko'rgazmasi", section_no="I"),  # Jondor really has two 4.5
        PlanItem("4.5", "Kitob ko'rgazmasi", section_no="II"),
    ]
    keys, _ = _keys(_plan(items))
    assert len(set(keys)) == 3
    assert _keys(_plan(items, year=2026))[0][0] != keys[0]


def test_flags_join_and_decide_status():
    flagged = PlanItem("12", "Bibliografik yozuvlar", flags=["stacked_values: 134 4010", "stitched_row"])
    clean = PlanItem("13", "Ko'rgazma")
    _, rows = _keys(_plan([flagged, clean]))
    assert rows[0].flags == ["stacked_values: 134 4010", "stitched_row"]  # a list until the store
    assert rows[0].status == "flagged"
    assert (rows[1].flags, rows[1].status) == ([], "ok")


def test_implausible_year_is_nulled_and_flagged():
    _, rows = _keys(_plan([PlanItem("1", "Tadbir", fact_year=224, plan_year=2025)]))
    assert rows[0].fact_year is None and rows[0].plan_year == 2025
    assert rows[0].flags[0].startswith("unparsable_number: fact year 224")


def test_a_flag_detail_never_splits_into_two_flags():
    item = PlanItem("1", "Tadbir", flags=["indicator_review: x? (unit marta unusual; close to attendance)"])
    _, rows = _keys(_plan([item]))
    assert rows[0].flags == ["indicator_review: x? (unit marta unusual, close to attendance)"]
    assert flags_text(rows[0].flags).split("; ") == rows[0].flags
