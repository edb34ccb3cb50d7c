"""The local executor with small files sharing a reading child (issue 23: a Dask worker reads a parcel of
typed plans in one child, not a fork per file). Each file keeps its own time and memory limit, a crash or a
time-out costs that file only and the files after it go on in a new child; the default is still one child
a file."""

from __future__ import annotations

import os
import signal
import time

from reja.executor import LocalExecutor
from reja.import_report import BatchLimits

KEPT: list[bytearray] = []  # memory a task keeps in its child (the next task in the same child sees it mapped)


def work(task: dict) -> dict:
    kind = task.get("kind")
    if kind == "crash":  # a reader that takes its process down
        os.kill(os.getpid(), signal.SIGKILL)
    if kind == "hang":
        time.sleep(60)
    if kind in ("hog", "keep"):
        block = bytearray(task["mb"] * 1024 * 1024)
        block[:: 4096] = b"x" * len(block[:: 4096])  # touched, not only reserved
        if kind == "keep":
            KEPT.append(block)
    return {"ok": True, "pid": os.getpid(), "name": task["name"]}


def run(tasks: list[dict], limits: BatchLimits | None = None, **executor) -> tuple[dict, list[str]]:
    results: dict = {}
    started: list[str] = []
    LocalExecutor(**executor).run(work, tasks, limits or BatchLimits(), lambda t, r: results.__setitem__(t["name"], r),
                                  on_start=lambda t: started.append(t["name"]))  # fmt: skip
    return results, started


def small(name: str, **kw) -> dict:
    return {"name": name, "small": True, **kw}


def shares(task: dict) -> bool:
    return task.get("small", False)


def test_small_files_share_a_child_up_to_per_child():
    tasks = [small(n) for n in "abcdef"]
    results, started = run(tasks, per_child=3, shares=shares)
    assert all(r["ok"] for r in results.values()) and started == list("abcdef")
    pids = [results[n]["pid"] for n in "abcdef"]
    assert len(set(pids[:3])) == 1 and len(set(pids[3:])) == 1 and pids[0] != pids[3]
    # a file that may not share (a photo, a large file) is read alone; by default every file is
    default, _ = run(tasks)
    assert len({r["pid"] for r in default.values()}) == 6
    mixed, _ = run([small("a"), {"name": "big"}, small("c"), small("d")], per_child=4, shares=shares)
    assert len({mixed[n]["pid"] for n in ("a", "big", "c")}) == 3 and mixed["c"]["pid"] == mixed["d"]["pid"]


def test_a_crash_costs_that_file_and_the_rest_go_on_in_a_new_child():
    results, started = run([small("a"), small("b", kind="crash"), small("c"), small("d")], per_child=4, shares=shares)
    assert results["b"]["code"] == "worker_crashed" and "killed by signal 9" in results["b"]["reason"]
    assert all(results[n]["ok"] for n in "acd")
    assert results["c"]["pid"] == results["d"]["pid"] != results["a"]["pid"]
    assert sorted(started) == list("abcd")


def test_each_file_has_its_own_time_limit_in_a_shared_child():
    start = time.monotonic()
    results, _ = run([small("a"), small("b", kind="hang"), small("c")], BatchLimits(timeout_s=1.5), per_child=3,
                     shares=shares)  # fmt: skip
    assert time.monotonic() - start < 15
    assert results["b"]["code"] == "too_large" and "longer than 1.5 s" in results["b"]["reason"]
    assert results["a"]["ok"] and results["c"]["ok"] and results["c"]["pid"] != results["a"]["pid"]


def test_each_file_has_its_own_memory_headroom_in_a_shared_child():
    limits = BatchLimits(max_memory_mb=150)
    # two files that each keep 100 MiB: each gets 150 MiB on top of what the child maps when it starts it
    kept, _ = run([small("a", kind="keep", mb=100), small("b", kind="keep", mb=100)], limits, per_child=2,
                  shares=shares)  # fmt: skip
    assert kept["a"]["ok"] and kept["b"]["ok"] and kept["a"]["pid"] == kept["b"]["pid"]
    # over the limit: that file is too_large, the next one is read by a fresh child
    results, _ = run([small("a"), small("b", kind="hog", mb=400), small("c")], limits, per_child=3, shares=shares)
    assert results["b"]["code"] == "too_large" and "150 MiB" in results["b"]["reason"]
    assert results["a"]["ok"] and results["c"]["ok"] and results["c"]["pid"] != results["a"]["pid"]
