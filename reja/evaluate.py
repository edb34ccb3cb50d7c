"""The yardstick: run the pipeline on every sample and score it against the hand-checked expected data.

    python -m reja.evaluate [--sample NAME ...] [--json [PATH]] [--details] [--ratchet]

For each entry of samples/expected/manifest.json: `reja.pipeline.parse_file(file)`, then match the
parsed items to the expected items and score. Prints one table per document and a total; exits 1
when a score is below its floor in samples/expected/thresholds.json (or above its ceiling, for the
error rate), naming each one. A document whose pipeline raises is scored zero and reported as
"pipeline failed: …", never crashes the run.

Matching (one expected item ↔ at most one parsed item, greedy by score):
- a numbered expected item matches a parsed item with the same item_no whose text is similar
  (rapidfuzz ratio ≥ MIN_TEXT_SIM after whitespace, case, apostrophe and script folding); an
  un-numbered sub-item matches by parent_item_no + text the same way;
- any pair whose text is nearly identical (≥ TEXT_ONLY_SIM) also matches, so a misread number
  costs the item_no field, not the whole item;
- same section and nearby position break ties (numbering restarts per section, Jondor has two 4.5).

Metrics (all in [0, 1]):
- item_recall = matched / expected items; item_precision = matched / parsed items;
- <field>_exact (item_no, text after whitespace normalisation, unit, fact_value, plan_value) and
  section_accuracy (section_no equal): share of MATCHED pairs that agree, so they describe the
  quality of what was found while recall describes what was missed;
- text_cer: mean Levenshtein normalised distance of text over matched pairs (lower is better;
  1.0 when nothing matched);
- meta_accuracy: share of region, district, year, approved_by, agreed_by that agree after
  case-folding, dropping "tumani/viloyati"-type words and transliterating to Latin.
The total pools all documents (micro-average: sums of counts, not a mean of rates).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import tempfile
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from reja.normalize.apostrophes import APOSTROPHE_VARIANTS
from reja.normalize.translit import to_latin

REPO_DIR = Path(__file__).resolve().parent.parent
MANIFEST = REPO_DIR / "samples" / "expected" / "manifest.json"
THRESHOLDS = REPO_DIR / "samples" / "expected" / "thresholds.json"

MIN_TEXT_SIM = 0.5  # with an equal number: texts must at least resemble each other
TEXT_ONLY_SIM = 0.85  # without an equal number: texts must be nearly the same

FIELDS = ("item_no", "text", "unit", "fact_value", "plan_value")
META_KEYS = ("region", "district", "year", "approved_by", "agreed_by")
METRICS = (
    "item_recall",
    "item_precision",
    *(f"{f}_exact" for f in FIELDS),
    "text_cer",
    "section_accuracy",
    "meta_accuracy",
)
LOWER_IS_BETTER = frozenset({"text_cer"})
# Administrative words that plans add or drop freely ("Izboskan tuman" vs "Izboskan tumani").
_ADMIN_WORDS_RE = re.compile(r"\b(?:tumani|tuman|viloyati|viloyat|вилояти|вилоят|тумани|туман)\b", re.IGNORECASE)
_WS_RE = re.compile(r"\s+")
_APOSTROPHE_TO_ASCII = {ord(c): "'" for c in APOSTROPHE_VARIANTS}  # the one list (normalize.apostrophes)


# --- normalisation ----------------------------------------------------------------------------


def ws(s: str | None) -> str:
    """Whitespace runs (incl. NBSP, newlines) collapsed to one space, ends stripped."""
    return _WS_RE.sub(" ", unicodedata.normalize("NFC", s or "")).strip()


def fold(s: str | None) -> str:
    """Loose comparison form: whitespace, case, apostrophes and script folded."""
    s = ws(s)
    s = to_latin(s)
    s = s.translate(_APOSTROPHE_TO_ASCII)
    return s.casefold()


def norm_no(s: Any) -> str | None:
    if s is None:
        return None
    s = ws(str(s)).rstrip(".").strip()
    return s or None


def norm_section(s: Any) -> str | None:
    n = norm_no(s)
    return n.upper() if n else None


def norm_meta(key: str, value: Any) -> Any:
    if value is None:
        return None
    if key == "year":
        try:
            return int(str(value).strip())
        except ValueError:
            return str(value).strip()
    s = fold(str(value))
    s = _ADMIN_WORDS_RE.sub(" ", s)
    return ws(s) or None


def values_equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    try:
        return math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-9)
    except (TypeError, ValueError):
        return False


def text_sim(a: str | None, b: str | None) -> float:
    return fuzz.ratio(fold(a), fold(b)) / 100.0


# --- matching ---------------------------------------------------------------------------------


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


def match_items(expected: list[dict], parsed: list[Any]) -> list[tuple[int, int]]:
    """Pairs (expected index, parsed index), each index used at most once."""
    n_e, n_p = max(len(expected), 1), max(len(parsed), 1)
    # fold each text once: transliteration is the expensive part of a comparison
    p_keys = [
        (fold(_get(p, "text")), norm_no(_get(p, "item_no")), norm_no(_get(p, "parent_item_no")), norm_section(_get(p, "section_no")))
        for p in parsed
    ]
    candidates: list[tuple[float, int, int]] = []
    for i, e in enumerate(expected):
        e_text = fold(_get(e, "text"))
        e_no, e_parent = norm_no(_get(e, "item_no")), norm_no(_get(e, "parent_item_no"))
        e_sec = norm_section(_get(e, "section_no"))
        for j, (p_text, p_no, p_parent, p_sec) in enumerate(p_keys):
            sim = fuzz.ratio(e_text, p_text) / 100.0
            if e_no is not None:
                keyed = p_no == e_no
            else:
                keyed = p_no is None and p_parent == e_parent
            if not ((keyed and sim >= MIN_TEXT_SIM) or sim >= TEXT_ONLY_SIM):
                continue
            score = sim + (1.0 if keyed else 0.0)
            score += 0.2 if p_sec == e_sec else 0.0
            score -= 0.1 * abs(i / n_e - j / n_p)  # prefer the pair at the same relative position
            candidates.append((score, i, j))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_e: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i in used_e or j in used_p:
            continue
        used_e.add(i)
        used_p.add(j)
        pairs.append((i, j))
    return sorted(pairs)


# --- scoring ----------------------------------------------------------------------------------


@dataclass
class Counts:
    """Raw counts; rates are derived, so documents can be pooled into a total."""

    expected: int = 0
    parsed: int = 0
    matched: int = 0
    field_ok: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    section_ok: int = 0
    cer_sum: float = 0.0
    meta_ok: int = 0
    meta_total: int = 0

    def add(self, other: Counts) -> None:
        self.expected += other.expected
        self.parsed += other.parsed
        self.matched += other.matched
        for f in FIELDS:
            self.field_ok[f] += other.field_ok[f]
        self.section_ok += other.section_ok
        self.cer_sum += other.cer_sum
        self.meta_ok += other.meta_ok
        self.meta_total += other.meta_total

    def scores(self) -> dict[str, float]:
        m = self.matched
        out = {
            "item_recall": m / self.expected if self.expected else 1.0,
            "item_precision": m / self.parsed if self.parsed else (1.0 if not self.expected else 0.0),
        }
        for f in FIELDS:
            out[f"{f}_exact"] = self.field_ok[f] / m if m else 0.0
        out["text_cer"] = self.cer_sum / m if m else 1.0
        out["section_accuracy"] = self.section_ok / m if m else 0.0
        out["meta_accuracy"] = self.meta_ok / self.meta_total if self.meta_total else 0.0
        return out


@dataclass
class DocResult:
    name: str
    file: str
    format: str
    counts: Counts
    error: str | None = None
    meta: dict[str, dict[str, Any]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # expected items not found
    extra: list[str] = field(default_factory=list)  # parsed items that match nothing
    field_errors: list[str] = field(default_factory=list)
    expected_broken: bool = False
    seconds: float = 0.0  # wall time of parse_file, for the benchmark

    @property
    def scores(self) -> dict[str, float]:
        return self.counts.scores()


def _label(item: Any) -> str:
    no = norm_no(_get(item, "item_no"))
    parent = norm_no(_get(item, "parent_item_no"))
    head = f"{_get(item, 'section_no') or '?'}/{no or '(' + (parent or '-') + ')'}"
    return f"{head} {ws(_get(item, 'text'))[:60]!r}"


def field_equal(name: str, e: Any, p: Any) -> bool:
    ev, pv = _get(e, name), _get(p, name)
    if name == "item_no":
        return norm_no(ev) == norm_no(pv)
    if name in ("text", "unit", "deadline", "responsible", "mechanism"):
        return ws(ev) == ws(pv)
    return values_equal(ev, pv)


def score_plan(expected: dict, parsed: Any | None, pairs_out: list | None = None
               ) -> tuple[Counts, dict, list[str], list[str], list[str]]:
    """Score one parsed plan (a ParsedPlan, or None when the pipeline failed) against its expected file.

    `pairs_out`, when given, receives the matched (expected index, parsed index) pairs, so a caller
    scoring more fields (reja.variety) reuses this matching instead of repeating it.
    """
    exp_items = expected["items"]
    counts = Counts(expected=len(exp_items), meta_total=len(META_KEYS))
    meta_report: dict[str, dict[str, Any]] = {}
    got_meta = _get(parsed, "meta") if parsed is not None else None
    for key in META_KEYS:
        want, got = expected["meta"].get(key), _get(got_meta, key) if got_meta is not None else None
        ok = parsed is not None and norm_meta(key, want) == norm_meta(key, got)
        counts.meta_ok += ok
        meta_report[key] = {"expected": want, "got": got, "ok": bool(ok)}
    if parsed is None:
        return counts, meta_report, [_label(e) for e in exp_items], [], []
    items = list(_get(parsed, "items") or [])
    counts.parsed = len(items)
    pairs = match_items(exp_items, items)
    if pairs_out is not None:
        pairs_out.extend(pairs)
    counts.matched = len(pairs)
    field_errors = []
    for i, j in pairs:
        e, p = exp_items[i], items[j]
        for f in FIELDS:
            if field_equal(f, e, p):
                counts.field_ok[f] += 1
            else:
                field_errors.append(f"{_label(e)}: {f} expected {_get(e, f)!r}, got {_get(p, f)!r}")
        counts.section_ok += norm_section(_get(e, "section_no")) == norm_section(_get(p, "section_no"))
        counts.cer_sum += Levenshtein.normalized_distance(ws(_get(e, "text")), ws(_get(p, "text")))
    matched_e = {i for i, _ in pairs}
    matched_p = {j for _, j in pairs}
    missing = [_label(e) for i, e in enumerate(exp_items) if i not in matched_e]
    extra = [_label(p) for j, p in enumerate(items) if j not in matched_p]
    return counts, meta_report, missing, extra, field_errors


def evaluate_entry(entry: dict, repo_dir: Path = REPO_DIR) -> DocResult:
    try:
        expected = json.loads((repo_dir / entry["expected"]).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # a broken ground truth is a failure of this entry, not of the run
        res = DocResult(entry["name"], entry["file"], entry["format"], Counts())
        res.error = f"expected data unreadable ({entry['expected']}): {exc}"
        res.expected_broken = True
        return res
    parsed, error = None, None
    started = time.perf_counter()
    try:
        from reja.pipeline import parse_file

        parsed = parse_file(repo_dir / entry["file"])
    except Exception as exc:  # any failure is a zero score for this document, not a crashed run
        error = f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - started
    counts, meta, missing, extra, field_errors = score_plan(expected, parsed)
    return DocResult(
        entry["name"], entry["file"], entry["format"], counts, error, meta, missing, extra, field_errors, seconds=seconds
    )


# --- thresholds -------------------------------------------------------------------------------


def load_thresholds(path: Path = THRESHOLDS) -> dict[str, dict[str, float]]:
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def violations(name: str, scores: dict[str, float], thresholds: dict[str, dict[str, float]]) -> list[str]:
    out = []
    for metric, limit in thresholds.get(name, {}).items():
        if metric not in scores:
            out.append(f"{name}: unknown metric {metric!r} in thresholds")
            continue
        value = scores[metric]
        if metric in LOWER_IS_BETTER:
            if value > limit + 1e-9:
                out.append(f"{name}: {metric} = {value:.3f} is above its ceiling {limit:.3f}")
        elif value < limit - 1e-9:
            out.append(f"{name}: {metric} = {value:.3f} is below its floor {limit:.3f}")
    return out


def ratchet_limit(limit: float | None, value: float, lower_is_better: bool) -> float:
    """A floor moved up to `value` (a ceiling down), to three decimals, never the other way."""
    if lower_is_better:
        return min(1.0 if limit is None else limit, math.ceil(value * 1000) / 1000)
    return max(0.0 if limit is None else limit, math.floor(value * 1000) / 1000)


def ratchet(thresholds: dict, results: dict[str, dict[str, float]]) -> dict:
    """Move each floor up (each ceiling down) to the current score; never the other way."""
    new = {k: dict(v) for k, v in thresholds.items()}
    for name, scores in results.items():
        limits = new.setdefault(name, {})
        for metric, value in scores.items():
            limits[metric] = ratchet_limit(limits.get(metric), value, metric in LOWER_IS_BETTER)
    return new


# --- output -----------------------------------------------------------------------------------


def _table(title: str, scores: dict[str, float], limits: dict[str, float]) -> str:
    lines = [title, f"  {'metric':<18} {'score':>7} {'limit':>7}"]
    for metric in METRICS:
        value = scores[metric]
        limit = limits.get(metric)
        if limit is None:
            mark, lim = "", "-"
        else:
            bad = value > limit + 1e-9 if metric in LOWER_IS_BETTER else value < limit - 1e-9
            mark, lim = ("  BELOW" if bad else ""), f"{limit:.3f}"
            if bad and metric in LOWER_IS_BETTER:
                mark = "  ABOVE"
        lines.append(f"  {metric:<18} {value:7.3f} {lim:>7}{mark}")
    return "\n".join(lines)


def _write_json_atomic(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(obj, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def manifest_entries(names: list[str] | None = None, manifest: Path = MANIFEST) -> list[dict]:
    """The manifest's samples, or the named ones (an unknown name stops with the known ones listed)."""
    entries = json.loads(manifest.read_text(encoding="utf-8"))["samples"]
    if names:
        unknown = sorted(set(names) - {e["name"] for e in entries})
        if unknown:
            raise SystemExit(f"unknown sample(s) {unknown}; known: {[e['name'] for e in entries]}")
        entries = [e for e in entries if e["name"] in names]
    return entries


def run(names: list[str] | None = None, manifest: Path = MANIFEST, details: bool = False) -> dict:
    """Evaluate the manifest (or the named entries); returns the machine-readable result."""
    entries = manifest_entries(names, manifest)
    total = Counts()
    docs = []
    for entry in entries:
        res = evaluate_entry(entry)
        total.add(res.counts)
        docs.append(res)
    return {"documents": docs, "total": total}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reja.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--sample", action="append", help="manifest name (repeatable), e.g. izboskan_2025_docx")
    parser.add_argument("--json", nargs="?", const="out/eval.json", metavar="PATH", help="write results as JSON")
    parser.add_argument("--details", action="store_true", help="list missing/extra items and field mismatches")
    parser.add_argument("--ratchet", action="store_true", help="raise thresholds to the current scores (never lowers)")
    args = parser.parse_args(argv)

    result = run(args.sample)
    thresholds = load_thresholds()
    problems: list[str] = []
    out_docs = []
    for doc in result["documents"]:
        scores = doc.scores
        title = f"{doc.name}  ({doc.file}, {doc.format})"
        if doc.error:
            title += f"\n  pipeline failed: {doc.error}"
        title += (
            f"\n  items: expected {doc.counts.expected}, parsed {doc.counts.parsed}, matched {doc.counts.matched}"
            f"  ({doc.seconds:.1f} s)"
        )
        print(_table(title, scores, thresholds.get(doc.name, {})))
        bad_meta = [f"{k} (expected {v['expected']!r}, got {v['got']!r})" for k, v in doc.meta.items() if not v["ok"]]
        if bad_meta and not doc.error:
            print("  metadata wrong: " + "; ".join(bad_meta))
        if args.details:
            for label, rows in (("missing", doc.missing), ("extra", doc.extra), ("field", doc.field_errors)):
                for row in rows:
                    print(f"    {label}: {row}")
        print()
        problems += violations(doc.name, scores, thresholds)
        if doc.expected_broken:
            problems.append(f"{doc.name}: {doc.error}")
        out_docs.append({**{k: v for k, v in asdict(doc).items() if k != "counts"}, "counts": asdict(doc.counts), "scores": scores})
    total_scores = result["total"].scores()
    if len(result["documents"]) > 1 or not args.sample:
        print(_table(f"TOTAL ({len(result['documents'])} documents)", total_scores, thresholds.get("total", {})))
        if not args.sample:
            problems += violations("total", total_scores, thresholds)
    if args.json:
        path = Path(args.json)
        _write_json_atomic(path, {"documents": out_docs, "total": {"counts": asdict(result["total"]), "scores": total_scores}})
        print(f"\nresults written to {path}")
    if args.ratchet:
        current = {d["name"]: d["scores"] for d in out_docs}
        if not args.sample:
            current["total"] = total_scores
        raw = json.loads(THRESHOLDS.read_text(encoding="utf-8")) if THRESHOLDS.exists() else {}
        notes = {k: v for k, v in raw.items() if k.startswith("_")}
        _write_json_atomic(THRESHOLDS, {**notes, **ratchet(load_thresholds(), current)})
        print(f"thresholds ratcheted in {THRESHOLDS.relative_to(REPO_DIR)}")
    if problems:
        print("\nscores below their thresholds:")
        for p in problems:
            print(f"  - {p}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
