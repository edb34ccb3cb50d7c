"""The live progress line of `reja import` (on a terminal): which files are being read now, how many
are done, how many pages of a scan being OCR'd are read ("page 7/15"), and the time left. Time left is
estimated from the bytes read so far (a 40-page scan weighs more than a one-page DOCX), a scan's bytes
counted page by page as its pages are read, so it neither jumps when a big file finishes nor stands
still for the minutes a scan takes."""

from __future__ import annotations

from pathlib import Path

from reja.i18n import _

MAX_NAME = 40  # characters of a file name shown in the line


def _short(name: str) -> str:
    name = Path(name).name
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "…"


class ImportProgress:
    def __init__(self, tasks: list[dict]):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self.sizes = {t["display"]: max(1, int(t.get("size_bytes") or 1)) for t in tasks}
        self.n_files = len(tasks)
        self.done = 0
        self.reading: list[str] = []
        self.pages: dict[str, tuple[int, int]] = {}  # display → (pages read, pages to read) of a scan
        self.finished_bytes = 0
        self.progress = Progress(
            TextColumn("{task.fields[counts]}"), BarColumn(bar_width=24), TextColumn(_("left")),
            TimeRemainingColumn(), TextColumn("{task.description}"),
            console=Console(stderr=True), redirect_stdout=False, transient=True)
        self.console = self.progress.console
        self.task = self.progress.add_task("", total=sum(self.sizes.values()), counts=self._counts())
        self.progress.start()

    def _counts(self) -> str:
        return _("{done}/{n} files").format(done=self.done, n=self.n_files)

    def _describe(self) -> str:
        if not self.reading:
            return ""
        names = []
        for name in self.reading:
            if name in self.pages:
                done, total = self.pages[name]
                names.append(_("{file} (page {done}/{total})").format(file=_short(name), done=done, total=total))
            else:
                names.append(_short(name))
        return _("reading {files}").format(files=", ".join(names))

    def _completed(self) -> float:
        partial = sum(self.sizes.get(n, 0) * done / total for n, (done, total) in self.pages.items() if total)
        return self.finished_bytes + partial

    def file_pages(self, display: str, done: int, total: int) -> None:
        """A scan being read: `done` of its `total` pages are read."""
        self.pages[display] = (done, total)
        self.progress.update(self.task, completed=self._completed(), description=self._describe())

    def file_started(self, task: dict) -> None:
        self.reading.append(task["display"])
        self.progress.update(self.task, description=self._describe())

    def file_done(self, display: str) -> None:
        if display in self.reading:
            self.reading.remove(display)
        self.pages.pop(display, None)
        if display in self.sizes:
            self.done += 1
            self.finished_bytes += self.sizes[display]
        self.progress.update(self.task, completed=self._completed(), description=self._describe(),
                             counts=self._counts())

    def stop(self) -> None:
        self.progress.stop()


def start_progress(tasks: list[dict]) -> tuple[ImportProgress, None]:
    """(display, None): the batch keeps it as `bar` and calls bar[0].file_started / file_done / stop."""
    return ImportProgress(tasks), None
