"""Score reja on the variety corpus, per family and per format.

Item matching and the field scores are reja.evaluate's (`score_plan`); this module adds what only a
corpus of many plans can measure: deadline exact, metadata as gazetteer ids (district id, year),
indicator agreement across plans and wrong auto-accepts (against the paraphrase bank's labels), the
share of rows flagged, how many of those flags doubted a row that was right (noise: a clerk's time) and how
many wrong rows carried no flag (hidden), and seconds per page. Expected data comes from the spec only.

Pairwise indicator agreement: over every pair of expected items from two different plans, "same" means
the bank labels both with one indicator; reja says "same" when it stored one indicator id for both
(items it missed count as no id). F1 of reja's "same" against the truth's.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from reja.evaluate import (
    FIELDS,
    Counts,
    field_equal,
    norm_no,
    norm_section,
    ratchet_limit,
    score_plan,
    values_equal,
    ws,
)

METRICS = ("files_failed", "item_recall", "item_precision", "values_exact", "text_exact", "parent_exact",
           "section_exact", "unit_exact", "deadline_exact", "district_id", "year", "indicator_f1", "wrong_auto", "flagged",
           "flag_noise", "hidden", "sec_per_page")
LOWER_IS_BETTER = frozenset({"files_failed", "wrong_auto", "flagged", "flag_noise", "hidden", "sec_per_page"})
# timing is the bench's job; the flag shares are reported, not floors (a better matcher moves them both ways)
RATCHETED = tuple(m for m in METRICS if m not in ("sec_per_page", "flagged", "flag_noise", "hidden"))


@dataclass
class DocScore:
    name: str
    family: str
    renderer: str
    error: str | None = None
    counts: dict = field(default_factory=dict)
    deadline_ok: int = 0
    parent_ok: int = 0
    district_ok: bool = False
    year_ok: bool = False
    rows: int = 0
    rows_flagged: int = 0
    rows_flagged_right: int = 0  # flagged, yet every scored field and the indicator were right
    rows_wrong_unflagged: int = 0  # a field or the indicator wrong (or a row the spec has not), and no flag
    indicators: list = field(default_factory=list)  # [expected id | None, stored id | None, auto?] per expected item
    pages: int = 0
    seconds: float = 0.0


def score_document(file: Path, expected_file: Path) -> DocScore:
    """Parse one corpus document with reja and score it; a pipeline failure is a scored failure."""
    from reja.enrich import enrich_rows, place_ids
    from reja.records import plan_rows

    exp = json.loads(expected_file.read_text(encoding="utf-8"))
    res = DocScore(exp["name"], exp["family"], exp["renderer"])
    parsed = None
    started = time.perf_counter()
    try:
        from reja.pipeline import parse_file

        parsed = parse_file(file)
    except Exception as exc:  # scored as a failed file, never a crashed run
        res.error = f"{type(exc).__name__}: {str(exc)[:300]}"
    res.seconds = time.perf_counter() - started
    pairs: list[tuple[int, int]] = []
    counts, _, _, _, _ = score_plan(exp, parsed, pairs_out=pairs)
    res.counts = {"expected": counts.expected, "parsed": counts.parsed, "matched": counts.matched,
                  "field_ok": counts.field_ok, "section_ok": counts.section_ok}
    exp_items = exp["items"]
    stored: dict[int, tuple[str | None, bool]] = {}
    if parsed is not None:
        res.pages = parsed.page_count or 0
        items = parsed.items
        for i, j in pairs:
            res.deadline_ok += ws(exp_items[i].get("deadline")) == ws(items[j].deadline)
            res.parent_ok += norm_no(exp_items[i].get("parent_item_no")) == norm_no(items[j].parent_item_no)
        meta = parsed.meta
        ids, _ = place_ids(meta.region, meta.district)
        res.district_ok = ids.get("district_id") == exp["meta"]["district_id"]
        res.year_ok = values_equal(meta.year, exp["meta"]["year"])
        try:
            rows = plan_rows(parsed, document_id=res.name, source_file=file.name)
            enrich_rows(rows, plan_year=meta.year if isinstance(meta.year, int) else None)
        except Exception as exc:
            res.error = res.error or f"enrichment failed: {type(exc).__name__}: {exc}"
            rows = []
        res.rows = len(rows)
        res.rows_flagged = sum(1 for r in rows if r.flags)
        right = _rows_right(exp_items, items, rows, pairs)
        res.rows_flagged_right = sum(1 for j, r in enumerate(rows) if r.flags and j in right)
        res.rows_wrong_unflagged = sum(1 for j, r in enumerate(rows) if not r.flags and j not in right)
        for i, j in pairs:
            if j < len(rows):
                flags = rows[j].flags
                auto = rows[j].indicator_id is not None and not any(f.startswith("indicator_review") for f in flags)
                stored[i] = (rows[j].indicator_id, auto)
    for i, e in enumerate(exp_items):
        got, auto = stored.get(i, (None, False))
        res.indicators.append([e.get("indicator"), got, auto])
    return res


def _rows_right(exp_items: list[dict], items: list, rows: list, pairs: list[tuple[int, int]]) -> set[int]:
    """The parsed rows that are right in everything scored: the item fields, section, parent, deadline and
    the stored indicator (none for a must-not-match activity)."""
    right = set()
    for i, j in pairs:
        e, p = exp_items[i], items[j]
        if j >= len(rows) or not all(field_equal(f, e, p) for f in FIELDS):
            continue
        if norm_section(e.get("section_no")) != norm_section(p.section_no):
            continue
        if norm_no(e.get("parent_item_no")) != norm_no(p.parent_item_no) or ws(e.get("deadline")) != ws(p.deadline):
            continue
        if rows[j].indicator_id != e.get("indicator"):
            continue
        right.add(j)
    return right


def _score_job(args: tuple[str, str]) -> DocScore:
    return score_document(Path(args[0]), Path(args[1]))


def score_all(generated, jobs: int = 1, log=print) -> list[DocScore]:
    work = [(str(g.file), str(g.expected)) for g in generated]
    if jobs <= 1:
        out = []
        for k, w in enumerate(work):
            out.append(_score_job(w))
            if log and (k + 1) % 20 == 0:
                log(f"  scored {k + 1}/{len(work)}")
        return out
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(_score_job, work, chunksize=1))


# --- aggregation ------------------------------------------------------------------------------


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _cross_doc_pairs(groups: dict) -> int:
    """Pairs of members from different documents: groups = {key: Counter(doc -> count)}."""
    total = 0
    for per_doc in groups.values():
        n = sum(per_doc.values())
        total += _pairs(n) - sum(_pairs(c) for c in per_doc.values())
    return total


def indicator_f1(docs: list[DocScore]) -> float | None:
    """None when no two plans share an activity and reja paired nothing (one plan alone)."""
    truth, said, both = defaultdict(Counter), defaultdict(Counter), defaultdict(Counter)
    for d in docs:
        for exp_id, got, _ in d.indicators:
            if exp_id is not None:
                truth[exp_id][d.name] += 1
            if got is not None:
                said[got][d.name] += 1
            if exp_id is not None and got is not None:
                both[(exp_id, got)][d.name] += 1
    tp, t, s = _cross_doc_pairs(both), _cross_doc_pairs(truth), _cross_doc_pairs(said)
    if t == 0 and s == 0:
        return None
    precision = tp / s if s else 0.0
    recall = tp / t if t else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def aggregate(docs: list[DocScore]) -> dict[str, float]:
    c = Counts()
    deadline = parent = district = year = rows = flagged = flagged_right = hidden = pages = 0
    seconds = 0.0
    auto = wrong = 0
    for d in docs:
        k = d.counts
        c.expected += k.get("expected", 0)
        c.parsed += k.get("parsed", 0)
        c.matched += k.get("matched", 0)
        for f, v in (k.get("field_ok") or {}).items():
            c.field_ok[f] += v
        c.section_ok += k.get("section_ok", 0)
        deadline += d.deadline_ok
        parent += d.parent_ok
        district += d.district_ok
        year += d.year_ok
        rows += d.rows
        flagged += d.rows_flagged
        flagged_right += d.rows_flagged_right
        hidden += d.rows_wrong_unflagged
        pages += d.pages or 1
        seconds += d.seconds
        for exp_id, got, is_auto in d.indicators:
            if is_auto:
                auto += 1
                wrong += got != exp_id
    m = c.matched
    n = max(len(docs), 1)
    return {
        "documents": len(docs),
        "files_failed": sum(1 for d in docs if d.error) / n,
        "item_recall": m / c.expected if c.expected else 1.0,
        "item_precision": m / c.parsed if c.parsed else 0.0,
        "values_exact": (c.field_ok["fact_value"] + c.field_ok["plan_value"]) / (2 * m) if m else 0.0,
        "text_exact": c.field_ok["text"] / m if m else 0.0,
        "parent_exact": parent / m if m else 0.0,
        "section_exact": c.section_ok / m if m else 0.0,
        "unit_exact": c.field_ok["unit"] / m if m else 0.0,
        "deadline_exact": deadline / m if m else 0.0,
        "district_id": district / n,
        "year": year / n,
        "indicator_f1": indicator_f1(docs),
        "wrong_auto": wrong / auto if auto else 0.0,
        "flagged": flagged / rows if rows else 0.0,
        "flag_noise": flagged_right / rows if rows else 0.0,
        "hidden": hidden / rows if rows else 0.0,
        "sec_per_page": seconds / pages if pages else 0.0,
    }


def by(docs: list[DocScore], key) -> dict[str, dict[str, float]]:
    groups: dict[str, list[DocScore]] = defaultdict(list)
    for d in docs:
        groups[key(d)].append(d)
    return {k: aggregate(v) for k, v in sorted(groups.items())}


# --- floors -----------------------------------------------------------------------------------


def violations(family: str, scores: dict[str, float], floors: dict[str, float]) -> list[str]:
    out = []
    for metric, limit in floors.items():
        if metric not in scores:
            out.append(f"{family}: unknown metric {metric!r} in the floors file")
            continue
        value = scores[metric]
        if value is None:
            out.append(f"{family}: {metric} could not be measured (floor {limit:.3f})")
        elif metric in LOWER_IS_BETTER and value > limit + 1e-9:
            out.append(f"{family}: {metric} = {value:.3f} is above its ceiling {limit:.3f}")
        elif metric not in LOWER_IS_BETTER and value < limit - 1e-9:
            out.append(f"{family}: {metric} = {value:.3f} is below its floor {limit:.3f}")
    return out


def ratchet(floors: dict[str, float], scores: dict[str, float]) -> dict[str, float]:
    """Floors move up to the score (ceilings down), never the other way."""
    new = dict(floors)
    for metric in RATCHETED:
        value = scores[metric]
        if value is None:  # not measurable on these documents (one plan: no cross-plan pairs)
            continue
        new[metric] = ratchet_limit(new.get(metric), value, metric in LOWER_IS_BETTER)
    return new


# --- output -----------------------------------------------------------------------------------

SHORT = {"files_failed": "failed", "item_recall": "recall", "item_precision": "prec", "values_exact": "values",
         "text_exact": "text", "parent_exact": "parent", "section_exact": "section", "unit_exact": "unit", "deadline_exact": "deadline",
         "district_id": "district", "year": "year", "indicator_f1": "ind.F1", "wrong_auto": "wrongAuto",
         "flagged": "flagged", "flag_noise": "noise", "hidden": "hidden", "sec_per_page": "s/page"}


def table(rows: dict[str, dict[str, float]], title: str, markdown: bool = False) -> str:
    heads = ["", "docs"] + [SHORT[m] for m in METRICS]
    body = []
    for name, s in rows.items():
        cells = [name, str(s["documents"])]
        for m in METRICS:
            v = s[m]
            cells.append("–" if v is None else f"{v:.1f}" if m == "sec_per_page" else f"{v:.2f}")
        body.append(cells)
    if markdown:
        lines = [f"### {title}", "", "| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
        lines += ["| " + " | ".join(c) + " |" for c in body]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [heads, *body]) for i in range(len(heads))]
    fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    return "\n".join([title, fmt.format(*heads), *(fmt.format(*r) for r in body)])
