"""The typed-layout rows of `make bench` (reja/bench/layouts.py): the report states the ratio against
the raw reader and the issue's target, and says why when the rows were not measured."""

from reja.bench.layouts import TARGETS, render


def test_layout_rows_show_ratio_and_target():
    layouts = {"xlsx": {"documents": 3, "pages": 3, "reja_s": 0.3, "raw_s": 0.15, "raw": "openpyxl load_workbook",
                        "ratio": 2.0, "target": TARGETS["xlsx"]},
               "pdf_borderless": {"documents": 3, "pages": 5, "reja_s": 0.9, "raw_s": 0.6,
                                  "raw": "pdfplumber extract_words (every page)", "ratio": 1.5,
                                  "target": TARGETS["pdf_borderless"]}}
    text = "\n".join(render(layouts))
    assert "| xlsx | 3 | 3 | 0.300 s | openpyxl load_workbook: 0.150 s | 2.00× | ≤ 2× |" in text
    assert "| pdf_borderless | 3 | 5 | 0.900 s |" in text and "| 1.50× | ≤ 1.5× |" in text


def test_layout_rows_say_why_they_were_skipped():
    assert "Not measured: --quick smoke run." in render({"skipped": "--quick smoke run"})


def test_best_of_reads_the_clock_it_is_given():
    from reja.bench.speed import best_of

    ticks = iter([0.0, 5.0, 10.0, 12.0, 20.0, 29.0])  # runs of 5, 2 and 9 units on a fake clock
    assert best_of(lambda: None, 3, clock=lambda: next(ticks)) == 2.0
