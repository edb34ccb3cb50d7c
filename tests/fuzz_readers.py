"""Fuzz the format readers over mutated sample files (`make fuzz`).

    python tests/fuzz_readers.py --seconds 60 [--seed 1] [--samples samples] [--libreoffice] [--ocr]

Each iteration takes a sample, mutates it (seeded) and calls read_document. A Document or a
ReadError is fine; any other exception, or an input that runs past --hang-seconds, is a failure:
the input and the traceback are written to --out and the exit status is 1.

Mutations are raw (bit flips, interesting bytes, cut, duplicated or deleted chunks) and, for zip
containers (DOCX/ODT), structure-aware: one member's inflated XML is mutated and the zip rebuilt,
so the XML parsers are reached instead of stopping at a CRC error.

By default LibreOffice and OCR are stubbed out (a failing converter, an OcrFailed scan reader) to
keep thousands of iterations per minute; --libreoffice / --ocr run the real ones.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import random
import signal
import sys
import tempfile
import time
import traceback
import zipfile
from pathlib import Path

from reja.extract import readers
from reja.extract.errors import OcrFailed, ReadError
from reja.extract.limits import Limits
from reja.extract.readers import read_document

INTERESTING = [b"\x00", b"\xff", b"\x7f", b"\x80", b"0", b"-1", b"999999999", b"<", b">", b"&", b"%", b"(", b")",
               b"obj", b"endobj", b"stream", b"R", b"/Count 99999", b"<w:tbl>", b"</w:tr>", b'w:gridSpan w:val="50"',
               b'w:val="restart"', b"<w:vMerge/>", b"\xd0\xcf\x11\xe0"]
SUFFIXES = (".docx", ".pdf", ".doc", ".odt", ".rtf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")


class Hang(BaseException):
    """BaseException, so a library's broad `except Exception` cannot swallow it."""


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if not buf:
            buf.extend(rng.choice(INTERESTING))
            continue
        op = rng.random()
        pos = rng.randrange(len(buf))
        if op < 0.3:
            buf[pos] ^= 1 << rng.randrange(8)
        elif op < 0.5:
            token = rng.choice(INTERESTING)
            buf[pos:pos + len(token)] = token
        elif op < 0.65:
            del buf[pos:pos + rng.randint(1, 256)]
        elif op < 0.8:
            chunk = buf[pos:pos + rng.randint(1, 512)]
            at = rng.randrange(len(buf))
            buf[at:at] = chunk * rng.randint(1, 4)
        elif op < 0.9:
            buf[pos] = rng.randrange(256)
        else:
            del buf[rng.randrange(len(buf)):]  # truncate
    return bytes(buf)


def mutate_zip(data: bytes, rng: random.Random) -> bytes:
    try:
        src = zipfile.ZipFile(io.BytesIO(data))
        infos = src.infolist()
        xml = [i for i in infos if i.filename.endswith((".xml", ".rels"))]
        target = rng.choice(xml)
        members = {i.filename: src.read(i) for i in infos}
    except (zipfile.BadZipFile, IndexError, KeyError, OSError, ValueError):
        return mutate_bytes(data, rng)
    members[target.filename] = mutate_bytes(members[target.filename], rng)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return out.getvalue()


def _stub_scan(path, name, pages, jobs, ocr_cache):
    raise OcrFailed(name, "OCR stubbed out in the fuzzer")


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--samples", type=Path, default=Path(__file__).resolve().parents[1] / "samples")
    ap.add_argument("--out", type=Path, default=Path("out/fuzz-failures"))
    ap.add_argument("--hang-seconds", type=int, default=30)
    ap.add_argument("--libreoffice", action="store_true", help="run the real LibreOffice conversions")
    ap.add_argument("--ocr", action="store_true", help="run the real scan (OCR) reader")
    args = ap.parse_args(argv)

    files = sorted(p for p in args.samples.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    if not files:
        print(f"no sample files under {args.samples}", file=sys.stderr)
        return 2
    seeds = {p: p.read_bytes() for p in files}
    rng = random.Random(args.seed)
    limits = Limits(time_limit_s=args.hang_seconds, libreoffice_timeout_s=20)
    if not args.libreoffice:
        limits.soffice_command = "false"  # /bin/false: conversion fails fast, code path still exercised
    if not args.ocr:
        readers._scan = _stub_scan

    def on_alarm(signum, frame):
        raise Hang(f"no result after {args.hang_seconds + 30} s: the reader's time limit did not fire")

    signal.signal(signal.SIGALRM, on_alarm)
    logging.getLogger("pdfminer").setLevel(logging.CRITICAL)  # damaged inputs make it chatty
    counts: dict[str, int] = {}
    failures = 0
    deadline = time.monotonic() + args.seconds
    n = 0
    with tempfile.TemporaryDirectory(prefix="reja-fuzz-") as tmp:
        while time.monotonic() < deadline:
            n += 1
            src = rng.choice(files)
            data = seeds[src]
            mutated = mutate_zip(data, rng) if data[:2] == b"PK" and rng.random() < 0.6 else mutate_bytes(data, rng)
            case = Path(tmp) / f"case{src.suffix}"
            case.write_bytes(mutated)
            signal.alarm(args.hang_seconds + 30)  # backstop: the reader's own time limit should fire first
            try:
                read_document(case, limits=limits)
                outcome = "document"
            except ReadError as exc:
                outcome = exc.code
            except (Exception, Hang) as exc:  # noqa: BLE001 — exactly what the fuzzer hunts for
                failures += 1
                outcome = f"FAIL {type(exc).__name__}"
                args.out.mkdir(parents=True, exist_ok=True)
                stem = f"{src.stem}-{args.seed}-{n}"
                _write_atomic(args.out / f"{stem}{src.suffix}", mutated)
                _write_atomic(args.out / f"{stem}.txt", traceback.format_exc().encode())
                print(f"[{n}] {src.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
            finally:
                signal.alarm(0)
            counts[outcome] = counts.get(outcome, 0) + 1
    summary = ", ".join(f"{k}={v}" for k, v in sorted(counts.items()))
    print(f"fuzz: {n} inputs from {len(files)} samples in {args.seconds:g} s (seed {args.seed}): {summary}")
    if failures:
        print(f"fuzz: {failures} failing inputs written to {args.out}/", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
