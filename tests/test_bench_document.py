"""The per-document bench (issue 22): a whole import against the raw reader's walk of the same file."""

import json
from pathlib import Path

import pytest

from reja.bench.document import SAMPLES, bench_file, docx_table_walk, markdown


def test_a_docx_whole_import_is_timed_beside_python_docx_walking_its_tables(tmp_path):
    path = SAMPLES / "izboskan_2025.docx"
    expected = json.loads(Path(SAMPLES / "expected" / "izboskan_2025.json").read_text(encoding="utf-8"))
    result = bench_file(path, repeat=1)
    assert result["rows"] == len(expected["items"])  # the import really stored the plan's items
    assert result["reja_cpu_s"] > 0 and result["raw_cpu_s"] > 0 and result["reja_warm_cpu_s"] > 0
    # the ratio is of the unrounded CPU seconds: the rounded ones (ms) give it to within a few percent
    assert result["ratio"] == pytest.approx(result["reja_cpu_s"] / result["raw_cpu_s"], rel=0.05, abs=0.05)
    assert docx_table_walk(path) > len(expected["items"])  # every cell of every table, not rows only
    assert "| izboskan_2025.docx | 48 |" in markdown([result])
