"""Tesseract on one crop at a time: words with boxes and confidences.

Each cell is OCR'd on its own crop, so a page means hundreds of small recognitions. Spawning the
`tesseract` program for each (pytesseract) reloads the model every time (~0.2 s per crop), so the
engine talks to Debian's libtesseract through its C API (ctypes) and keeps one loaded model per
language per process. When the library cannot be loaded, the same interface runs on pytesseract.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import hashlib
import os
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np

from .settings import REFERENCE_DPI

# Tesseract's OpenMP threads fight our page-level processes for the same cores.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

UPSCALE = 2
SMALL_CROP_PX = 200  # crops lower than this (at REFERENCE_DPI: up to ~3 text lines) are doubled
RIL_TEXTLINE = 2
RIL_WORD = 3


@dataclass(slots=True)
class Word:
    text: str
    confidence: float  # 0..100
    bbox: tuple[int, int, int, int]  # x0, top, x1, bottom in the crop
    line: int  # text-line number within the crop, from 0


@dataclass(slots=True)
class OcrResult:
    words: list[Word] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Words joined by spaces, text lines by newlines (the hyphen joiner needs the breaks)."""
        lines: list[list[str]] = []
        last = None
        for w in self.words:
            if w.line != last:
                lines.append([])
                last = w.line
            lines[-1].append(w.text)
        return "\n".join(" ".join(line) for line in lines)

    @property
    def confidence(self) -> float | None:
        """Mean word confidence; None when nothing was read."""
        if not self.words:
            return None
        return float(sum(w.confidence for w in self.words) / len(self.words))


class OcrError(RuntimeError):
    pass


@lru_cache(maxsize=1)
def tesseract_version() -> str:
    """Part of the cache key: a new Tesseract may read differently."""
    lib = _load_lib()
    if lib is not None:
        return "lib " + lib.TessVersion().decode()
    try:
        out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise OcrError(f"tesseract is not installed or does not run: {exc}") from exc
    return "cli " + (out.stdout or out.stderr).splitlines()[0].strip()


@lru_cache(maxsize=1)
def _load_lib():
    name = ctypes.util.find_library("tesseract") or "libtesseract.so.5"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    vp, cp, i, f = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_float
    ip = ctypes.POINTER(ctypes.c_int)
    sigs = {
        "TessVersion": (cp, []),
        "TessBaseAPICreate": (vp, []),
        "TessBaseAPIInit3": (i, [vp, cp, cp]),
        "TessBaseAPISetPageSegMode": (None, [vp, i]),
        "TessBaseAPISetVariable": (i, [vp, cp, cp]),
        "TessBaseAPISetImage": (None, [vp, ctypes.c_void_p, i, i, i, i]),
        "TessBaseAPISetSourceResolution": (None, [vp, i]),
        "TessBaseAPIRecognize": (i, [vp, vp]),
        "TessBaseAPIGetIterator": (vp, [vp]),
        "TessBaseAPIClear": (None, [vp]),
        "TessBaseAPIEnd": (None, [vp]),
        "TessBaseAPIDelete": (None, [vp]),
        "TessResultIteratorGetPageIterator": (vp, [vp]),
        "TessResultIteratorNext": (i, [vp, i]),
        "TessResultIteratorGetUTF8Text": (ctypes.POINTER(ctypes.c_char), [vp, i]),
        "TessResultIteratorConfidence": (f, [vp, i]),
        "TessResultIteratorDelete": (None, [vp]),
        "TessPageIteratorBoundingBox": (i, [vp, i, ip, ip, ip, ip]),
        "TessPageIteratorIsAtBeginningOf": (i, [vp, i]),
        "TessDeleteText": (None, [ctypes.POINTER(ctypes.c_char)]),
    }
    try:
        for fname, (res, args) in sigs.items():
            fn = getattr(lib, fname)
            fn.restype = res
            fn.argtypes = args
    except AttributeError:
        return None
    return lib


class _LibEngine:
    """One initialised TessBaseAPI for one language."""

    def __init__(self, lang: str):
        self.lib = _load_lib()
        self.handle = self.lib.TessBaseAPICreate()
        if self.lib.TessBaseAPIInit3(self.handle, None, lang.encode()) != 0:
            self.lib.TessBaseAPIDelete(self.handle)
            raise OcrError(f"Tesseract could not load the '{lang}' model (is tesseract-ocr-{lang} installed?)")
        atexit.register(self.close)  # frees the model cleanly (else Tesseract prints leak warnings)

    def close(self) -> None:
        if self.handle:
            self.lib.TessBaseAPIEnd(self.handle)
            self.lib.TessBaseAPIDelete(self.handle)
            self.handle = None

    def read(self, img: np.ndarray, psm: int, dpi: int, whitelist: str | None = None) -> OcrResult:
        if whitelist is None:
            return self._read(img, psm, dpi)
        self.lib.TessBaseAPISetVariable(self.handle, b"tessedit_char_whitelist", whitelist.encode())
        try:
            return self._read(img, psm, dpi)
        finally:  # the engine is shared by every later crop of the process
            self.lib.TessBaseAPISetVariable(self.handle, b"tessedit_char_whitelist", b"")

    def _read(self, img: np.ndarray, psm: int, dpi: int) -> OcrResult:
        lib, h = self.lib, self.handle
        img = np.ascontiguousarray(img, dtype=np.uint8)
        height, width = img.shape[:2]
        lib.TessBaseAPISetPageSegMode(h, psm)
        lib.TessBaseAPISetImage(h, img.ctypes.data, width, height, 1, img.strides[0])
        lib.TessBaseAPISetSourceResolution(h, dpi)
        if lib.TessBaseAPIRecognize(h, None) != 0:
            raise OcrError("Tesseract failed to recognise the crop")
        result = OcrResult()
        it = lib.TessBaseAPIGetIterator(h)
        if not it:
            lib.TessBaseAPIClear(h)
            return result
        page_it = lib.TessResultIteratorGetPageIterator(it)
        line = -1
        x0, y0, x1, y1 = (ctypes.c_int() for _ in range(4))
        try:
            while True:
                if lib.TessPageIteratorIsAtBeginningOf(page_it, RIL_TEXTLINE):
                    line += 1
                ptr = lib.TessResultIteratorGetUTF8Text(it, RIL_WORD)
                if ptr:
                    text = ctypes.string_at(ptr).decode("utf-8", "replace").strip()
                    lib.TessDeleteText(ptr)
                    conf = lib.TessResultIteratorConfidence(it, RIL_WORD)
                    lib.TessPageIteratorBoundingBox(
                        page_it, RIL_WORD, ctypes.byref(x0), ctypes.byref(y0), ctypes.byref(x1), ctypes.byref(y1)
                    )
                    if text:
                        result.words.append(
                            Word(text, float(conf), (x0.value, y0.value, x1.value, y1.value), max(line, 0))
                        )
                if not lib.TessResultIteratorNext(it, RIL_WORD):
                    break
        finally:
            lib.TessResultIteratorDelete(it)
            lib.TessBaseAPIClear(h)
        return result


class _CliEngine:
    """pytesseract fallback: one tesseract process per crop (slow but always there)."""

    def __init__(self, lang: str):
        self.lang = lang

    def read(self, img: np.ndarray, psm: int, dpi: int, whitelist: str | None = None) -> OcrResult:
        import pytesseract
        from PIL import Image

        config = f"--psm {psm} --dpi {dpi}" + (f" -c tessedit_char_whitelist={whitelist}" if whitelist else "")
        try:
            data = pytesseract.image_to_data(
                Image.fromarray(img), lang=self.lang, config=config,
                output_type=pytesseract.Output.DICT,
            )
        except (pytesseract.TesseractError, OSError) as exc:
            raise OcrError(f"tesseract failed: {exc}") from exc
        result = OcrResult()
        lines: dict[tuple[int, int, int], int] = {}
        for k, text in enumerate(data["text"]):
            text = (text or "").strip()
            conf = float(data["conf"][k])
            if not text or conf < 0:
                continue
            key = (data["block_num"][k], data["par_num"][k], data["line_num"][k])
            line = lines.setdefault(key, len(lines))
            x, y, w, h = data["left"][k], data["top"][k], data["width"][k], data["height"][k]
            result.words.append(Word(text, conf, (x, y, x + w, y + h), line))
        return result


_engines: dict[str, object] = {}


def engine(lang: str):
    """The process's engine for a language (models load once per process)."""
    if lang not in _engines:
        _engines[lang] = _LibEngine(lang) if _load_lib() is not None else _CliEngine(lang)
    return _engines[lang]


_MEMO_SIZE = 256  # a page's cells (~100-200 crops): the model choice's sample is still there when they are read
_memo: dict[tuple, OcrResult] = {}  # the last readings of this process, by crop content and options


def _copy(res: OcrResult) -> OcrResult:
    return OcrResult([Word(w.text, w.confidence, w.bbox, w.line) for w in res.words])


def ocr_crop(img: np.ndarray, lang: str, *, psm: int = 6, dpi: int = REFERENCE_DPI, whitelist: str | None = None) -> OcrResult:
    """OCR a grayscale crop (uint8, text dark on white). A margin is added: Tesseract misses glyphs
    touching the border. `whitelist`: the only characters Tesseract may output (number cells).

    The same pixels with the same options are read once per process: the model choice samples
    a page's inkiest cells with every model, and the page's reading then reads them again."""
    if img.size == 0 or img.shape[0] < 4 or img.shape[1] < 4:
        return OcrResult()
    key = (hashlib.blake2b(np.ascontiguousarray(img).tobytes(), digest_size=16).digest(), img.shape, lang, psm,
           dpi, whitelist)
    if key in _memo:
        return _copy(_memo[key])
    result = _read_crop(img, lang, psm, dpi, whitelist)
    if len(_memo) >= _MEMO_SIZE:
        _memo.pop(next(iter(_memo)))
    _memo[key] = _copy(result)
    return result


def _read_crop(img: np.ndarray, lang: str, psm: int, dpi: int, whitelist: str | None) -> OcrResult:
    # Measured on noisy JPEG scans: Tesseract misreads short items ("1.2" → "122", "1.1" → "1,1")
    # on the grey crop, but reads them right once the crop is doubled and Otsu-binarised on its own.
    scale = UPSCALE if img.shape[0] < SMALL_CROP_PX * dpi / REFERENCE_DPI else 1
    if 100 <= dpi < REFERENCE_DPI:
        # A crop of a page read at its own, lower resolution (a ~200 dpi photo: prepare.native_resolution)
        # is brought to REFERENCE_DPI first: read at 200 (400 doubled) dpi, "11" came out as "1" in four
        # value cells of the 125 dev-wide photos that read right from the page upscaled (issue 18). An
        # image below 100 dpi is no page (prepare.resolution_scale leaves it alone): nor is its crop.
        scale = scale * REFERENCE_DPI / dpi
    if scale != 1:
        img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    _t, img = cv2.threshold(img, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    pad = int(round(10 * scale))
    padded = np.pad(img, pad, mode="constant", constant_values=255)
    result = engine(lang).read(padded, psm, int(round(dpi * scale)), whitelist)
    for w in result.words:
        x0, y0, x1, y1 = w.bbox
        w.bbox = tuple(max(int((v - pad) / scale), 0) for v in (x0, y0, x1, y1))
    return result
