"""DOC / ODT / RTF (and DOCX python-docx rejects) → DOCX, and XLS / ODS → XLSX, with LibreOffice headless.

Each conversion runs in its own temporary directory with a private LibreOffice profile
(`-env:UserInstallation`), so parallel conversions never share (and lock) one profile, and in its own
process group, so a hung conversion is killed whole (soffice is a launcher that forks soffice.bin).

No network (issue 24): a document can link pictures, objects or fields to any URL, and LibreOffice
fetches them while converting. Three layers keep it offline:
1. the private copy loses its outward links before LibreOffice sees it (`external_links`);
2. the private profile sets LibreOffice's `BlockUntrustedRefererLinks`, so it loads no linked
   resource of a document it did not create;
3. on Linux, LibreOffice runs in a new network namespace (`unshare -n` as root, `unshare -rn`
   through a user namespace otherwise): it has no network interface but a loopback that is down.
   Where neither is allowed (a container without the capability, macOS, Windows) the first two
   layers remain; `offline_prefix()` tells which applies.
LibreOffice also gets PR_SET_PDEATHSIG: it dies with the reading process that started it.
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
from reja.extract.external_links import strip_external_links
from reja.extract.limits import die_with_parent

_FILTERS = {"docx": "docx:MS Word 2007 XML", "xlsx": "xlsx:Calc MS Excel 2007 XML"}


# LibreOffice loads no linked resource (picture, object, OLE link) of an untrusted document
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""
_offline: list[list[str]] = []  # the probed prefix, once per process


def offline_prefix() -> list[str]:
    """The command prefix that runs a program without network (`unshare -n` / `unshare -rn`), or []
    where this system allows neither (then links are only stripped and blocked, see above)."""
    if not _offline:
        found: list[str] = []
        exe = shutil.which("unshare")
        for flags in (["-n"], ["-r", "-n"]) if exe else ():
            try:
                probe = subprocess.run([exe, *flags, "true"], capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
            except (OSError, subprocess.TimeoutExpired):
                continue
            if probe.returncode == 0:
                found = [exe, *flags]
                break
        _offline.append(found)
    return _offline[0]


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
        strip_external_links(src, name=name)
        profile = work / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE_SETTINGS, encoding="utf-8")
        outdir = work / "out"
        outdir.mkdir()
        cmd = [
            *offline_prefix(), exe,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless", "--invisible", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
            "--convert-to", _FILTERS[target],
            "--outdir", str(outdir),
            str(src),
        ]
        env = dict(os.environ, HOME=str(work))  # keep LibreOffice's stray files out of the user's home
        try:
            proc = subprocess.Popen(
                cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                start_new_session=True, env=env, cwd=work, preexec_fn=die_with_parent,
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
