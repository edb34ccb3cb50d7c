"""End to end for the analyst (issue 21): a generated region's plans imported, every match doubt
decided by a clerk through the review page's own actions, and then each of the analyst's questions
answered exactly as the generator's spec says (the spec's answers, never reja's)."""

import pytest

from reja.variety.region import ask, draw_region, review_as_clerk

pytestmark = pytest.mark.slow  # the one whole-workflow test of the region views


def test_after_the_clerks_decisions_every_regional_answer_is_the_specs(tmp_path):
    from reja.api import import_paths, load_items
    from reja.variety.renderers.docx import render_docx

    years = [2024, 2025]
    batch = draw_region("1712", years)  # Navoiy: 11 districts and cities, the smallest region
    for n, spec in enumerate(batch.specs):
        render_docx(spec, tmp_path / f"plan-{n:03d}.docx")
    db = tmp_path / "reja.sqlite"
    import_paths([tmp_path], db=db, jobs=1)
    decisions = review_as_clerk(db, batch)
    items = load_items(db)
    assert 0 < decisions < len(items) / 4  # the clerk decides wordings, not every row
    for answer in ask(batch, items, years):
        assert answer["exact"], answer
