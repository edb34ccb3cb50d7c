"""How far a long read has got, for whoever shows it: the scan reader tells (pages read, pages to
read) as each page is done; `reja import` listens in each reading process and shows "page 7/15" on
its progress line. No listener (the default): nothing is told. A module of its own, light to import:
a reading process sets its listener before it knows whether the file is a scan."""

from __future__ import annotations

from collections.abc import Callable

_page_listener: Callable[[int, int], None] | None = None


def set_page_listener(listener: Callable[[int, int], None] | None) -> None:
    global _page_listener
    _page_listener = listener


def pages_read(done: int, total: int) -> None:
    if _page_listener is not None:
        _page_listener(done, total)
