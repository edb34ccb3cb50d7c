"""Words OCR misreads by one look-alike letter ("Иил" for "Йил", "январъ" for "январь"), put right
against the words of the project's own data files (catalogue, months, plan words).

Only closed-vocabulary columns (deadline, unit) are corrected, only a word that is not in the
lexicon, and only when exactly one variant with one confusable letter swapped is in it.
"""

from __future__ import annotations

import json
import os
import re
import sys
from functools import lru_cache
from pathlib import Path

from reja.schema import data_files

_WORD_RE = re.compile(r"[^\W\d_]+")


# The catalogue's words as the scan reader knows them: the strings of the data files matching alone
# reads (`schema.data_files.MATCH_ONLY`), frozen here so that a catalogue edit re-matches the stored
# rows instead of reading every scan again. Written again (and then every file is read again) by
# `python -m reja.extract.scan.lexicon --write-snapshot`.
SNAPSHOT = Path(__file__).resolve().parent / "data" / "catalogue_strings.json"


def _data_files() -> list[Path]:
    """The YAML data files the readers and the parser read (schema, normalize, extract)."""
    return data_files.parse_yaml_files()


def _yaml_strings(paths: list[Path]) -> list[str]:
    out: list[str] = []
    for path in paths:
        try:
            data = data_files.read_yaml(path)
        except (OSError, data_files.YAMLError):
            continue  # a broken data file is its owner's error, reported by its own loader
        out += _strings(data)
    return out


def snapshot_strings() -> list[str]:
    try:
        return list(json.loads(SNAPSHOT.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return []


def write_snapshot(path: Path = SNAPSHOT) -> int:
    """Freeze the catalogue's current strings for the scan reader; returns how many."""
    strings = sorted(set(_yaml_strings(data_files.match_only_files())))
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(strings, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return len(strings)


@lru_cache(maxsize=1)
def data_strings() -> tuple[str, ...]:
    """Every string (keys and values) of the readers' and parser's data files and of the catalogue
    snapshot, parsed once per process.

    The lexicon and the 2026-alphabet vocabulary both need them; parsing the ~30 files with the
    pure-Python loader cost ~4 s a process each (measured with cProfile on a scan, issue 18)."""
    return tuple(_yaml_strings(_data_files()) + snapshot_strings())


def _strings(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in _strings(k) + _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


@lru_cache(maxsize=1)
def lexicon() -> frozenset[str]:
    words: set[str] = set()
    for s in data_strings():
        words.update(w.lower() for w in _WORD_RE.findall(s) if len(w) >= 3)
    return frozenset(words)


def correct_word(word: str, pairs: list[tuple[str, str]], lex: frozenset[str]) -> str | None:
    low = word.lower()
    if len(low) < 3 or low in lex:
        return None
    swap: dict[str, list[str]] = {}
    for a, b in pairs:
        if len(a) != 1 or len(b) != 1:
            continue  # one letter for one letter only: the word keeps its length
        swap.setdefault(a, []).append(b)
        swap.setdefault(b, []).append(a)
    found = set()
    for i, ch in enumerate(low):
        for other in swap.get(ch, []):
            variant = low[:i] + other + low[i + 1 :]
            if variant in lex:
                found.add(variant)
    if len(found) != 1:
        return None
    fixed = found.pop()
    return "".join(f.upper() if o.isupper() else f for o, f in zip(word, fixed, strict=True))


def correct_text(text: str, pairs: list[tuple[str, str]]) -> tuple[str, list[str]]:
    lex = lexicon()
    changes: list[str] = []

    def fix(m: re.Match[str]) -> str:
        new = correct_word(m.group(0), pairs, lex)
        if new is None:
            return m.group(0)
        changes.append(f"{m.group(0)!r} → {new!r}")
        return new

    return _WORD_RE.sub(fix, text), changes


if __name__ == "__main__":
    if sys.argv[1:] != ["--write-snapshot"]:
        sys.exit("usage: python -m reja.extract.scan.lexicon --write-snapshot")
    print(f"{write_snapshot()} strings of the catalogue written to {SNAPSHOT.name}")
