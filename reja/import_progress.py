"""The live progress line of `reja import` (on a terminal): which files are being read now, how many
are done, and the time left. Time left is estimated from the bytes read so far (a 40-page scan
weighs more than a one-page DOCX), so it does not jump when a big file finishes."""

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
        return _("reading {files}").format(files=", ".join(_short(n) for n in self.reading))

    def file_started(self, task: dict) -> None:
        self.reading.append(task["display"])
        self.progress.update(self.task, description=self._describe())

    def file_done(self, display: str) -> None:
        if display in self.reading:
            self.reading.remove(display)
        if display in self.sizes:
            self.done += 1
            self.progress.advance(self.task, self.sizes[display])
        self.progress.update(self.task, description=self._describe(), counts=self._counts())

    def stop(self) -> None:
        self.progress.stop()


def start_progress(tasks: list[dict]) -> tuple[ImportProgress, None]:
    """(display, None): the batch keeps it as `bar` and calls bar[0].file_started / file_done / stop."""
    return ImportProgress(tasks), None
