"""DOC / ODT / RTF (and DOCX python-docx rejects) → DOCX, and XLS / ODS → XLSX, with LibreOffice headless.

Each conversion runs in its own temporary directory with a private LibreOffice profile
(`-env:UserInstallation`), so parallel conversions never share (and lock) one profile, and in its own
process group, so a hung conversion is killed whole (soffice is a launcher that forks soffice.bin).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from reja.extract.errors import ConversionFailed

_FILTERS = {"docx": "docx:MS Word 2007 XML", "xlsx": "xlsx:Calc MS Excel 2007 XML"}


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.communicate(timeout=10)


@contextlib.contextmanager
def converted_docx(path: Path, *, name: str, fmt: str, timeout_s: float, soffice: str = "soffice",
                   target: str = "docx") -> Iterator[Path]:
    """Yield the path of a DOCX (or, with target="xlsx", an XLSX) converted from `path`; the temp
    directory is removed afterwards.

    Raises ConversionFailed (naming the file) when LibreOffice is missing, fails, or runs past timeout_s.
    """
    exe = shutil.which(soffice)
    if exe is None:
        raise ConversionFailed(name, f"LibreOffice ({soffice}) is not installed; it is needed to read {fmt.upper()} files")
    work = Path(tempfile.mkdtemp(prefix="reja-lo-"))
    try:
        src = work / f"input.{fmt}"  # a plain ASCII name: LibreOffice mangles some Unicode names
        shutil.copyfile(path, src)
        outdir = work / "out"
        outdir.mkdir()
        cmd = [
            exe,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless", "--invisible", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
            "--convert-to", _FILTERS[target],
            "--outdir", str(outdir),
            str(src),
        ]
        env = dict(os.environ, HOME=str(work))  # keep LibreOffice's stray files out of the user's home
        try:
            proc = subprocess.Popen(
                cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                start_new_session=True, env=env, cwd=work,
            )
        except OSError as exc:
            raise ConversionFailed(name, f"cannot start LibreOffice: {exc}") from exc
        try:
            _, err = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise ConversionFailed(
                name, f"LibreOffice did not finish converting the {fmt.upper()} file within {timeout_s:g} s"
            ) from None
        except BaseException:
            _kill_group(proc)
            raise
        # soffice.bin may linger after the launcher exits; never leave it behind.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        out = outdir / f"input.{target}"
        if proc.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            detail = (err or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise ConversionFailed(
                name, f"LibreOffice could not convert the {fmt.upper()} file (exit {proc.returncode}: {detail[0]})"
            )
        yield out
    finally:
        shutil.rmtree(work, ignore_errors=True)
