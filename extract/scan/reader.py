"""read_scan: a scanned PDF or page images → the same IR `Document` the typed readers produce.

Per page (in parallel up to `jobs`): load → cache lookup → prepare (orientation, deskew, denoise,
binarise, 300 dpi) → ruling grid → OCR each cell on its own crop → paragraphs around the tables.
Then, over the whole document: repairs that need neighbours (item-number sequence, vocabulary).
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import cv2
from reja.extract.errors import OcrFailed, ReadError
from reja.extract.ir import Block, Cell, Document, Paragraph, Table
from reja.extract.progress import page_runner
from reja.extract.progress import pages_read as _pages_read
from reja.extract.settings import ParseSettings, load_parse_settings

from .alphabet import mark_lost_letters
from .cache import OcrCache, cache_key, image_digest
from .language import MODEL_SCRIPT, choose_model
from .ocr import OcrError, tesseract_version
from .page import read_page, sample_crops
from .rasterize import kind_of, load_page, page_count
from .repair import repair_document
from .settings import ScanSettings

_loaded: dict = {}  # the page the model choice loaded, handed once to the page's reading


def _load(path: Path, page_no: int, dpi: int):
    """load_page, but the page the model choice just rendered is not rendered again for its reading
    (a PDF page at 300 dpi: ~0.5-1.5 s; issue 18)."""
    key = _page_key(path, page_no, dpi)
    if key in _loaded:
        return _loaded.pop(key)
    return load_page(path, page_no, dpi)


def _page_key(path: Path, page_no: int, dpi: int) -> tuple:
    st = path.stat()
    return (str(path), st.st_mtime_ns, st.st_size, page_no, dpi)


def _page_job(path: str, page_no: int, lang: str, settings: ParseSettings, cache_dir: str | None) -> dict:
    """Runs in a worker process: never raises (ReadErrors do not pickle), returns {"error": …}."""
    p = Path(path)
    scan = settings.scan
    try:
        img, dpi = _load(p, page_no, scan.dpi)
        cache = OcrCache(Path(cache_dir) if cache_dir else None)
        key = None
        if cache.dir is not None:  # hashing the page's pixels costs ~6 ms: only for a cache
            # the header scores name the number columns whose cells are read again: part of what a page is
            key = cache_key("page", image_digest(img), str(dpi), scan.fingerprint(), repr(settings.header),
                            tesseract_version(), lang)
            hit = cache.get(key)
            if hit is not None:
                hit["cached"] = True
                return hit
        data = read_page(img, dpi, lang, scan, settings.header)
        if key is not None:
            cache.put(key, data)
        data["cached"] = False
        return data
    except ReadError as exc:
        return {"error": exc.cause, "error_type": type(exc).__name__}
    except (OcrError, cv2.error, MemoryError, ValueError) as exc:
        return {"error": f"{type(exc).__name__}: {exc}", "error_type": "OcrFailed"}


def _choose_lang(path: Path, pages: list[int], settings: ScanSettings, cache: OcrCache) -> tuple[str, str]:
    """The OCR model for the document, from the first of `pages` that has text (a blank cover
    page must not decide it)."""
    for page_no in pages[:3]:
        img, dpi = load_page(path, page_no, settings.dpi)
        _loaded.clear()
        _loaded[_page_key(path, page_no, settings.dpi)] = (img, dpi)
        key = None
        if cache.dir is not None:
            key = cache_key("model", image_digest(img), str(dpi), settings.fingerprint(), tesseract_version())
            hit = cache.get(key)
            if hit is not None:
                return hit["lang"], hit["note"]
        crops, crop_dpi = sample_crops(img, dpi, settings)
        if not crops:
            continue
        choice = choose_model(crops, settings.language_candidates, min_cells=settings.language_min_cells,
                              decided_ratio=settings.language_decided_ratio,
                              sure_score=settings.language_sure_score, psm=settings.cell_psm,
                              dpi=crop_dpi)
        note = choice.note() + f" from page {page_no}"
        if key is not None:
            cache.put(key, {"lang": choice.lang, "note": note})
        return choice.lang, note
    return settings.language_candidates[0], "no text found to choose the OCR model from"


def _to_blocks(data: dict, page_no: int, first_table_index: int) -> list[Block]:
    blocks: list[tuple[float, Block]] = []
    for t in data["tables"]:
        table = Table(index=0, n_rows=t["n_rows"], n_cols=t["n_cols"], page=page_no, bbox=tuple(t["bbox"]))
        for c in t["cells"]:
            table.cells.append(Cell(
                row=c["row"], col=c["col"], text=c["text"], rowspan=c["rowspan"], colspan=c["colspan"],
                page=page_no, bbox=tuple(float(v) for v in c["bbox"]), confidence=c["confidence"],
                notes=list(c.get("notes", [])),
            ))
        blocks.append((t["bbox"][1], table))
    for p in data["paragraphs"]:
        blocks.append((p["bbox"][1], Paragraph(text=p["text"], page=page_no, bbox=tuple(float(v) for v in p["bbox"]),
                                               confidence=p["confidence"])))
    blocks.sort(key=lambda b: b[0])
    out = [b for _y, b in blocks]
    index = first_table_index
    for b in out:
        if isinstance(b, Table):
            b.index = index
            index += 1
    return out


def read_scan(path: Path, *, pages: list[int] | None = None, jobs: int = 1, cache_dir: Path | None | bool = None,
              settings: ParseSettings | None = None, new_alphabet: bool = False) -> Document:
    """Read a scanned plan. `pages` are 1-based (default all); `jobs` pages in parallel;
    `cache_dir` keeps OCR results by content hash (None: $REJA_OCR_CACHE if set, else no cache; False:
    no cache whatever the environment says, as `reja import --no-ocr-cache` asks).
    `settings`: the parse settings (`reja.extract.settings`: the scan reader's, and the header scores
    that name the columns it re-reads and repairs); by default this installation's.
    `new_alphabet`: the file's typed pages are in the 2026 Latin alphabet (rows whose OCR lost
    ş ç ö ğ are flagged `ocr_alphabet`; without the hint the words themselves tell).

    Raises a ReadError: UnsupportedFormat / EmptyFile / CorruptFile / TooLarge for the file, and
    OcrFailed (file, page, cause) for a page that cannot be read.
    """
    path = Path(path)
    settings = settings or load_parse_settings()
    n, wanted = _wanted_pages(path, pages)
    cache_dir = _cache_dir(cache_dir)
    try:
        tesseract_version()
    except OcrError as exc:
        raise OcrFailed(path.name, str(exc)) from exc
    try:
        lang, lang_note = _choose_lang(path, wanted, settings.scan, OcrCache(cache_dir))
    except OcrError as exc:
        raise OcrFailed(path.name, str(exc), page=wanted[0]) from exc
    results = _read_pages(path, wanted, lang, settings, cache_dir, jobs)
    doc = Document(source=path.name, format="scan", page_count=n)
    doc.warnings.append(lang_note)
    for page_no, data in zip(wanted, results, strict=True):
        if "error" in data:
            raise OcrFailed(path.name, data["error"], page=page_no)
        doc.blocks.extend(_to_blocks(data, page_no, len(doc.tables)))
        doc.warnings.extend(f"page {page_no}: {note}" for note in data.get("notes", []))
    repair_document(doc, lang=lang, settings=settings)
    if MODEL_SCRIPT.get(lang) == "latin":
        mark_lost_letters(doc, hint=new_alphabet)
    return doc


def _wanted_pages(path: Path, pages: list[int] | None) -> tuple[int, list[int]]:
    """(the file's page count, the 1-based pages to read); a ReadError for a page it does not have."""
    kind_of(path)
    n = page_count(path)
    wanted = sorted(set(pages)) if pages else list(range(1, n + 1))
    bad = [p for p in wanted if p < 1 or p > n]
    if bad:
        raise ReadError(path.name, f"page {bad[0]} does not exist (the file has {n} pages)")
    return n, wanted


def _cache_dir(cache_dir: Path | None | bool) -> Path | None:
    """read_scan's `cache_dir` as a folder or None (None: $REJA_OCR_CACHE if set; False: none, and the
    environment is not asked)."""
    if cache_dir is None and os.environ.get("REJA_OCR_CACHE"):
        return Path(os.environ["REJA_OCR_CACHE"])
    return cache_dir or None


def _read_pages(path: Path, wanted: list[int], lang: str, settings: ParseSettings, cache_dir: Path | None,
                jobs: int) -> list[dict]:
    """Each wanted page's `_page_job` result, in page order: here one after the other, through the
    page runner someone set (reja.cluster: idle Dask workers), or in a pool of `jobs` processes."""
    cache = str(cache_dir) if cache_dir else None
    args = [(str(path), p, lang, settings, cache) for p in wanted]
    results: list[dict] = []
    _pages_read(0, len(wanted))
    runner = page_runner()
    if jobs <= 1 or len(wanted) == 1:
        for a in args:
            results.append(_page_job(*a))
            _pages_read(len(results), len(wanted))
    elif runner is not None:
        calls = [{"page_no": p, "lang": lang, "settings": settings, "cache_dir": cache} for p in wanted]
        for data in runner(_page_job, str(path), calls, jobs):
            results.append(data)
            _pages_read(len(results), len(wanted))
    else:
        _loaded.clear()  # the workers render their own pages
        with ProcessPoolExecutor(max_workers=min(jobs, len(wanted))) as pool:
            for data in pool.map(_page_job, *zip(*args, strict=True)):  # in page order, as each is ready
                results.append(data)
                _pages_read(len(results), len(wanted))
    _loaded.clear()
    return results
