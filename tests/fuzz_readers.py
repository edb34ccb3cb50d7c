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

--images fuzzes the image path instead, through the real OCR and parser (a few pages a minute;
with --fake-ocr, random words stand in for Tesseract and the geometry gets many more pages):
a small plan page drawn by tests/scan_pages.py, degraded at random (noise, salt and pepper, crops
down to slivers, any rotation, stamps, low resolution, blur, colour casts, blank and black pages,
JPEG at low quality) and saved as PNG, JPEG, TIFF, HEIC or a zip of photos. A parsed plan or a
ReadError is fine; any other exception is a failure, as above.
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


def _stub_scan(path, name, pages, jobs, ocr_cache, **_options):
    raise OcrFailed(name, "OCR stubbed out in the fuzzer")


def image_case(rng: random.Random, tmp: Path) -> Path:
    """One degraded page image file (see --images)."""
    import numpy as np
    from PIL import Image

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "samples"))
    import gen_photo
    from scan_pages import plan_page

    nrng = np.random.default_rng(rng.randrange(2**32))
    page = plan_page(rng.choice((1, 2)))
    ops = rng.sample(["stamp", "rotate", "crop", "noise", "salt", "scale", "blur", "cast", "phone", "blank"],
                     rng.randint(1, 4))
    if "blank" in ops:
        page = Image.new("RGB", page.size, rng.choice([(255, 255, 255), (0, 0, 0), (128, 128, 128)]))
    if "stamp" in ops:
        page = gen_photo.stamp(page, nrng, 300, at=(rng.random(), rng.random()))
    if "phone" in ops:
        page = gen_photo.phone_photo(page, nrng)
    if "rotate" in ops:
        angle = rng.choice([rng.uniform(-8, 8), 90, 180, 270, rng.uniform(0, 360)])
        page = page.rotate(angle, expand=True, fillcolor=(255, 255, 255))
    if "crop" in ops:
        w, h = page.size
        x0, y0 = rng.randrange(w), rng.randrange(h)
        page = page.crop((x0, y0, rng.randint(x0 + 1, w), rng.randint(y0 + 1, h)))
    if "scale" in ops:
        f = rng.choice([0.05, 0.15, 0.3, 0.5, 0.7])
        page = page.resize((max(int(page.width * f), 1), max(int(page.height * f), 1)))
    if "blur" in ops:
        from PIL import ImageFilter

        page = page.filter(ImageFilter.GaussianBlur(rng.uniform(1, 4)))
    arr = np.asarray(page.convert("RGB")).astype(np.float32)
    if "noise" in ops:
        arr += nrng.normal(0, rng.uniform(5, 60), arr.shape[:2])[..., None]
    if "cast" in ops:
        arr *= np.array([rng.uniform(0.5, 1.0) for _ in range(3)], np.float32)
    arr = np.clip(arr, 0, 255).astype(np.uint8)
    if "salt" in ops:
        arr = gen_photo.salt_and_pepper(arr, rng.uniform(0.001, 0.2), nrng)
    img = Image.fromarray(arr)
    if rng.random() < 0.5:
        img = img.convert("L")
    fmt = rng.choice(["png", "jpg", "tiff", "heic", "zip"])
    out = tmp / f"case.{fmt}"
    if fmt == "heic":
        from reja.extract.scan.rasterize import register_heif

        register_heif()
        img.convert("RGB").save(out, format="HEIF")
    elif fmt == "zip":
        with zipfile.ZipFile(out, "w") as zf:
            for k in range(rng.randint(1, 2)):
                buf = io.BytesIO()
                img.save(buf, "JPEG", quality=rng.randint(5, 95))
                zf.writestr(f"page{k + 1}.jpg", buf.getvalue())
    elif fmt == "jpg":
        img.save(out, "JPEG", quality=rng.randint(5, 95))
    elif fmt == "tiff" and rng.random() < 0.5:
        img.save(out, save_all=True, append_images=[img.rotate(90, expand=True)], dpi=(rng.choice([72, 150, 300]),) * 2)
    else:
        img.save(out, dpi=(rng.choice([0, 72, 150, 300, 600]),) * 2) if fmt == "png" else img.save(out)
    return out


FAKE_WORDS = ["1.", "2", "12", "1075", "Nomi", "№", "2025-yil", "(reja)", "(fakt)", "O'lchov", "birligi",
              "TASDIQLAYMAN", "KELISHILDI", "tuman", "viloyati", "yanvar", "I.", "XII", "-", "—", "",
              "Ҳар", "ой", "gorak", "islar", "l2O", "|", "..", "%", "Direktor", "N.Burxonov"]


class _FakeEngine:
    """Random words with random boxes and confidences: the geometry and the parser get thousands of
    pages a minute, where real OCR gives a few."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def read(self, img, psm, dpi, whitelist=None):
        from reja.extract.scan.ocr import OcrResult, Word

        h, w = img.shape[:2]
        words = []
        for k in range(self.rng.choice([0, 1, 1, 2, 3, 6])):
            text = self.rng.choice(FAKE_WORDS)
            if whitelist:
                text = "".join(ch for ch in text if ch in whitelist)
            if text:
                x0, y0 = self.rng.randrange(w), self.rng.randrange(h)
                words.append(Word(text, self.rng.uniform(0, 100), (x0, y0, self.rng.randint(x0, w), self.rng.randint(y0, h)),
                                  self.rng.choice([0, 0, 1, k])))
        return OcrResult(words)


def _fake_ocr(rng: random.Random) -> None:
    from reja.extract.scan import ocr, prepare

    fake = _FakeEngine(rng)
    ocr.engine = lambda lang: fake
    prepare.detect_orientation = lambda gray: rng.choice([None, (0, 5.0), (90, 3.0), (180, 1.0), (270, 9.0)])


def fuzz_images(args) -> int:
    """--images: degraded page images through the scan reader (real OCR unless --fake-ocr) and parser."""
    from reja.pipeline import parse_file

    rng = random.Random(args.seed)
    if args.fake_ocr:
        _fake_ocr(random.Random(args.seed + 1))
    counts: dict[str, int] = {}
    failures = n = 0
    deadline = time.monotonic() + args.seconds
    with tempfile.TemporaryDirectory(prefix="reja-fuzz-img-") as tmp:
        while time.monotonic() < deadline:
            n += 1
            state = rng.getstate()
            case = image_case(rng, Path(tmp))
            try:
                parse_file(case, limits=Limits(time_limit_s=args.hang_seconds * 10))
                outcome = "plan"
            except ReadError as exc:
                outcome = exc.code
            except Exception as exc:  # noqa: BLE001 — exactly what the fuzzer hunts for
                failures += 1
                outcome = f"FAIL {type(exc).__name__}"
                args.out.mkdir(parents=True, exist_ok=True)
                stem = f"image-{args.seed}-{n}"
                _write_atomic(args.out / f"{stem}{case.suffix}", case.read_bytes())
                _write_atomic(args.out / f"{stem}.txt", (traceback.format_exc() + f"\nrng state: {state!r}\n").encode())
                print(f"[{n}] {case.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
            counts[outcome] = counts.get(outcome, 0) + 1
    summary = ", ".join(f"{k}={v}" for k, v in sorted(counts.items()))
    ocr = "fake OCR" if args.fake_ocr else "Tesseract"
    print(f"fuzz images: {n} degraded pages in {args.seconds:g} s (seed {args.seed}, {ocr}): {summary}")
    if failures:
        print(f"fuzz images: {failures} failing inputs written to {args.out}/", file=sys.stderr)
    return 1 if failures else 0


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
    ap.add_argument("--images", action="store_true", help="fuzz the image path through real OCR (see above)")
    ap.add_argument("--fake-ocr", action="store_true", help="with --images: random words instead of Tesseract")
    args = ap.parse_args(argv)
    if args.images:
        return fuzz_images(args)

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
