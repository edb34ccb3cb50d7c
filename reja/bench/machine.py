"""What the numbers were measured on: CPU, cores, memory, load, Python, Tesseract, LibreOffice."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import time
from pathlib import Path


def _first_line(cmd: list[str]) -> str:
    if shutil.which(cmd[0]) is None:
        return "not installed"
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc})"
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else "unknown"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except (OSError, ValueError):
        pass
    return None


def describe_machine() -> dict:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "date_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gib": _ram_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "tesseract": _first_line(["tesseract", "--version"]),
        "libreoffice": _first_line(["soffice", "--version"]),
        # the machine is shared: the load at the start says how noisy absolute timings are
        "load_average_1m": round(load[0], 2) if load else None,
    }
