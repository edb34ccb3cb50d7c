"""Page images as they really arrive: noisy low-resolution scans with a stamp, and phone photos.

Starts from a typed PDF (rendered with pdftoppm, as samples/gen_scan.py does) and degrades every
page the way one family of real inputs does. Everything random comes from one seeded generator, so
the same input, family and seed give the same pixels.

Families (`FAMILIES`):
- scan150_sp_stamp: 150 dpi grey scan, salt-and-pepper noise, a blue district stamp over the last
  rows and a violet signature, skew up to 2°;
- scan200_stamp: 200 dpi grey-paper scan with a stamp, skew up to 3°, JPEG;
- scan300_noise: 300 dpi scan, Gaussian sensor noise, salt-and-pepper, skew up to 5°;
- phone: a phone photo: the sheet on a darker desk seen at a few degrees of perspective, uneven
  light with a shadow across it, slight blur, colour JPEG, no dpi in the file.

Run: .venv/bin/python samples/gen_photo.py typed.pdf OUTDIR --family phone [--seed 1] [--pdf]
writes OUTDIR/<stem>_<family>_p<N>.jpg|png (and with --pdf one PDF of the same images).
"""

from __future__ import annotations

import argparse
import io
import math
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_scan  # noqa: E402

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
STAMP_INK = ((40, 60, 170), (95, 50, 160))  # blue and violet office inks (RGB)
FAMILIES = ("scan150_sp_stamp", "scan200_stamp", "scan300_noise", "phone")


def salt_and_pepper(rgb: np.ndarray, amount: float, rng: np.random.Generator) -> np.ndarray:
    out = rgb.copy()
    h, w = out.shape[:2]
    n = int(h * w * amount)
    ys, xs = rng.integers(0, h, n), rng.integers(0, w, n)
    out[ys[: n // 2], xs[: n // 2]] = 0
    out[ys[n // 2 :], xs[n // 2 :]] = 255
    return out


def _font(size: int):
    try:
        return ImageFont.truetype(FONT, size)
    except OSError:
        return ImageFont.load_default()


def stamp(page: Image.Image, rng: np.random.Generator, dpi: int, *, at: tuple[float, float] | None = None) -> Image.Image:
    """A round office stamp (two rings, text around, a line across) in blue/violet ink, printed
    semi-transparently over whatever is there, plus a scribbled signature next to it."""
    page = page.convert("RGB")
    w, h = page.size
    ink = STAMP_INK[int(rng.integers(0, len(STAMP_INK)))]
    r = int(dpi * rng.uniform(0.7, 0.85))
    cx, cy = at if at else (rng.uniform(0.55, 0.8), rng.uniform(0.7, 0.9))
    cx, cy = int(cx * w), int(cy * h)
    layer = Image.new("L", (2 * r + 4, 2 * r + 4), 0)
    d = ImageDraw.Draw(layer)
    c = r + 2
    stroke = max(dpi // 60, 2)
    d.ellipse((c - r, c - r, c + r, c + r), outline=255, width=stroke)
    d.ellipse((c - int(r * 0.72), c - int(r * 0.72), c + int(r * 0.72), c + int(r * 0.72)), outline=255, width=stroke)
    font = _font(max(dpi // 10, 10))
    text = "AXBOROT-KUTUBXONA MARKAZI * TUMAN * "
    for k, ch in enumerate(text):
        a = 2 * math.pi * k / len(text)
        x, y = c + r * 0.86 * math.sin(a), c - r * 0.86 * math.cos(a)
        d.text((x, y), ch, fill=255, font=font, anchor="mm")
    d.text((c, c), "MUHR", fill=255, font=_font(max(dpi // 7, 12)), anchor="mm")
    layer = layer.rotate(float(rng.uniform(-30, 30)))
    # a signature: a few loops of a pen line
    sig = Image.new("L", (int(dpi * 1.6), int(dpi * 0.6)), 0)
    ds = ImageDraw.Draw(sig)
    pts = [(int(dpi * (0.1 + 0.09 * k)), int(dpi * (0.3 + 0.18 * math.sin(k * 1.7 + rng.uniform(0, 1))))) for k in range(16)]
    ds.line(pts, fill=255, width=max(dpi // 75, 2))
    alpha = Image.new("L", page.size, 0)
    alpha.paste(layer, (cx - c, cy - c))
    alpha.paste(sig, (max(cx - r - sig.size[0], 0), cy - sig.size[1] // 2), sig)
    strength = float(rng.uniform(0.65, 0.85))
    a = np.asarray(alpha, np.float32)[..., None] / 255 * strength
    base = np.asarray(page, np.float32)
    # ink multiplies with the paper (a stamp over print darkens it, never lightens it)
    tinted = base * (np.array(ink, np.float32) / 255)
    out = base * (1 - a) + tinted * a
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), "RGB")


def _skew(page: Image.Image, rng: np.random.Generator, limit: float) -> Image.Image:
    angle = float(rng.uniform(0.3, limit)) * (1 if rng.random() < 0.5 else -1)
    return page.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=(255, 255, 255))


def _jpeg(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue()))


def scan_family(page: Image.Image, rng: np.random.Generator, family: str) -> tuple[Image.Image, int]:
    """page: an RGB rendering at 300 dpi → (degraded page, its dpi)."""
    dpi = {"scan150_sp_stamp": 150, "scan200_stamp": 200, "scan300_noise": 300}[family]
    if family != "scan300_noise":
        page = stamp(page, rng, 300)
    page = _skew(page, rng, {"scan150_sp_stamp": 2.0, "scan200_stamp": 3.0, "scan300_noise": 5.0}[family])
    if dpi != 300:
        page = page.resize((page.width * dpi // 300, page.height * dpi // 300), Image.LANCZOS)
    arr = np.asarray(page, np.float32)
    if family == "scan200_stamp":
        arr = arr * float(rng.uniform(0.86, 0.93)) + 8  # grey paper
    if family == "scan300_noise":
        arr = arr + rng.normal(0, 9, arr.shape[:2])[..., None]
    arr = np.clip(arr, 0, 255).astype(np.uint8)
    if family in ("scan150_sp_stamp", "scan300_noise"):
        arr = salt_and_pepper(arr, 0.004 if family == "scan150_sp_stamp" else 0.002, rng)
    out = Image.fromarray(arr, "RGB")
    if family == "scan200_stamp":
        out = _jpeg(out, 70)
    return out, dpi


def phone_photo(page: Image.Image, rng: np.random.Generator) -> Image.Image:
    """The sheet lying on a desk, photographed at an angle: perspective, light falling off towards
    one side, a soft shadow across the page, a little blur, colour JPEG at ~2400 px."""
    import cv2

    src = np.asarray(page.convert("RGB"))
    h, w = src.shape[:2]
    margin = 0.08
    ow, oh = int(w * (1 + 2 * margin)), int(h * (1 + 2 * margin))
    j = lambda s: float(rng.uniform(-s, s))  # noqa: E731
    dx, dy = w * margin, h * margin
    quad = np.float32([
        [dx + j(w * 0.03), dy + j(h * 0.02)],
        [dx + w + j(w * 0.03), dy + j(h * 0.02)],
        [dx + w + j(w * 0.03), dy + h + j(h * 0.02)],
        [dx + j(w * 0.03), dy + h + j(h * 0.02)],
    ])
    m = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), quad)
    desk = np.array([rng.uniform(70, 110), rng.uniform(60, 95), rng.uniform(45, 75)], np.float32)
    canvas = np.empty((oh, ow, 3), np.float32)
    canvas[:] = desk
    warped = cv2.warpPerspective(src, m, (ow, oh), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0)).astype(np.float32)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), m, (ow, oh)).astype(np.float32)[..., None] / 255
    img = canvas * (1 - mask) + warped * mask
    yy, xx = np.mgrid[0:oh, 0:ow].astype(np.float32)
    ang = rng.uniform(0, 2 * math.pi)
    grad = (np.cos(ang) * (xx / ow - 0.5) + np.sin(ang) * (yy / oh - 0.5))
    light = 0.88 - 0.22 * grad  # one side brighter
    # a soft shadow (a hand or the phone) across one corner
    sx, sy = rng.uniform(0.2, 0.8) * ow, rng.uniform(0.6, 1.0) * oh
    shadow = np.exp(-(((xx - sx) / (ow * 0.25)) ** 2 + ((yy - sy) / (oh * 0.18)) ** 2))
    light = light * (1 - 0.35 * shadow)
    img = img * light[..., None]
    img = img + rng.normal(0, 3, img.shape[:2])[..., None]
    out = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")
    out = out.filter(ImageFilter.GaussianBlur(0.9))
    target = 2400
    scale = target / max(out.size)
    out = out.resize((int(out.width * scale), int(out.height * scale)), Image.LANCZOS)
    return _jpeg(out, 85).convert("RGB")


def degrade(page: Image.Image, family: str, rng: np.random.Generator) -> tuple[Image.Image, int | None]:
    if family == "phone":
        return phone_photo(page, rng), None
    return scan_family(page, rng, family)


def render(pdf: Path) -> list[Image.Image]:
    return [p.convert("RGB") for p in gen_scan.rasterise(pdf, 300)]


def write_family(pdf: Path, outdir: Path, family: str, seed: int = 1, as_pdf: bool = False) -> list[Path]:
    """Degraded page images of `pdf` (one file per page), and with as_pdf one PDF of them."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; one of {', '.join(FAMILIES)}")
    rng = np.random.default_rng(seed)
    outdir.mkdir(parents=True, exist_ok=True)
    files, images = [], []
    for k, page in enumerate(render(pdf), 1):
        img, dpi = degrade(page, family, rng)
        suffix = ".jpg" if family in ("phone", "scan200_stamp") else ".png"
        f = outdir / f"{pdf.stem}_{family}_p{k}{suffix}"
        kw = {"quality": 90} if suffix == ".jpg" else {}
        if dpi:
            kw["dpi"] = (dpi, dpi)
        img.save(f, **kw)
        files.append(f)
        images.append((img, dpi))
    if as_pdf:
        f = outdir / f"{pdf.stem}_{family}.pdf"
        first, rest = images[0][0], [i for i, _ in images[1:]]
        first.save(f, "PDF", save_all=True, append_images=rest, resolution=float(images[0][1] or 200))
        files.append(f)
    return files


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", type=Path)
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--family", choices=FAMILIES, default="phone")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pdf", action="store_true", help="also one PDF of the page images")
    args = ap.parse_args(argv)
    for f in write_family(args.src, args.outdir, args.family, args.seed, args.pdf):
        print(f)


if __name__ == "__main__":
    main(sys.argv[1:])
