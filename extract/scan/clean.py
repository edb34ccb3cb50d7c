"""Page cleaning before binarisation, each step measured first and applied only when needed:

- illumination flattening: the paper's brightness (a max filter over a reduced copy, so text
  disappears from it) divides the image, which turns a shadow or light falling off across a photo
  into white paper again;
- coloured ink suppression: office stamps and signatures are blue or violet; where the blue channel
  stands clearly above red and green the pixel is paper for OCR purposes (black print under the
  stamp stays, as its channels are all dark);
- denoising matched to the noise found: isolated impulses (salt and pepper) → replaced by their
  3×3 median (nothing else touched); sensor/JPEG grain → a 3×3 median; a clean page → nothing.

Every function returns what it changed as a short note (or None), for the document's warnings.
"""

from __future__ import annotations

import cv2
import numpy as np


def _background(channel: np.ndarray, dpi: float) -> np.ndarray:
    """The paper's brightness at every pixel: text removed by a max filter wider than a letter
    (on a 1/8 copy for speed), smoothed, back at full size."""
    h, w = channel.shape
    f = 8
    small = cv2.resize(channel, (max(w // f, 1), max(h // f, 1)), interpolation=cv2.INTER_AREA)
    k = max(int(dpi * 0.2 / f) | 1, 3)
    bg = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    bg = cv2.medianBlur(bg, 5)
    bg = cv2.blur(bg, (k, k))
    return cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)


def flatten_illumination(img: np.ndarray, dpi: float, min_range: float = 30.0) -> tuple[np.ndarray, str | None]:
    """Divide by the paper's brightness when it varies by at least `min_range` grey levels across
    the page (5th to 95th percentile); grey or colour images alike (each channel on its own, which
    also takes a colour cast of the light away)."""
    lum = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    bg = _background(lum, dpi)
    lo, hi = (float(v) for v in np.percentile(bg[:: 8, :: 8], (5, 95)))
    if hi - lo < min_range:
        return img, None
    if img.ndim == 2:  # its brightness is the one just measured (~15 ms a 200 dpi photo not measured twice)
        flat = cv2.divide(img, np.maximum(bg, 1), scale=255)
    else:
        flat = np.dstack([cv2.divide(img[..., c], np.maximum(_background(img[..., c], dpi), 1), scale=255)
                          for c in range(img.shape[2])])
    return flat, f"uneven light flattened (paper brightness {lo:.0f}–{hi:.0f} → 255)"


def suppress_coloured_ink(rgb: np.ndarray, min_blue: int = 30, keep_dark: int = 110,
                          min_share: float = 0.0005) -> tuple[np.ndarray, str | None]:
    """RGB page → grey page without blue/violet ink. A pixel whose blue channel exceeds both red
    and green by `min_blue` is stamp or signature ink and becomes paper, unless it is dark in every
    channel (black print under the stamp); its faint fringe is given its brightest channel, which is
    light for coloured ink and dark for black print."""
    r, g, b = (rgb[..., c].astype(np.int16) for c in range(3))
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    blue = b - np.maximum(r, g)
    core = (blue >= min_blue).astype(np.uint8)
    share = float(core.mean())
    if share < min_share:
        return gray, None
    brightest = rgb.max(axis=2)
    fringe = cv2.dilate(core, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5))).astype(bool)
    core_b = core.astype(bool)
    out = gray.copy()
    out[fringe] = brightest[fringe]
    out[core_b & (brightest >= keep_dark)] = 255
    return out, f"stamp/signature ink (blue/violet) removed: {share * 100:.1f}% of the page"


def remove_impulses(gray: np.ndarray, min_share: float = 0.0002) -> tuple[np.ndarray, str | None]:
    """Salt and pepper out, rulings kept: a pixel more than 100 grey levels off its 3×3 median with
    no neighbour off the same way is an impulse and takes the median's value (a switching median).
    Run at the page's own resolution: upscaled, an impulse becomes a blot a median no longer sees,
    and a plain 3×3 median at 150 dpi erases the 1-pixel rulings along with the noise."""
    med = cv2.medianBlur(gray, 3)
    isolated = np.zeros(gray.shape, np.uint8)
    # black dots on paper, white dots in print; saturating uint8 differences and a 3×3 box sum (one
    # such pixel with none of its 8 neighbours: the sum is the pixel's own 1) instead of int16
    # differences and a float ring filter: the same pixels, ~4 times faster (issue 18)
    for off in (cv2.subtract(med, gray), cv2.subtract(gray, med)):
        mask = (off > 100).view(np.uint8)
        around = cv2.boxFilter(mask, -1, (3, 3), normalize=False, borderType=cv2.BORDER_CONSTANT)
        isolated |= mask & (around == 1)
    share = np.count_nonzero(isolated) / isolated.size
    if share < min_share:
        return gray, None
    isolated = isolated.view(bool)
    out = gray.copy()
    out[isolated] = med[isolated]
    return out, f"salt-and-pepper noise removed ({share * 100:.2f}% of pixels, switching median 3×3)"


def grain(gray: np.ndarray, med: np.ndarray) -> float:
    """Noise level on the paper: the mean deviation from the 3×3 median where the median is paper."""
    paper = med > 180
    if not paper.any():
        return 0.0
    return float(cv2.absdiff(gray, med)[paper].mean())


def smooth_grain(gray: np.ndarray, min_grain: float = 0.6) -> np.ndarray:
    """A 3×3 median on a grainy page (scanner sensor, JPEG), at ~300 dpi where strokes are several
    pixels wide; a clean page is kept as is (a median would only round its letters' corners)."""
    med = cv2.medianBlur(gray, 3)
    return med if grain(gray, med) >= min_grain else gray
