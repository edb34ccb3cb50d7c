"""How import time and memory grow with the batch: copies of the typed samples imported by
`reja import` with --jobs 1 and 2 (reja.bench_import does the measuring, issue 7)."""

from __future__ import annotations

from reja.bench_import import bench_import

# 1 → 200 plans for --jobs 1 and 2; a 50-plan step would add ~3 minutes to a bench meant to stay near 10
DEFAULT_SIZES = (1, 10, 200)
# DOCX and PDF copies: the two typed formats of the accuracy table. DOC adds a LibreOffice start per
# file (timed in the speed table) and a scan costs 5–17 s per page; both would hide the import's own cost.
DEFAULT_PATTERNS = ("*.docx", "*.pdf")


def bench_scale(sizes: tuple[int, ...] = DEFAULT_SIZES, jobs: tuple[int, ...] = (1, 2),
                patterns: tuple[str, ...] = DEFAULT_PATTERNS) -> dict:  # fmt: skip
    sizes = tuple(sorted(set(sizes)))
    result = bench_import(n=sizes[-1], jobs=jobs, sizes=sizes[:-1], patterns=patterns)
    by_jobs: dict[int, list[dict]] = {}
    for r in result["runs"]:
        by_jobs.setdefault(r["jobs"], []).append(r)
    # memory against batch size: the largest batch's peak over the smallest's, per jobs value
    growth = {}
    for j, runs in by_jobs.items():
        runs.sort(key=lambda r: r["batch"])
        first, last = runs[0], runs[-1]
        if first["peak_rss_mb"] and last["batch"] > first["batch"]:
            growth[str(j)] = {"from_batch": first["batch"], "to_batch": last["batch"],
                              "peak_ratio": round(last["peak_rss_mb"] / first["peak_rss_mb"], 3)}  # fmt: skip
    return {**result, "patterns": list(patterns), "memory_growth": growth}
