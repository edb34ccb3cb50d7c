"""Turn a typed PDF into a "scanned" PDF: page images only, no text layer, like a district's scan.

Each page is rasterised with pdftoppm (poppler), then degraded the way an office scanner and a tired
photocopy degrade a page: a slight skew (0.3–1°, either way), a little blur, greyish uneven paper,
sensor noise, and JPEG compression. The pages are assembled into one PDF by Pillow (each page one
JPEG image, nothing else). Everything random comes from one seeded generator, so the same input and
seed give the same pixels.

Run: .venv/bin/python samples/gen_scan.py typed.pdf scan.pdf [--dpi 200] [--seed 2021]
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_common  # noqa: E402

DPI = 200
JPEG_QUALITY = 60
SKEW_DEG = (0.3, 1.0)
BLUR_RADIUS = (0.5, 0.8)
PAPER_GREY = (226, 238)  # the white of the paper, per page
NOISE_SIGMA = 7.0  # grey levels, before the blur


class ScanError(RuntimeError):
    """pdftoppm/pdfinfo missing or failed on the input PDF."""


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ScanError(f"{name} (poppler-utils) is not installed; it is needed to make the scanned sample")
    return path


def page_count(pdf: Path) -> int:
    proc = subprocess.run([_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, timeout=60)
    match = re.search(r"^Pages:\s+(\d+)", proc.stdout, re.M)
    if proc.returncode != 0 or not match:
        raise ScanError(f"pdfinfo could not read {pdf.name}: {proc.stderr.strip()}")
    return int(match.group(1))


def rasterise(pdf: Path, dpi: int = DPI) -> list[Image.Image]:
    """Grey page images of a PDF, in page order."""
    with tempfile.TemporaryDirectory(prefix="reja-scan-") as tmp:
        cmd = [_tool("pdftoppm"), "-r", str(dpi), "-gray", "-png", str(pdf), str(Path(tmp) / "page")]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            raise ScanError(f"pdftoppm failed on {pdf.name}: {proc.stderr.strip()}")
        files = sorted(Path(tmp).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        return [Image.open(f).convert("L") for f in files]


def degrade(page: Image.Image, rng: np.random.Generator) -> Image.Image:
    """One page through the scanner: skew, sensor noise softened by the optics, paper tone, JPEG."""
    angle = float(rng.uniform(*SKEW_DEG)) * (1 if rng.random() < 0.5 else -1)
    page = page.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    # Noise before the blur: grainy but soft, as a scanner's optics make it (and JPEG keeps it small).
    raw = np.asarray(page, dtype=np.float32)
    raw += rng.normal(0.0, NOISE_SIGMA, size=raw.shape).astype(np.float32)
    page = Image.fromarray(np.clip(raw, 0, 255).astype(np.uint8), mode="L")
    page = page.filter(ImageFilter.GaussianBlur(float(rng.uniform(*BLUR_RADIUS))))
    ink = np.asarray(page, dtype=np.float32) / 255.0  # 1 = paper, 0 = ink
    h, w = ink.shape
    # Uneven paper: a smooth low-frequency field, brighter in the middle like a flatbed lamp.
    coarse = rng.normal(0.0, 1.0, size=(6, 8)).astype(np.float32)
    field = np.asarray(Image.fromarray(coarse).resize((w, h), Image.BICUBIC), dtype=np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    vignette = ((xx / w - 0.5) ** 2 + (yy / h - 0.5) ** 2) * 18.0
    paper = float(rng.uniform(*PAPER_GREY)) + field * 3.0 - vignette
    ink_tone = float(rng.uniform(25, 45))  # toner is never pure black
    out = ink_tone + (paper - ink_tone) * np.clip(ink, 0.0, 1.0)
    img = Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), mode="L")
    # JPEG once here so blocking artefacts look like a scanner's, then again (same quality) into the PDF.
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=JPEG_QUALITY)
    return Image.open(io.BytesIO(buf.getvalue())).convert("L")


def scan_pdf(src: Path, dest: Path, *, dpi: int = DPI, seed: int = 2021) -> Path:
    """Write `dest`: the pages of `src` as degraded JPEG images, no text layer. Returns `dest`."""
    rng = np.random.default_rng(seed)
    pages = [degrade(p, rng) for p in rasterise(src, dpi)]
    if not pages:
        raise ScanError(f"{src.name}: no pages rendered")
    buf = io.BytesIO()
    pages[0].save(
        buf,
        "PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=float(dpi),
        quality=JPEG_QUALITY,
        title=f"{src.stem} (scan)",
        producer="reja samples/gen_scan.py",
        creationDate=None,
        modDate=None,
    )
    gen_common.write_bytes_atomic(dest, buf.getvalue())
    return dest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", type=Path)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--dpi", type=int, default=DPI)
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args(argv)
    scan_pdf(args.src, args.dest, dpi=args.dpi, seed=args.seed)
    print(f"wrote {args.dest}")


if __name__ == "__main__":
    main(sys.argv[1:])
