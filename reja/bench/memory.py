"""reja on one document in a fresh process: its time, its peak resident memory, and its rows.

Each document gets its own interpreter so `ru_maxrss` is that document's peak alone (imports
included, as a user's run would have them), not the largest of everything read before it. The
child also returns the parsed items as rows and reja.evaluate's item-level scores, so one parse
serves accuracy, speed and memory — the scan is OCR'd once cold, not three times.

The scan is read with a FRESH temporary OCR cache (a cold read, the honest cost), then once more
with the same cache to time a cache hit.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .corpus import Sample

WORKER_TIMEOUT_S = 1800  # a 19-page scan on a loaded 2-core machine; a hang must not stall the bench


def peak_rss_mb() -> float:
    """This process image's peak resident set.

    /proc/self/status VmHWM, not getrusage: Linux carries ru_maxrss over fork and execve, so a worker
    started by a bench process that has grown to 600 MB would report at least 600 MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: best available


def _worker(path: str, fmt: str, expected_path: str, repeat: int) -> dict:
    import resource
    import tempfile
    import time
    from dataclasses import asdict

    from reja.bench.scoring import plan_rows
    from reja.evaluate import score_plan
    from reja.pipeline import parse_file

    out: dict = {}
    times: list[float] = []
    plan = None
    try:
        if fmt == "scan":
            with tempfile.TemporaryDirectory(prefix="reja-bench-ocr-") as cache:
                t0 = time.perf_counter()
                plan = parse_file(path, ocr_cache=Path(cache))
                times.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                parse_file(path, ocr_cache=Path(cache))
                out["cached_seconds"] = time.perf_counter() - t0
        else:
            for _ in range(max(1, repeat)):
                t0 = time.perf_counter()
                plan = parse_file(path)
                times.append(time.perf_counter() - t0)
    except Exception as exc:  # scored as zero and named in the report, never a crashed bench
        out["error"] = f"{type(exc).__name__}: {exc}"
    expected = json.loads(Path(expected_path).read_text(encoding="utf-8"))
    counts, *_ = score_plan(expected, plan)
    out.update(
        seconds=times,
        seconds_first=times[0] if times else None,
        seconds_best=min(times) if times else None,
        peak_rss_mb=peak_rss_mb(),
        # children inherit this process's high-water mark at spawn, so this is an upper bound
        children_peak_rss_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        rows=plan_rows(plan.items) if plan is not None else [],
        items=len(plan.items) if plan is not None else 0,
        eval_counts=asdict(counts),
        eval_scores=counts.scores(),
    )
    return out


def measure_reja(sample: Sample, repeat: int = 3) -> dict:
    """Run reja on `sample` in a child interpreter; returns the worker's dict (see _worker)."""
    args = json.dumps([str(sample.path), sample.format, str(sample.expected_path), repeat])
    try:
        proc = subprocess.run([sys.executable, "-m", "reja.bench.memory", args], capture_output=True, text=True,
                              timeout=WORKER_TIMEOUT_S)  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {WORKER_TIMEOUT_S} s", "rows": [], "seconds": []}
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or "").strip().splitlines()[-3:]
        return {"error": f"worker exited {proc.returncode}: {' | '.join(tail)}", "rows": [], "seconds": []}
    return json.loads(lines[-1])


if __name__ == "__main__":
    result = _worker(*json.loads(sys.argv[1]))
    sys.stdout.write("\n" + json.dumps(result, ensure_ascii=False) + "\n")
