"""The import key covers every data file that changes output: editing any one of them (a reader's
word list, the scan settings, the catalogue, a normaliser's table) makes every input "changed". The
parse key covers every one the readers and the parser read: an edit to a file only matching reads
(`schema.data_files.MATCH_ONLY`) re-matches the stored rows instead of reading the files."""

import shutil
from pathlib import Path

import pytest
import reja.extract
import reja.normalize
import reja.schema
import yaml
from reja.extract.settings import SETTINGS_FILES, settings_from
from reja.schema import data_files

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
    keys.parse_data_version.cache_clear()
    keys.catalogue_version.cache_clear()


def _files(dirs):
    return [f for d in dirs for f in sorted(d.rglob("*")) if f.is_file()]


def test_the_data_files_include_the_readers_and_scan_word_lists(data_copy):
    names = {f"{f.parent.parent.name}/{f.name}" for f in _files(data_copy)}
    assert any(n.endswith("extract/plan_words.yaml") for n in names), names
    assert any(n.endswith("scan/scan.yaml") for n in names), names


def test_editing_any_data_file_changes_the_import_key_and_the_parse_key_unless_matching_alone_reads_it(data_copy):
    files = _files(data_copy)
    assert len(files) >= 10
    before = keys.import_key(SHA), keys.parse_key("doc")
    changed = {}
    for f in files:
        original = f.read_bytes()
        f.write_bytes(original + b"\n# edited\n")
        _forget_versions()
        after = keys.import_key(SHA), keys.parse_key("doc")
        changed[f.name] = tuple(name for name, a, b in zip(("import", "parse"), before, after, strict=True) if a != b)
        f.write_bytes(original)
        _forget_versions()
    match_only = {"sections.yaml", "indicators.yaml", "match_thresholds.yaml", "match_vocabulary.yaml"}
    assert {n: c for n, c in changed.items() if n in match_only} == dict.fromkeys(match_only, ("import",))
    assert {n: c for n, c in changed.items() if n not in match_only} == {
        n: ("import", "parse") for n in changed if n not in match_only}
    # restored bytes, same keys: the keys are the content
    assert (keys.import_key(SHA), keys.parse_key("doc")) == before


def test_the_match_only_names_are_unique_and_exist():
    from reja.schema.data_files import MATCH_ONLY

    names = [f.name for f in _files(keys.data_dirs())]
    assert {n: names.count(n) for n in MATCH_ONLY} == dict.fromkeys(MATCH_ONLY, 1)


def test_the_scan_reader_reads_no_match_only_file_and_keeps_the_catalogues_words():
    from reja.extract.scan import lexicon
    from reja.schema.data_files import MATCH_ONLY

    assert not {f.name for f in lexicon._data_files()} & MATCH_ONLY
    # words only the catalogue's indicators have still reach the scan reader, through its snapshot
    parse_words = {w.lower() for s in lexicon._yaml_strings(lexicon._data_files()) for w in lexicon._WORD_RE.findall(s)}
    catalogue_words = {w.lower() for s in lexicon.snapshot_strings() for w in lexicon._WORD_RE.findall(s) if len(w) >= 3}
    only_catalogue = catalogue_words - parse_words
    assert len(only_catalogue) > 100
    assert only_catalogue <= lexicon.lexicon()


@pytest.mark.parametrize(("file", "key", "value"), [
    ("plan_words.yaml", ("header_scores", "match"), 90),
    ("plan_words.yaml", ("header_scores", "subheader"), 82),
    ("plan_words.yaml", ("header_scores", "guess"), 70),
    ("plan_words.yaml", ("low_ocr_confidence",), 65),
    ("scan.yaml", ("dpi",), 400),
])
def test_each_setting_changes_the_settings_and_the_parse_key(data_copy, file, key, value):
    """Edit one value of the parser's settings (`reja.extract.settings`) in a copy of its data file:
    the settings built from the copies differ and so does the parse key (a file read under the old
    settings is read again)."""
    before = keys.parse_key("doc")
    files = {name: next(c / name for c in data_copy if (c / name).is_file()) for _, name in SETTINGS_FILES}
    raw = {name: data_files.read_yaml(path) for name, path in files.items()}
    old = settings_from(raw["plan_words.yaml"], raw["scan.yaml"])
    node = raw[file]
    for k in key[:-1]:
        node = node[k]
    node[key[-1]] = value
    files[file].write_text(yaml.safe_dump(raw[file], allow_unicode=True), encoding="utf-8")
    reread = {name: data_files.read_yaml(path) for name, path in files.items()}
    new = settings_from(reread["plan_words.yaml"], reread["scan.yaml"])
    _forget_versions()
    assert new != old and new.fingerprint() != old.fingerprint()
    assert keys.parse_key("doc") != before
