"""Issue 16: one YAML loader and one content hash for reja's data files (schema.data_files)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from reja.schema import data_files

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("schema", "normalize", "extract", "reja")
_PARSE_RE = re.compile(r"\byaml\.(?:safe_load|load|full_load|unsafe_load)\s*\(")


def test_no_module_parses_yaml_but_the_one_loader():
    offenders = [f"{p.relative_to(ROOT)}:{n}"
                 for folder in SOURCES for p in sorted((ROOT / folder).rglob("*.py"))
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if _PARSE_RE.search(line) and p != ROOT / "schema" / "data_files.py"]
    assert offenders == []


def test_the_loader_is_libyaml_when_pyyaml_has_it():
    if yaml.__with_libyaml__:
        assert data_files._LOADER is yaml.CSafeLoader
    else:
        assert data_files._LOADER is yaml.SafeLoader


def test_the_loader_is_safe(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_text("a: !!python/object/apply:os.system ['true']\n", encoding="utf-8")
    try:
        data_files.read_yaml(f)
    except yaml.YAMLError:
        return
    raise AssertionError("a python tag was constructed")


def test_content_hash_sees_a_name_and_a_byte(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("x: 1\n", encoding="utf-8")
    b.write_text("y: 2\n", encoding="utf-8")
    base = data_files.content_hash([("a.yaml", a), ("b.yaml", b)])
    assert data_files.content_hash([("a.yaml", a), ("b.yaml", b)]) == base
    assert data_files.content_hash([("a.yaml", a), ("c.yaml", b)]) != base  # renamed
    assert data_files.content_hash([("a.yaml", a)]) != base  # removed
    b.write_text("y: 3\n", encoding="utf-8")
    assert data_files.content_hash([("a.yaml", a), ("b.yaml", b)]) != base  # edited
