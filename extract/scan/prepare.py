"""Page preparation: upright, straight, clean, ~300 dpi.

A skew of 0.7° is enough to make table finders miss a ruled table (a long line drifts by a cell's
height across the page), so the skew is measured on the table's own long horizontal rulings, which
are the straightest thing on a plan page; pages without rulings fall back to a projection profile
of the text lines. The angles (coarse skew, fine skew, column lean) are measured one after the other on
the ink mask moved by nearest pixel, a low-resolution page at its own resolution, and the grey page is
binarised once, at the end (issue 18).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
from dataclasses import dataclass, field

import cv2
import numpy as np

from .clean import remove_impulses, smooth_grain
from .components import components, inked_rows, row_spans

# Deskew and column shear of the 300 dpi page. Bilinear costs 18 ms against bicubic's 65 ms on an A4
# page (one OpenCV thread), but it blurs thin strokes: the CI scan's section "III." read as "II."
# (section_exact 1.0 -> 0.4, issue 18 session 5), so bicubic stays.
ROTATE_INTERPOLATION = cv2.INTER_CUBIC


@dataclass
class PreparedPage:
    gray: np.ndarray  # upright, deskewed, denoised grayscale at ~the working dpi (settings.dpi)
    binary: np.ndarray  # ink = 255 on 0 (for line finding)
    dpi: int
    rotation: int = 0  # quarter turns applied (degrees, clockwise)
    skew: float = 0.0  # degrees corrected
    notes: list[str] = field(default_factory=list)
    # a photo's sheet left unwarped: its perspective, degrees (None: no sheet, or its outline lies inside it)
    unwarped_tilt: float | None = None


def to_gray(img: np.ndarray) -> np.ndarray:
    if img.ndim == 2:
        return img.astype(np.uint8)
    if img.shape[2] == 4:
        return cv2.cvtColor(img, cv2.COLOR_RGBA2GRAY)
    return cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)


# A resolution the image states is believed when the page it makes is no larger than this short side
# (inches; A3's long side is 16.5): a camera writes 72 dpi into every JPEG, which makes a 4032×3024 phone
# photo a 42×56-inch page (issue 18).
MAX_PAGE_SHORT_SIDE = 17.0


def page_dpi(shape: tuple[int, ...], dpi: float | None) -> float:
    """The page's resolution: the one the image states, unless there is none, it is below 50 or the page
    it makes is larger than any plan (MAX_PAGE_SHORT_SIDE): then estimated from the page size (plans are
    A4)."""
    short = min(shape[:2])
    if not dpi or dpi < 50 or short / dpi > MAX_PAGE_SHORT_SIDE:
        return short / 8.27  # A4 short side in inches
    return float(dpi)


def resolution_scale(shape: tuple[int, ...], dpi: float | None, target_dpi: int) -> tuple[float, int]:
    """(scale factor, resolution after it) that brings a page of `shape` at `dpi` to ~`target_dpi` (the
    working dpi, data/scan.yaml); 1.0 leaves it alone. The resolution is `page_dpi`'s."""
    dpi = page_dpi(shape, dpi)
    if dpi < 100 or dpi > 1200:
        return 1.0, int(round(dpi))  # not a page-sized image: leave it alone
    scale = target_dpi / dpi
    if abs(scale - 1) < 0.08:
        return 1.0, int(round(dpi))
    return scale, target_dpi


def native_resolution(shape: tuple[int, ...], dpi: float | None, target_dpi: int, native_min_dpi: int | None) -> int:
    """The resolution a page is prepared and read at: `target_dpi`, or the page's own (`page_dpi`) when it
    lies from `native_min_dpi` up to `target_dpi`. A ~200 dpi phone photo upscaled to 300 dpi made every
    page-wide step (flattening, deskew, grid search, ink masks) handle 2.25 times the pixels, and its
    cells read no better: Tesseract's cost goes with the text, not the pixels, and a cell crop below
    ocr.SMALL_CROP_PX is doubled for it either way (issue 18)."""
    if native_min_dpi is None:
        return target_dpi
    own = page_dpi(shape, dpi)
    return int(round(own)) if native_min_dpi <= own < target_dpi else target_dpi


def normalise_resolution(gray: np.ndarray, dpi: float | None, target_dpi: int) -> tuple[np.ndarray, int]:
    """Scale to ~`target_dpi` (see resolution_scale)."""
    scale, dpi_out = resolution_scale(gray.shape, dpi, target_dpi)
    if scale == 1.0:
        return gray, dpi_out
    interp = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=interp), target_dpi


def binarise(gray: np.ndarray) -> np.ndarray:
    """Ink = 255. Adaptive, so uneven scan lighting and grey JPEG blocks do not matter."""
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)


def _ruling_angles(binary: np.ndarray) -> list[tuple[float, float]]:
    """(angle in degrees, length) of long near-horizontal rulings."""
    h, w = binary.shape
    run = max(w // 40, 20)
    # The opening (an erosion, then a dilation, both one row tall) leaves only the long horizontal runs
    # of ink: a few bands of rows. The dilations and the labelling are done on those bands alone, with
    # the same pixels as on the whole page: a dilation one row tall keeps an empty row empty; the glue
    # reaches one row up and down, so a band is the rows with ink and one row either side, and the rows
    # beyond it are empty as the band's border is; components never cross an empty row, and the bands go
    # top to bottom, so the labels come in the same order. ~13 ms instead of ~45 a call on a 300 dpi A4
    # page, two calls a page (skew, column lean; issue 18).
    line = cv2.getStructuringElement(cv2.MORPH_RECT, (run, 1))
    eroded = cv2.erode(binary, line)
    glue = cv2.getStructuringElement(cv2.MORPH_RECT, (run, 3))
    inked = inked_rows(eroded)
    # the rows the glue can reach: one up and one down from a row with ink
    reach = np.unique(np.clip(np.concatenate((inked - 1, inked, inked + 1)), 0, h - 1))
    out = []
    for s, e in row_spans(reach):
        horiz = cv2.dilate(eroded[s:e], line)
        # A skewed line survives the opening as a staircase of short runs: glue them back together.
        horiz = cv2.dilate(horiz, glue)
        n, labels, stats, _ = components(horiz)
        for k in range(1, n):
            x, y, cw, ch, _area = stats[k]
            if cw < w * 0.25 or ch > cw * 0.1:
                continue
            ys, xs = np.nonzero(labels[y : y + ch, x : x + cw] == k)
            if len(xs) < 50:
                continue
            slope = np.polyfit(xs.astype(np.float64), ys.astype(np.float64), 1)[0]
            out.append((float(np.degrees(np.arctan(slope))), float(cw)))
    return out


def _profile_angle(binary: np.ndarray, limit: float = 3.0, step: float = 0.1, zoom: float = 1.0) -> float:
    """Angle that makes text rows sharpest (max variance of the row sums), on a reduced copy (a quarter
    of the working resolution; `zoom`: the working resolution's scale to `binary`'s)."""
    small = cv2.resize(binary, None, fx=0.25 * zoom, fy=0.25 * zoom, interpolation=cv2.INTER_AREA)
    h, w = small.shape
    centre = (w / 2, h / 2)
    best, best_score = 0.0, -1.0
    for angle in np.arange(-limit, limit + step / 2, step):
        m = cv2.getRotationMatrix2D(centre, float(angle), 1.0)
        rot = cv2.warpAffine(small, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        score = float(np.var(rot.sum(axis=1, dtype=np.float64)))
        if score > best_score:
            best, best_score = float(angle), score
    return best  # the rotation that straightens the text rows


def estimate_skew(binary: np.ndarray, profile_limit: float = 3.0, zoom: float = 1.0) -> tuple[float, str]:
    angles = _ruling_angles(binary)
    if angles:
        arr = np.array(angles)
        # Length-weighted median: long rulings are the reliable ones.
        order = np.argsort(arr[:, 0])
        cum = np.cumsum(arr[order, 1])
        median = float(arr[order, 0][np.searchsorted(cum, cum[-1] / 2)])
        return median, "rulings"
    return _profile_angle(binary, limit=profile_limit, zoom=zoom), "profile"


def _column_lean(binary: np.ndarray) -> float:
    """Length-weighted median angle (degrees) of the long vertical rulings from upright, measured as
    the horizontal ones are, on the transposed page; 0 without such rulings."""
    # cv2.transpose: the same array as np.ascontiguousarray(binary.T) in ~2 ms instead of ~12 (300 dpi A4).
    angles = _ruling_angles(cv2.transpose(binary))
    if not angles:
        return 0.0
    arr = np.array(angles)
    order = np.argsort(arr[:, 0])
    cum = np.cumsum(arr[order, 1])
    return float(arr[order, 0][np.searchsorted(cum, cum[-1] / 2)])


def shear_upright(gray: np.ndarray, lean: float) -> np.ndarray:
    """Shear so that lines leaning by `lean` degrees (x growing with y) stand upright; rows stay put."""
    h, w = gray.shape
    s = float(np.tan(np.radians(lean)))
    m = np.float32([[1, -s, s * h / 2], [0, 1, 0]])
    return cv2.warpAffine(gray, m, (w, h), flags=ROTATE_INTERPOLATION, borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    """Rotate by `angle` degrees (positive = counter-clockwise in image view), white fill."""
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=ROTATE_INTERPOLATION, borderMode=cv2.BORDER_CONSTANT, borderValue=255)


@contextlib.contextmanager
def _quiet_stderr():
    """Silence the C library's stderr (fd 2) for one call; Python's own stderr is untouched."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def detect_orientation(gray: np.ndarray, dpi: int) -> tuple[int, float] | None:
    """Tesseract OSD: (degrees to turn clockwise, confidence), None when OSD is unavailable."""
    from .ocr import _load_lib

    lib = _load_lib()
    if lib is None:
        return None
    try:
        fn = lib.TessBaseAPIDetectOrientationScript
    except AttributeError:
        return None
    fn.restype = ctypes.c_int
    fn.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_float),
                   ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_float)]
    from .ocr import engine

    try:
        eng = engine("osd")
    except Exception:  # noqa: BLE001 - no osd model: orientation is simply not checked
        return None
    img = np.ascontiguousarray(gray)
    h, w = img.shape
    lib.TessBaseAPISetPageSegMode(eng.handle, 0)
    lib.TessBaseAPISetImage(eng.handle, img.ctypes.data, w, h, 1, img.strides[0])
    lib.TessBaseAPISetSourceResolution(eng.handle, int(dpi))
    deg, conf, sconf = ctypes.c_int(), ctypes.c_float(), ctypes.c_float()
    name = ctypes.c_char_p()
    with _quiet_stderr():  # OSD prints "Invalid resolution 0 dpi" whatever resolution it was given
        ok = fn(eng.handle, ctypes.byref(deg), ctypes.byref(conf), ctypes.byref(name), ctypes.byref(sconf))
    lib.TessBaseAPIClear(eng.handle)
    if not ok:
        return None
    return int(deg.value) % 360, float(conf.value)


def _looks_sideways(binary: np.ndarray, zoom: float = 1.0) -> bool:
    """Text lines run across the page: smeared along x, letters join into long flat strips; on a
    page turned by 90° the strips form when smearing along y instead. Rulings are left out by
    keeping only strips of text-line thickness (measured at a quarter of the working resolution;
    `zoom`: the working resolution's scale to `binary`'s)."""
    small = cv2.resize(binary, None, fx=0.25 * zoom, fy=0.25 * zoom, interpolation=cv2.INTER_AREA)
    small = (small > 60).astype(np.uint8) * 255

    def strips(kernel: tuple[int, int], vertical: bool) -> int:
        smear = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        n, _l, stats, _ = components(smear)
        total = 0
        for k in range(1, n):
            w, h = int(stats[k][2]), int(stats[k][3])
            long_side, short_side = (h, w) if vertical else (w, h)
            if 3 <= short_side <= 25 and long_side >= 4 * short_side:
                total += long_side
        return total

    across, down = strips((9, 1), False), strips((1, 9), True)
    return down > 1.5 * across and down > 50


def _is_colour(img: np.ndarray) -> bool:
    return img.ndim == 3 and img.shape[2] >= 3


def _clean_page(img: np.ndarray, dpi: float | None, notes: list[str], *, sheet: bool = True,
                warp_min_tilt: float | None = None, found_tilt: list | None = None) -> tuple[np.ndarray, float | None]:
    """Colour or grey page as loaded → grey, flat, stamp-free page at its own resolution (a photo:
    the sheet alone, warped flat). Each step notes what it changed."""
    from .clean import flatten_illumination, suppress_coloured_ink

    if img.ndim == 3 and img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_RGBA2RGB)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[..., 0]
    if sheet:
        img, dpi = _sheet_of_photo(img, dpi, notes, warp_min_tilt, found_tilt)
    img, note = flatten_illumination(img, page_dpi(img.shape, dpi))
    if note:
        notes.append(note)
    if _is_colour(img):
        gray, note = suppress_coloured_ink(img)
        if note:
            notes.append(note)
    else:
        gray = to_gray(img)
    gray, note = remove_impulses(gray)
    if note:
        notes.append(note)
    return gray, dpi


def _sheet_of_photo(img: np.ndarray, dpi: float | None, notes: list[str], warp_min_tilt: float | None,
                    found_tilt: list | None) -> tuple[np.ndarray, float | None]:
    """A photo's sheet warped flat from `warp_min_tilt` degrees of perspective on (default
    sheet.WARP_MIN_TILT; the dpi is then None: the sheet's size tells it); below, the page as it is
    and its perspective appended to `found_tilt` (unless the outline found lies inside the sheet). A
    scan (no sheet on a desk) is returned as it is."""
    from .sheet import WARP_MIN_TILT, find_sheet, warp_sheet

    found = find_sheet(to_gray(img))
    if found is None:
        return img, dpi
    # An outline inside the sheet (a shadow's edge taken for the sheet's) is never warped, however much
    # perspective it seems to have: its warp cuts the table (variety photo_pdf 1039, photo_docx 1030 at 4° or
    # more); the deskew and the column shear read the page as it is.
    if found.inside or found.tilt < (WARP_MIN_TILT if warp_min_tilt is None else warp_min_tilt):
        # Nearly from above: a warp from corners found on a blurred outline (a few pixels off)
        # leaves the columns leaning unevenly; the deskew and the column shear do better. An outline
        # inside the sheet is not offered for a warp (page.prepare_and_find tries one from
        # settings.warp_try_tilt on): its warp would cut the page, and the try cost a second preparation
        # and grid search (~0.3-0.6 s CPU a page) to find that out.
        inside = found.inside
        if found_tilt is not None and not inside:
            found_tilt.append(found.tilt)
        notes.append(f"sheet found in the photo ({found.area_share * 100:.0f}% of the image), perspective "
                     f"{found.tilt:.1f}° left to the deskew" + (" (its outline lies inside the sheet)" if inside else ""))
        return img, dpi
    notes.append(f"sheet found in the photo ({found.area_share * 100:.0f}% of the image) and warped flat "
                 f"(perspective up to {found.tilt:.1f}°)")
    return warp_sheet(img, found), None


def _affine(m: np.ndarray) -> np.ndarray:
    return np.vstack([m, [0.0, 0.0, 1.0]])


def _rotation(shape: tuple[int, ...], angle: float) -> np.ndarray:
    """`rotate`'s transform (3×3)."""
    h, w = shape[:2]
    return _affine(cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0))


def _moved(binary: np.ndarray, m: np.ndarray) -> np.ndarray:
    """The ink mask moved by `m` for measuring (nearest pixel: ~15 ms on an A4 page at 300 dpi, where
    binarising the moved grey page again costs ~10 ms more and, on a low-resolution page, 2.25 times
    the pixels)."""
    h, w = binary.shape
    return cv2.warpAffine(binary, m[:2], (w, h), flags=cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def _straighten(gray: np.ndarray, binary: np.ndarray, max_skew: float, notes: list[str],
                zoom: float = 1.0) -> tuple[np.ndarray, np.ndarray, float]:
    """(grey page, its ink mask, degrees of skew corrected): the page rotated level and its columns
    sheared upright. Each angle is measured on the ink mask (`binary`) moved by the corrections found
    before it; the grey page is then moved once by all of them (`_moved_once`) and binarised once.
    `zoom` > 1: a low-resolution page, measured as it is (a 200 dpi photo: 2.25 times fewer pixels),
    upscaled by `zoom` in the same move and its grain smoothed after it.

    One bicubic pass instead of one a correction (and the upscale's) saves ~60-100 ms a page with two
    moves or more. It changes the OCR'd pixels by a fraction of a grey level, which flipped Tesseract's
    reading of short section numerals ("III." / "II.", tests/variety/test_floors.py, issue 18 session 6)
    until section numerals were read from their strokes (language.py, session 7)."""
    m = np.eye(3)
    moved = binary
    # A ruling skewed by more than ~2° breaks into short runs the ruling finder does not see, so a
    # large skew is first taken out coarsely from the text rows, then measured finely on the rulings.
    coarse = _profile_angle(binary, limit=max_skew, step=0.5, zoom=zoom)
    if abs(coarse) > 1.5:
        m = _rotation(binary.shape, coarse)
        moved = _moved(binary, m)
    else:
        coarse = 0.0
    fine, how = estimate_skew(moved, profile_limit=1.0 if coarse else 3.0, zoom=zoom)  # ±5° in all
    if abs(fine) >= 0.05:
        moved = _moved(binary, _rotation(binary.shape, fine) @ m)
    else:
        fine = 0.0
    skew = coarse + fine
    if abs(skew) >= 0.05:
        notes.append(f"skew {skew:+.2f}° corrected ({how})")
    # A photo warped from slightly wrong corners leaves the rows level but the columns leaning; the
    # column finder then sees one leaning ruling as several. Lean the columns back upright.
    lean = _column_lean(moved)
    if abs(lean) < 0.15:
        lean = 0.0
    else:
        notes.append(f"columns leaning {lean:+.2f}° set upright (shear)")
    if not (coarse or fine or lean):
        if zoom == 1.0:
            return gray, binary, skew
        gray = smooth_grain(cv2.resize(gray, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_CUBIC))
        return gray, binarise(gray), skew
    gray = _moved_once(gray, zoom, coarse, fine, lean)
    if zoom != 1.0:
        gray = smooth_grain(gray)
    return gray, binarise(gray), skew


def _moved_once(gray: np.ndarray, zoom: float, coarse: float, fine: float, lean: float) -> np.ndarray:
    """`gray` upscaled by `zoom` (on cv2.resize's pixel grid), rotated by `coarse` then `fine` degrees
    about the upscaled page's centre (`rotate`) and sheared upright by `lean` degrees (`shear_upright`):
    those moves one after the other, in one bicubic pass."""
    h0, w0 = gray.shape
    w, h = (int(round(w0 * zoom)), int(round(h0 * zoom))) if zoom != 1.0 else (w0, h0)
    off = 0.5 * zoom - 0.5  # cv2.resize maps pixel centres: x' = (x + 0.5) * zoom - 0.5
    m = np.array([[zoom, 0.0, off], [0.0, zoom, off], [0.0, 0.0, 1.0]])
    for angle in (coarse, fine):
        if angle:
            m = _rotation((h, w), angle) @ m
    if lean:
        t = float(np.tan(np.radians(lean)))
        m = np.array([[1.0, -t, t * h / 2], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]) @ m
    return cv2.warpAffine(gray, m[:2], (w, h), flags=ROTATE_INTERPOLATION, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=255)


def prepare_page(img: np.ndarray, dpi: float | None, *, target_dpi: int, orientation: bool | str = True,
                 max_skew: float = 5.0, warp_min_tilt: float | None = None,
                 native_min_dpi: int | None = None) -> PreparedPage:
    """`target_dpi`: the working resolution (settings.dpi); `warp_min_tilt`: a photo's sheet is warped
    flat from this perspective on (default sheet.WARP_MIN_TILT); `native_min_dpi` (settings.native_min_dpi):
    a page below `target_dpi` but at this resolution or more is prepared at its own resolution (see
    `native_resolution`)."""
    notes: list[str] = []
    unwarped: list[float] = []
    gray, dpi = _clean_page(img, dpi, notes, warp_min_tilt=warp_min_tilt, found_tilt=unwarped)
    unwarped_tilt = unwarped[0] if unwarped else None
    target_dpi = native_resolution(gray.shape, dpi, target_dpi, native_min_dpi)
    scale, dpi_out = resolution_scale(gray.shape, dpi, target_dpi)
    if scale > 1 and orientation != "always":
        # Low resolution: measured as it is, upscaled once with the deskew (see _straighten). A page
        # that looks turned by 90° takes the way below (Tesseract's orientation check at full size).
        binary = binarise(gray)
        if not (orientation and _looks_sideways(binary, zoom=scale)):
            notes.append(f"low resolution: upscaled ×{scale:.2f} to {dpi_out} dpi")
            gray, binary, skew = _straighten(gray, binary, max_skew, notes, zoom=scale)
            return PreparedPage(gray=gray, binary=binary, dpi=dpi_out, skew=skew, notes=notes,
                                unwarped_tilt=unwarped_tilt)
    before = gray.shape
    gray, dpi_out = normalise_resolution(gray, dpi, target_dpi)
    if gray.shape[0] > before[0] * 1.08:
        notes.append(f"low resolution: upscaled ×{gray.shape[0] / before[0]:.2f} to {dpi_out} dpi")
    gray = smooth_grain(gray)
    turned = 0
    binary = binarise(gray)
    # OSD costs ~0.5 s a page and is easily fooled by sparse table text, so it is asked only when
    # the text lines run down the page (turned by 90°); `orientation="always"` asks on every page
    # (also catches pages upside down).
    if orientation == "always" or orientation and _looks_sideways(binary):
        osd = detect_orientation(gray, target_dpi)
        if osd and osd[0] in (90, 180, 270) and osd[1] >= 2.0:
            turned = osd[0]
            code = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}[turned]
            gray = cv2.rotate(gray, code)
            binary = binarise(gray)
            notes.append(f"page turned {turned}° (orientation detection, confidence {osd[1]:.1f})")
    gray, binary, skew = _straighten(gray, binary, max_skew, notes)
    return PreparedPage(gray=gray, binary=binary, dpi=dpi_out, rotation=turned, skew=skew, notes=notes,
                        unwarped_tilt=unwarped_tilt)
