"""How far a long read has got, for whoever shows it: the scan reader tells (pages read, pages to
read) as each page is done; `reja import` listens in each reading process and shows "page 7/15" on
its progress line. No listener (the default): nothing is told. A module of its own, light to import:
a reading process sets its listener before it knows whether the file is a scan.

Also who reads a scan's pages in parallel (`set_page_runner`): by default the scan reader's own
processes on this machine; `reja.cluster` puts idle Dask workers there."""

from __future__ import annotations

from collections.abc import Callable

_page_listener: Callable[[int, int], None] | None = None
_page_runner: Callable | None = None


def set_page_listener(listener: Callable[[int, int], None] | None) -> None:
    global _page_listener
    _page_listener = listener


def pages_read(done: int, total: int) -> None:
    if _page_listener is not None:
        _page_listener(done, total)


def set_page_runner(runner: Callable | None) -> None:
    """`runner(job, path, calls, jobs)` yields `job(path, **call)` for each call, in the order given, using
    up to `jobs` processes; it may run a call elsewhere, on its own copy of the file at `path` and with its
    own `cache_dir` (where that machine keeps OCR results). None: the reader's own processes."""
    global _page_runner
    _page_runner = runner


def page_runner() -> Callable | None:
    return _page_runner
