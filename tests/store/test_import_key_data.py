"""The import key covers every data file that changes output: editing any one of them (a reader's
word list, the scan settings, the catalogue, a normaliser's table) makes every input "changed"."""

import shutil
from pathlib import Path

import pytest
import reja.extract
import reja.normalize
import reja.schema

import reja.keys as keys

SHA = "0" * 64


def _source_data_dirs() -> set[Path]:
    """Every data/ folder in the sources of the layers that turn a file into rows, found by walking
    them (not from reja's list). reja's own data (compare checks, messages) changes no stored row."""
    roots = {Path(m.__file__).parent for m in (reja.extract, reja.normalize, reja.schema)}
    return {d.resolve() for root in roots for d in root.rglob("data") if d.is_dir() and "__pycache__" not in d.parts}


def test_every_data_folder_of_the_packages_is_hashed():
    assert {d.resolve() for d in keys.data_dirs()} == _source_data_dirs()


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """The real data folders copied aside; the key is computed over the copies."""
    copies = []
    for i, d in enumerate(keys.data_dirs()):
        dest = tmp_path / f"{i}_{d.parent.name}" / "data"
        shutil.copytree(d, dest)
        copies.append(dest)
    monkeypatch.setattr(keys, "data_dirs", lambda: copies)
    _forget_versions()
    yield copies
    _forget_versions()


def _forget_versions():
    keys.data_version.cache_clear()
    keys.catalogue_version.cache_clear()


def _files(dirs):
    return [f for d in dirs for f in sorted(d.rglob("*")) if f.is_file()]


def test_the_data_files_include_the_readers_and_scan_word_lists(data_copy):
    names = {f"{f.parent.parent.name}/{f.name}" for f in _files(data_copy)}
    assert any(n.endswith("extract/plan_words.yaml") for n in names), names
    assert any(n.endswith("scan/scan.yaml") for n in names), names


def test_editing_any_data_file_changes_the_import_key_and_the_parse_key(data_copy):
    files = _files(data_copy)
    assert len(files) >= 10
    before = keys.import_key(SHA), keys.parse_key("doc")
    unchanged = []
    for f in files:
        original = f.read_bytes()
        f.write_bytes(original + b"\n# edited\n")
        _forget_versions()
        after = keys.import_key(SHA), keys.parse_key("doc")
        unchanged += [f"{f.name} ({name})" for name, a, b in zip(("import", "parse"), before, after, strict=True) if a == b]
        f.write_bytes(original)
        _forget_versions()
    assert unchanged == []
    # restored bytes, same keys: the keys are the content
    assert (keys.import_key(SHA), keys.parse_key("doc")) == before
