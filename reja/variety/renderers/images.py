"""Typed PDF → scans and phone photos of its pages (seeded: same spec, same pixels).

Scan: 150–300 dpi, skew up to 3°, Gaussian and salt-and-pepper noise, faded toner patches, a round
blue stamp and a signature over the table, JPEG artefacts. Photo: the page on a desk seen at 2–8°
of perspective, uneven light, a shadow across it, a little blur, JPEG.
"""

from __future__ import annotations

import io
import math
import random
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont


class ImageRenderError(RuntimeError):
    """poppler missing or failed on the typed PDF."""


def rasterise(pdf: Path, dpi: int) -> list[Image.Image]:
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise ImageRenderError("pdftoppm (poppler-utils) is not installed; it renders the scan variants")
    with tempfile.TemporaryDirectory(prefix="reja-variety-scan-") as tmp:
        proc = subprocess.run([exe, "-r", str(dpi), "-png", str(pdf), str(Path(tmp) / "page")],
                              capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            raise ImageRenderError(f"pdftoppm failed on {pdf.name}: {proc.stderr.strip()}")
        files = sorted(Path(tmp).glob("page-*.png"), key=lambda p: int(re.findall(r"\d+", p.stem)[-1]))
        return [Image.open(f).convert("RGB") for f in files]


def _font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def stamp(img: Image.Image, rng: random.Random, text: str) -> Image.Image:
    """A round blue stamp, half transparent, somewhere over the lower half of the page."""
    w, h = img.size
    r = int(min(w, h) * rng.uniform(0.07, 0.1))
    cx, cy = int(w * rng.uniform(0.55, 0.85)), int(h * rng.uniform(0.45, 0.85))
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    blue = (40, 60, 170, int(rng.uniform(120, 180)))
    d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=blue, width=max(2, r // 18))
    d.ellipse([cx - int(r * 0.72), cy - int(r * 0.72), cx + int(r * 0.72), cy + int(r * 0.72)], outline=blue,
              width=max(1, r // 30))
    font = _font(max(8, r // 6))
    for k, ch in enumerate(text[:28]):
        a = -math.pi / 2 + 2 * math.pi * k / 28
        d.text((cx + 0.86 * r * math.cos(a), cy + 0.86 * r * math.sin(a)), ch, fill=blue, font=font, anchor="mm")
    d.text((cx, cy), "AKM", fill=blue, font=_font(max(10, r // 3)), anchor="mm")
    layer = layer.rotate(rng.uniform(-25, 25), center=(cx, cy))
    return Image.alpha_composite(img.convert("RGBA"), layer).convert("RGB")


def signature(img: Image.Image, rng: random.Random) -> Image.Image:
    """A scribbled signature in dark blue ink, over the approver's lines or a cell."""
    w, h = img.size
    d = ImageDraw.Draw(img)
    x, y = w * rng.uniform(0.6, 0.85), h * rng.uniform(0.05, 0.2)
    pts = []
    for t in range(60):
        x += w * 0.004 * rng.uniform(0.5, 1.5)
        y += h * 0.01 * math.sin(t * rng.uniform(0.5, 1.2)) * rng.uniform(0.5, 1.5)
        pts.append((x, y))
    d.line(pts, fill=(20, 30, 110), width=max(2, w // 800), joint="curve")
    return img


def degrade_scan(page: Image.Image, rng: random.Random, *, skew: float, stamp_text: str | None) -> Image.Image:
    if stamp_text:
        page = stamp(page, rng, stamp_text)
        page = signature(page, rng)
    angle = rng.uniform(0.3, skew) * rng.choice((-1, 1))
    page = page.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=(255, 255, 255))
    a = np.asarray(page, dtype=np.float32)
    h, w = a.shape[:2]
    nrng = np.random.default_rng(rng.randrange(2**32))
    # faded toner: ink lighter inside a few soft blobs
    fade = np.zeros((h, w), np.float32)
    for _ in range(rng.randint(1, 3)):
        cy, cx = rng.uniform(0, h), rng.uniform(0, w)
        sy, sx = rng.uniform(0.1, 0.3) * h, rng.uniform(0.1, 0.3) * w
        yy, xx = np.ogrid[:h, :w]
        fade = np.maximum(fade, np.exp(-(((yy - cy) / sy) ** 2 + ((xx - cx) / sx) ** 2)) * rng.uniform(0.3, 0.55))
    a = 255 - (255 - a) * (1 - fade[..., None])
    a += nrng.normal(0, rng.uniform(4, 9), size=a.shape).astype(np.float32)
    img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.7)))
    a = np.asarray(img).copy()
    sp = nrng.random((h, w))
    amount = rng.uniform(0.0005, 0.002)
    a[sp < amount / 2] = 0
    a[sp > 1 - amount / 2] = 255
    return _jpeg(Image.fromarray(a), rng.randint(45, 75))


def degrade_photo(page: Image.Image, rng: random.Random, *, max_tilt: float) -> Image.Image:
    """The page photographed on a desk: perspective, uneven light, a shadow, blur."""
    a = np.asarray(page)
    h, w = a.shape[:2]
    pad = int(0.06 * max(w, h))
    canvas = np.full((h + 2 * pad, w + 2 * pad, 3), (rng.randint(90, 140), rng.randint(80, 120), rng.randint(60, 100)),
                     np.uint8)
    canvas[pad:pad + h, pad:pad + w] = a
    tilt = math.radians(rng.uniform(2, max_tilt))
    d = math.tan(tilt) * w * 0.5
    src = np.float32([[pad, pad], [pad + w, pad], [pad + w, pad + h], [pad, pad + h]])
    jitter = [rng.uniform(0, d) for _ in range(4)]
    dst = np.float32([[pad + jitter[0], pad + jitter[1] * 0.5], [pad + w - jitter[1], pad],
                      [pad + w, pad + h - jitter[2] * 0.5], [pad + jitter[3] * 0.5, pad + h]])
    m = cv2.getPerspectiveTransform(src, dst)
    out = cv2.warpPerspective(canvas, m, (canvas.shape[1], canvas.shape[0]), borderMode=cv2.BORDER_REPLICATE)
    out = out.astype(np.float32)
    H, W = out.shape[:2]
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    gx, gy = rng.uniform(-0.25, 0.25), rng.uniform(-0.25, 0.25)
    light = 1.0 + gx * (xx / W - 0.5) + gy * (yy / H - 0.5)
    # a shadow: a soft dark band from one edge (the phone or the hand)
    x0 = rng.uniform(0.0, 0.3) * W
    shadow = 1.0 - 0.35 * np.clip((x0 - xx + 0.15 * yy * rng.uniform(0, 1)) / (0.1 * W), 0, 1)
    out = out * (light * shadow)[..., None]
    img = Image.fromarray(np.clip(out, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.2)))
    return _jpeg(img, rng.randint(70, 88))


def _jpeg(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def jpeg_bytes(img: Image.Image, quality: int = 85, dpi: int = 200) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, dpi=(dpi, dpi))
    return buf.getvalue()


def images_pdf(pages: list[Image.Image], dest: Path, dpi: int) -> Path:
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=float(dpi), quality=70,
                  creationDate=None, modDate=None, producer="reja.variety")
    dest.write_bytes(buf.getvalue())
    return dest
