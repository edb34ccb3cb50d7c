"""make bench: the shared scorer on hand-made tables, and a --quick smoke run of the whole bench."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from reja.bench.scoring import SCORED_FIELDS, CellScore, plan_rows, score_rows

REPO = Path(__file__).resolve().parents[1]


def _item(**kw):
    base = dict.fromkeys(SCORED_FIELDS)
    base.update(kw)
    return base


EXPECTED = [
    _item(item_no="1", text="Kitob ko'rgazmasi", unit="Tadbir", fact_raw="12", plan_raw="15", deadline="Har oyda"),
    _item(item_no="2", text="Yangi adabiyotlar", unit="Nusxa", fact_raw="1 750", plan_raw="2 000", deadline=None),
]


# --- scoring ---------------------------------------------------------------------------------


def test_perfect_rows_score_every_cell_and_zero_cer():
    rows = [
        ["1.", "Kitob ko'rgazmasi", "Tadbir", "12", "15", "Har oyda"],
        ["2.", "Yangi  adabiyotlar", "Nusxa", "1 750", "2\u00a0000", ""],  # spacing differs only
    ]
    s = score_rows(EXPECTED, rows)
    # 6 fields for item 1, 5 for item 2 (its deadline is empty, so not scored)
    assert (s.cells_ok, s.cells_total) == (11, 11)
    assert s.rates()["cell_exact"] == 1.0
    assert s.cer_sum == 0.0
    assert s.found == 2


def test_wrong_cells_are_counted_per_field():
    rows = [
        ["1", "Kitob ko'rgazmasi", "Tadbir", "12", "16", "Har oyda"],  # plan 16 instead of 15
        ["2", "Yangi adabiyotlar", "nusxa", "1750", "2 000", ""],  # unit case, fact without its space
    ]
    s = score_rows(EXPECTED, rows)
    assert s.ok["plan_raw"] == 1 and s.total["plan_raw"] == 2
    assert s.ok["unit"] == 1 and s.ok["fact_raw"] == 1
    assert s.ok["item_no"] == 2 and s.ok["text"] == 2
    assert (s.cells_ok, s.cells_total) == (8, 11)


def test_cer_is_levenshtein_over_expected_length():
    # "Yangi adabiyotlar" (17 chars) read with 2 substitutions
    rows = [["1", "Kitob ko'rgazmasi"], ["2", "Yangi adabiyatlor"]]
    s = score_rows(EXPECTED, rows)
    assert s.cer_sum == pytest.approx(2 / 17)
    assert s.rates()["text_cer"] == pytest.approx((0 + 2 / 17) / 2)
    assert s.ok["text"] == 1  # the misread text is not an exact cell


def test_no_rows_scores_zero_and_cer_one():
    s = score_rows(EXPECTED, [])
    assert s.cells_ok == 0 and s.cells_total == 11
    assert s.rates()["text_cer"] == 1.0
    assert s.found == 0


def test_best_row_is_chosen_by_text_and_value_must_be_in_that_row():
    # the value 15 sits in another row: it must not count for item 1
    rows = [["1", "Kitob ko'rgazmasi", "Tadbir", "12", "", "Har oyda"], ["9", "Boshqa ish", "", "", "15", ""]]
    s = score_rows(EXPECTED[:1], rows)
    assert s.ok["plan_raw"] == 0 and s.ok["fact_raw"] == 1


def test_stacked_cell_does_not_match_split_values():
    # a raw tool keeps "230 40" in one cell; the expected sub-items want 230 and 40 apart
    expected = [_item(text="Jismoniy shaxslar", fact_raw="230"), _item(text="Yuridik shaxslar", fact_raw="40")]
    rows = [["9.4", "Ro'yxatga olish Jismoniy shaxslar Yuridik shaxslar", "230 40"]]
    s = score_rows(expected, rows)
    assert s.ok["fact_raw"] == 0 and s.ok["text"] == 0


def test_plan_rows_and_pooling():
    items = [{"item_no": "1", "text": "Kitob ko'rgazmasi", "unit": "Tadbir", "fact_raw": "12", "plan_raw": "15",
              "deadline": "Har oyda"}]  # fmt: skip
    rows = plan_rows(items)
    assert rows[0][:5] == ["1", "Kitob ko'rgazmasi", "Tadbir", "12", "15"] and "" in rows[0]
    total = CellScore()
    total.add(score_rows(EXPECTED[:1], rows))
    total.add(score_rows(EXPECTED[1:], []))
    assert (total.items, total.cells_ok, total.cells_total) == (2, 6, 11)


# --- smoke run -------------------------------------------------------------------------------


@pytest.mark.slow
def test_quick_run_writes_complete_report(tmp_path):
    from reja.bench.__main__ import main

    out, js = tmp_path / "bench.md", tmp_path / "bench.json"
    assert main(["--quick", "--tools", "none", "--repeat", "1", "--out", str(out), "--json", str(js)]) == 0
    result = json.loads(js.read_text(encoding="utf-8"))
    expected = json.loads((REPO / "samples/expected/izboskan_2025.json").read_text(encoding="utf-8"))
    n_fields = sum(1 for it in expected["items"] for f in SCORED_FIELDS if (it.get(f) or "").strip())

    (doc,) = result["documents"]
    assert doc["name"] == "izboskan_2025_docx" and not doc["reja"].get("error")
    score = doc["reja"]["score"]
    assert score["items"] == len(expected["items"]) == 48
    assert score["cells_total"] == n_fields  # every non-empty expected field was scored
    assert score["cell_exact"] > 0.9  # the typed DOCX is reja's easiest format
    assert doc["reja"]["seconds_best"] > 0 and 20 < doc["reja"]["peak_rss_mb"] < 2000
    assert doc["raw"]["seconds"] > 0
    assert doc["tools"]["camelot"]["na"].startswith("n/a")  # Camelot never runs on DOCX
    assert doc["tools"]["python_docx"]["na"].startswith("n/a")  # switched off by --tools none
    assert result["normaliser"]["chars_per_s"] > 0

    md = out.read_text(encoding="utf-8")
    for heading in ("## Machine", "## Accuracy per format", "## Speed", "## Memory per document", "## Scale",
                    "## Normaliser", "## Reading the numbers"):  # fmt: skip
        assert heading in md
    table_rows = [ln for ln in md.splitlines() if ln.startswith("|")]
    assert table_rows and not any(re.search(r"\|\s*\|", ln) for ln in table_rows)  # no empty cell
    assert not re.search(r"/(?:work|tmp)/", md)  # no path of the machine that ran it


def test_image_bench_peak_is_the_childs_own_not_the_bench_process():
    """Issue 18: the images bench reported 803 MiB for a page that needs ~280 MiB alone. Linux carries
    ru_maxrss over fork and execve, so a child of a grown bench process inherited its peak; the child
    must report its own high-water mark (VmHWM)."""
    import subprocess
    import sys

    from reja.bench import images

    ballast = bytearray(300 * 1024 * 1024)
    for i in range(0, len(ballast), 4096):  # touched, so it is resident
        ballast[i] = 1
    code = images._PEAK_CODE.replace("from reja.pipeline import parse_file\nparse_file(sys.argv[1])\n", "")
    assert code != images._PEAK_CODE  # the child's measurement is what is tested, not its work
    out = subprocess.run([sys.executable, "-c", code, "unused"], capture_output=True, text=True, check=True)
    assert float(out.stdout.strip().splitlines()[-1]) < 200
    del ballast
