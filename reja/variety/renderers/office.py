"""DOCX/XLSX → DOC, ODT, RTF, PDF, XLS, ODS with LibreOffice headless, many files per start.

LibreOffice's start-up dominates a conversion, so the corpus converts every file of one target in
one `soffice --convert-to` call. Each call has a private profile and its own process group (killed
whole on timeout), as `reja.extract.convert` does for reading.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

# target format -> LibreOffice filter
FILTERS = {
    "doc": "doc:MS Word 97",
    "odt": "odt",
    "rtf": "rtf",
    "pdf": "pdf",
    "xls": "xls:MS Excel 97",
    "ods": "ods",
}


class ConversionError(RuntimeError):
    """LibreOffice is missing or did not produce a file."""


def convert_many(sources: list[Path], fmt: str, timeout_s: float = 900) -> dict[Path, Path]:
    """Convert each source to `fmt` next to it (same stem); returns {source: converted}."""
    if not sources:
        return {}
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise ConversionError("LibreOffice (soffice) is not installed; it renders the DOC/ODT/RTF/PDF/XLS/ODS variants")
    work = Path(tempfile.mkdtemp(prefix="reja-variety-lo-"))
    try:
        outdir = work / "out"
        outdir.mkdir()
        cmd = [exe, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--invisible",
               "--norestore", "--nologo", "--nodefault", "--nolockcheck", "--convert-to", FILTERS[fmt],
               "--outdir", str(outdir), *map(str, sources)]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                start_new_session=True, env=dict(os.environ, HOME=str(work)), cwd=work)
        try:
            proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise ConversionError(f"LibreOffice did not convert {len(sources)} file(s) to {fmt} in {timeout_s:g} s") from None
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.communicate(timeout=10)
        done = {}
        for src in sources:
            produced = outdir / f"{src.stem}.{fmt}"
            if not produced.is_file() or produced.stat().st_size == 0:
                raise ConversionError(f"LibreOffice produced no {fmt} for {src.name}")
            dest = src.with_suffix(f".{fmt}")
            tmp = dest.with_name(f".{dest.name}.tmp")
            shutil.copyfile(produced, tmp)
            os.replace(tmp, dest)
            done[src] = dest
        return done
    finally:
        shutil.rmtree(work, ignore_errors=True)
