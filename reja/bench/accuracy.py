"""Per document: reja and every comparison tool run on the same file, timed, and scored by the one
scorer (reja.bench.scoring); then pooled per format."""

from __future__ import annotations

import time
from collections.abc import Iterable

from .corpus import Sample
from .memory import measure_reja
from .scoring import SCORED_FIELDS, CellScore, score_rows
from .speed import raw_reader_seconds
from .tools import TOOLS, Tool


def score_from_dict(d: dict) -> CellScore:
    return CellScore(items=d["items"], found=d["found"], cer_sum=d["cer_sum"], ok=dict(d["ok"]), total=dict(d["total"]))


def run_tool(tool: Tool, sample: Sample, repeat: int = 1) -> dict:
    """The tool on the document, best time of `repeat` runs (like reja's), and the score of its rows;
    a crash is reported and scored as no rows."""
    error = None
    seconds = float("inf")
    rows: list[list[str]] = []
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        try:
            rows = tool.run(sample)
        except Exception as exc:  # a tool failing on a document is a result worth reporting
            rows, error = [], f"{type(exc).__name__}: {str(exc)[:200]}"
        seconds = min(seconds, time.perf_counter() - t0)
        if error:
            break
    score = score_rows(sample.expected["items"], rows)
    return {"seconds": seconds, "rows": len(rows), "error": error, "score": score.to_dict()}


def bench_document(sample: Sample, tools_enabled: bool = True, repeat: int = 3, log=print) -> dict:
    log(f"[bench] {sample.name}: reja (own process{', cold OCR cache' if sample.format == 'scan' else ''}) …")
    reja = measure_reja(sample, repeat=repeat if sample.format != "doc" else 1)
    rows = reja.pop("rows", [])
    reja["score"] = score_rows(sample.expected["items"], rows).to_dict()
    log(f"[bench] {sample.name}: raw reader …")
    try:
        raw = raw_reader_seconds(sample, repeat=repeat)
    except Exception as exc:
        raw = {"reader": "?", "seconds": None, "error": f"{type(exc).__name__}: {exc}"}
    tools: dict[str, dict] = {}
    for tool in TOOLS:
        reason = tool.na_reason(sample.format, tools_enabled)
        if reason:
            tools[tool.key] = {"na": reason}
            continue
        log(f"[bench] {sample.name}: {tool.label} …")
        # typed files: best of `repeat`, as reja; a scan once, as reja's cold read
        tools[tool.key] = run_tool(tool, sample, repeat=1 if sample.format == "scan" else repeat)
    return {"name": sample.name, "file": sample.path.name, "format": sample.format, "pages": sample.pages,
            "expected_items": len(sample.expected["items"]), "reja": reja, "raw": raw, "tools": tools}  # fmt: skip


def pool_by_format(docs: Iterable[dict]) -> dict[str, dict]:
    """{format: {"documents", "pages", "reja": {...}, "raw": {...}, "<tool>": {...}}}: scores pooled,
    seconds summed, so rates are per page over the whole format."""
    out: dict[str, dict] = {}
    for d in docs:
        f = out.setdefault(d["format"], {"documents": 0, "pages": 0, "names": []})
        f["documents"] += 1
        f["pages"] += d["pages"]
        f["names"].append(d["name"])
        _pool(f, "reja", d["reja"].get("score"), sum_seconds(d["reja"]), d["reja"].get("error"), d["reja"].get("items", 0))
        r = f.setdefault("reja", {})
        r["eval_counts"] = _add_eval(r.get("eval_counts"), d["reja"].get("eval_counts"))
        if d["reja"].get("cached_seconds") is not None:
            r["cached_seconds"] = r.get("cached_seconds", 0.0) + d["reja"]["cached_seconds"]
        raw = f.setdefault("raw", {"reader": d["raw"]["reader"], "seconds": 0.0})
        raw["seconds"] = None if raw["seconds"] is None or d["raw"]["seconds"] is None else raw["seconds"] + d["raw"]["seconds"]
        for key, t in d["tools"].items():
            if "na" in t:
                f.setdefault(key, {"na": t["na"]})
            else:
                _pool(f, key, t["score"], t["seconds"], t.get("error"), t["rows"])
    for f in out.values():
        for v in f.values():
            if isinstance(v, dict) and isinstance(v.get("score"), CellScore):
                v["rates"] = v["score"].rates()
                v["score"] = v["score"].to_dict()
    return out


def sum_seconds(reja: dict) -> float | None:
    """reja's time for the document: best of its warm runs (typed) or the one cold run (scan)."""
    return reja.get("seconds_best")


def _pool(f: dict, key: str, score: dict | None, seconds: float | None, error: str | None, rows: int) -> None:
    slot = f.setdefault(key, {})
    slot["rows"] = slot.get("rows", 0) + rows
    slot.setdefault("score", CellScore())
    if score is not None:
        slot["score"].add(score_from_dict(score))
    slot["seconds"] = None if seconds is None or slot.get("seconds", 0.0) is None else slot.get("seconds", 0.0) + seconds
    if error:
        slot.setdefault("errors", []).append(error)


def _add_eval(acc: dict | None, counts: dict | None) -> dict | None:
    """Pool reja.evaluate Counts dicts (sums), so the item-level scores are micro-averaged too."""
    if counts is None:
        return acc
    if acc is None:
        return {k: (dict(v) if isinstance(v, dict) else v) for k, v in counts.items()}
    for k, v in counts.items():
        if isinstance(v, dict):
            for kk, vv in v.items():
                acc[k][kk] = acc[k].get(kk, 0) + vv
        else:
            acc[k] = acc.get(k, 0) + v
    return acc


__all__ = ["SCORED_FIELDS", "bench_document", "pool_by_format", "run_tool", "score_from_dict"]
