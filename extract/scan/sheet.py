"""Find the sheet of paper in a photo and warp it flat.

A phone photo shows the plan lying on a desk: a bright quadrilateral on a darker background, seen
at a few degrees of perspective. The sheet is the largest bright region; its outline, simplified to
four corners, is warped to a rectangle whose sides are the mean lengths of the opposite edges (so
the page keeps its proportions and roughly its resolution). A scan, whose page fills the image,
has no such outline and is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

WORK_SIDE = 800  # the outline is searched on a copy this large (px, long side)
WARP_MIN_TILT = 4.0  # degrees of perspective below which the photo is not warped (prepare.py)
# A shadow's outline (see find_sheet) is taken over Otsu's when it is this many degrees squarer and at
# most this much larger. Measured on the 24 dev photos of the variety corpus: the four shadow-cut
# sheets gain 4.2-9.2° at 1.07-1.27× the area; desk-inclusive outlines are 1.15-1.35× larger and
# squarer by at most 1.1°.
SHADOW_MIN_GAIN = 2.0
SHADOW_MAX_GROWTH = 1.35
# An outline found inside the sheet (a shadow's edge along one side taken for the sheet's) is told by the
# photo's marks (the adaptive threshold's ink on the reduced copy: text, rulings, the sheet's own edge
# against the desk): they reach beyond the outline's box by more than INSIDE_REACH (a share of the
# photo's long side) on one or two sides. Measured on the 125 dev-wide photos (seeds 1000-1039 of
# photo_jpeg/pdf/docx): beyond a true outline 0.6-1.9 % (the edge's own response); beyond the outlines
# whose warp cut the table (photo_jpeg 1000, 1025, 1038, photo_pdf 1000, 1006, 1013, 1017, 1031, photo_docx
# 1028) 3.9-17 %, on one side each. Marks beyond every side (a patterned desk) tell nothing.
INSIDE_REACH = 0.03


@dataclass
class Sheet:
    corners: np.ndarray  # 4×2 float32, full-resolution pixels: top-left, top-right, bottom-right, bottom-left
    area_share: float  # of the image
    tilt: float  # largest corner angle's departure from 90°, degrees (how much perspective)
    # how far the photo's marks reach beyond the outline's box (left, top, right, bottom; a share of the
    # photo's long side, 0 when they stay within it)
    reach: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)

    @property
    def inside(self) -> bool:
        """The outline lies inside the sheet (see INSIDE_REACH): a warp from it would cut the page."""
        beyond = sum(r > INSIDE_REACH for r in self.reach)
        return 1 <= beyond <= 2


def _order(pts: np.ndarray) -> np.ndarray:
    s = pts.sum(axis=1)
    d = np.diff(pts, axis=1).ravel()
    return np.float32([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]])


def _corner_angles(q: np.ndarray) -> list[float]:
    out = []
    for k in range(4):
        a, b, c = q[k - 1], q[k], q[(k + 1) % 4]
        v1, v2 = a - b, c - b
        cos = float(np.dot(v1, v2) / (np.linalg.norm(v1) * np.linalg.norm(v2) + 1e-9))
        out.append(float(np.degrees(np.arccos(np.clip(cos, -1, 1)))))
    return out


def find_sheet(gray: np.ndarray, *, min_share: float = 0.25, min_contrast: float = 25.0) -> Sheet | None:
    """The sheet's corners, or None when there is no sheet distinct from a background (a scan,
    a crop of the page, a photo where the page fills the frame)."""
    h, w = gray.shape[:2]
    scale = WORK_SIDE / max(h, w)
    reduced = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    scale = min(scale, 1.0)
    small = cv2.GaussianBlur(reduced, (5, 5), 0)
    # Text and rulings are dark too: close them into the paper so the sheet is one bright blob.
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15)))
    t, _b = cv2.threshold(closed, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    found = _sheet_at(closed, t, min_share, min_contrast)
    # A shadow across the sheet puts its shaded part below Otsu's threshold: the outline found cuts
    # it off along the shadow's edge, a quadrilateral that looks like strong perspective (variety
    # photo_docx 1001: 56 % of the image at 5.6° instead of 71 % at 1.4°; the table's first columns
    # were lost). So the darker class is split once more, and that outline is taken when it is much
    # squarer and not much larger (a larger one takes in a lighter part of the desk instead).
    shaded = _sheet_at(closed, _darker_split(closed, t), min_share, min_contrast)
    if shaded is not None and (found is None or (
            _tilt(shaded[0]) + SHADOW_MIN_GAIN <= _tilt(found[0]) and shaded[1] <= SHADOW_MAX_GROWTH * found[1])):
        found = shaded
    if found is None:
        return None
    quad = _order(found[0])
    if _tilt(quad) > 30:  # not a sheet seen from roughly above
        return None
    return Sheet(quad / scale, found[1], _tilt(quad), _reach(reduced, quad))


def _reach(reduced: np.ndarray, quad: np.ndarray) -> tuple[float, float, float, float]:
    """How far the marks of the reduced photo reach beyond the box of `quad` (its pixels), each side, as
    a share of the long side (see INSIDE_REACH)."""
    ink = cv2.adaptiveThreshold(reduced, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 15, 15)
    cols = np.flatnonzero(ink.max(axis=0))
    rows = np.flatnonzero(ink.max(axis=1))
    if not cols.size:
        return 0.0, 0.0, 0.0, 0.0
    (x0, y0), (x1, y1) = quad.min(axis=0), quad.max(axis=0)
    side = float(max(reduced.shape[:2]))
    return (max(x0 - cols[0], 0) / side, max(y0 - rows[0], 0) / side,
            max(cols[-1] + 1 - x1, 0) / side, max(rows[-1] + 1 - y1, 0) / side)


def _tilt(quad: np.ndarray) -> float:
    return max(abs(a - 90) for a in _corner_angles(_order(quad)))


def _darker_split(closed: np.ndarray, t: float) -> float:
    """Otsu's threshold within the pixels darker than `t` (desk vs shaded paper)."""
    dark = closed[closed <= t]
    if dark.size < 100:
        return t
    t2, _d = cv2.threshold(dark.reshape(1, -1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return float(t2)


def _sheet_at(closed: np.ndarray, t: float, min_share: float, min_contrast: float):
    """(quadrilateral, its share of the image) of the largest region brighter than `t`, when it is
    a sheet: a convex four-cornered outline it fills, brighter than what surrounds it."""
    bright = ((closed > t) * 255).astype(np.uint8)
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    sh, sw = closed.shape[:2]
    area = cv2.contourArea(contour)
    share = area / float(sh * sw)
    if share < min_share or share > 0.97:
        return None
    peri = cv2.arcLength(contour, True)
    quad = None
    for eps in (0.02, 0.03, 0.04, 0.05):
        approx = cv2.approxPolyDP(contour, eps * peri, True)
        if len(approx) == 4 and cv2.isContourConvex(approx):
            quad = approx.reshape(4, 2).astype(np.float32)
            break
    if quad is None or area < 0.9 * cv2.contourArea(quad):
        return None  # a blob that does not fill its four corners: paper and a patch of desk
    # the page must stand out from what surrounds it, or the "outline" is a shadow or a fold
    inside = np.zeros_like(bright)
    cv2.fillConvexPoly(inside, quad.astype(np.int32), 255)
    ring = cv2.dilate(inside, cv2.getStructuringElement(cv2.MORPH_RECT, (25, 25))) & ~inside
    if not ring.any() or float(closed[inside > 0].mean()) - float(closed[ring > 0].mean()) < min_contrast:
        return None
    return quad, share


def crop_to_sheet(img: np.ndarray, sheet: Sheet) -> np.ndarray:
    """The sheet's bounding box (nothing resampled): most of the desk, and its edges, are gone."""
    h, w = img.shape[:2]
    x0, y0 = np.floor(sheet.corners.min(axis=0)).astype(int)
    x1, y1 = np.ceil(sheet.corners.max(axis=0)).astype(int)
    return img[max(y0, 0) : min(y1, h), max(x0, 0) : min(x1, w)].copy()


def warp_sheet(img: np.ndarray, sheet: Sheet) -> np.ndarray:
    """The sheet cut out and made rectangular (grey or colour image alike)."""
    tl, tr, br, bl = sheet.corners
    width = int(round((np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2))
    height = int(round((np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2))
    dst = np.float32([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]])
    m = cv2.getPerspectiveTransform(sheet.corners.astype(np.float32), dst)
    border = (255, 255, 255) if img.ndim == 3 else 255
    return cv2.warpPerspective(img, m, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT,
                               borderValue=border)
