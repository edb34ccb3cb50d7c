"""The scan reader on pages drawn here: a ruled table with merged cells, Cyrillic and Latin text,
rotated 0.7°, blurred, noisy and JPEG-compressed. Expected grids and texts are what was drawn."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

TITLE = "ЖОНДОР ТУМАН АХБОРОТ-КУТУБХОНА МАРКАЗИНИНГ 2021 ЙИЛ РЕЖАСИ"
COL_W = [220, 1050, 420, 480]
ROW_H = [110, 90, 90, 90, 90, 90, 90]
# (row, col, rowspan, colspan, text)
CELLS = [
    (0, 0, 1, 1, "№"),
    (0, 1, 1, 1, "Бажариладиган ишларнинг мазмуни"),
    (0, 2, 1, 1, "Ўлчов бирлиги"),
    (0, 3, 1, 1, "Бажарилиш муддати"),
    (1, 0, 1, 4, "1. Ҳужжатларни комплектлаш ва ҳисобга олиш"),
    (2, 0, 1, 1, "1.1"),
    (2, 1, 1, 1, "Умумий фонд жами"),
    (2, 2, 1, 1, "ном/нусха"),
    (2, 3, 2, 1, "Йил давомида"),
    (3, 0, 1, 1, "1.2"),
    (3, 1, 1, 1, "Китоб ва китоб маҳсулотлари"),
    (3, 2, 1, 1, "ном/нусха"),
    (4, 0, 1, 1, "1.3"),
    (4, 1, 1, 1, "Мажбурий нусхалар жами"),
    (4, 2, 1, 1, "диск/нусха"),
    (4, 3, 1, 1, "Ҳар чорак"),
    (5, 0, 1, 1, "1.4"),
    (5, 1, 1, 1, "Axborot resurslarini tasniflash"),
    (5, 2, 1, 1, "nusxa"),
    (5, 3, 1, 1, "Doimiy"),
    (6, 0, 1, 1, "1.5"),
    (6, 1, 1, 2, "Электрон каталог юритиш"),
    (6, 3, 1, 1, "Ҳар ой"),
]


def render_page(*, angle: float = 0.7, seed: int = 1, jpeg: int = 60, rulings: bool = True) -> Image.Image:
    """A 300 dpi page: title paragraph, then the table of CELLS; rotated, blurred, noised, JPEG'd."""
    width, height = 2480, 1400
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 38)
    bold = ImageFont.truetype(FONT_BOLD, 40)
    draw.text((300, 120), TITLE, font=bold, fill=0)
    x0, y0 = 140, 300
    xs = [x0 + sum(COL_W[:k]) for k in range(len(COL_W) + 1)]
    ys = [y0 + sum(ROW_H[:k]) for k in range(len(ROW_H) + 1)]
    for r, c, rs, cs, text in CELLS:
        box = (xs[c], ys[r], xs[c + cs], ys[r + rs])
        if rulings:
            draw.rectangle(box, outline=0, width=3)
        draw.text((box[0] + 18, box[1] + 24), text, font=font, fill=0)
    img = img.rotate(angle, resample=Image.BICUBIC, fillcolor=255, expand=False)
    img = img.filter(ImageFilter.GaussianBlur(0.8))
    arr = np.asarray(img).astype(np.int16)
    rng = np.random.default_rng(seed)
    arr = arr + rng.normal(0, 14, arr.shape).astype(np.int16)
    speckle = rng.random(arr.shape) < 0.002
    arr[speckle] = 0
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=jpeg)
    buf.seek(0)
    out = Image.open(buf)
    out.load()
    out.info["dpi"] = (300, 300)
    return out


def cer(got: str, want: str) -> float:
    """Character error rate: Levenshtein distance / length of the truth."""
    a, b = " ".join(got.split()), " ".join(want.split())
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1] / max(len(b), 1)


@pytest.fixture(scope="module")
def scanned_png(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scan") / "page.png"
    render_page().save(path, dpi=(300, 300))
    return path


@pytest.fixture(scope="module")
def document(scanned_png):
    from reja.extract.scan import read_scan

    return read_scan(scanned_png)


def test_grid_rows_cols_and_spans(document):
    assert document.format == "scan"
    assert len(document.tables) == 1
    table = document.tables[0]
    assert (table.n_rows, table.n_cols) == (len(ROW_H), len(COL_W))
    got = sorted((c.row, c.col, c.rowspan, c.colspan) for c in table.cells)
    assert got == sorted((r, c, rs, cs) for r, c, rs, cs, _ in CELLS)


def test_cell_texts_confidence_and_boxes(document):
    table = document.tables[0]
    by_pos = {(c.row, c.col): c for c in table.cells}
    errors = 0
    total = 0
    misread = []
    for r, c, _rs, _cs, text in CELLS:
        cell = by_pos[(r, c)]
        assert cell.page == 1
        assert cell.confidence is not None and 0 <= cell.confidence <= 100
        assert cell.bbox is not None and cell.bbox[2] > cell.bbox[0] and cell.bbox[3] > cell.bbox[1]
        errors += cer(cell.text, text) * len(text)
        total += len(text)
        if cell.text != text:
            misread.append((cell.text, text))
    assert errors / total <= 0.03, misread


def test_title_paragraph_is_read(document):
    titles = [p for p in document.paragraphs if p.bbox is not None and p.bbox[3] < document.tables[0].bbox[1]]
    assert titles, "title above the table not read as a paragraph"
    assert cer(" ".join(p.text for p in titles), TITLE) <= 0.05
    assert all(p.confidence is not None for p in titles)


def _shape(doc):
    return sorted((c.row, c.col, c.rowspan, c.colspan) for c in doc.tables[0].cells)


def test_page_turned_90_degrees_is_set_upright(tmp_path):
    from reja.extract.scan import read_scan

    path = tmp_path / "turned.jpg"
    render_page(angle=0.4, seed=3).rotate(-90, expand=True).save(path, dpi=(300, 300))
    doc = read_scan(path)
    assert any("turned" in w for w in doc.warnings)
    assert (doc.tables[0].n_rows, doc.tables[0].n_cols) == (len(ROW_H), len(COL_W))
    assert _shape(doc) == sorted((r, c, rs, cs) for r, c, rs, cs, _ in CELLS)


def test_multipage_tiff_pages_and_errors(tmp_path):
    from reja.extract.errors import CorruptFile, ReadError
    from reja.extract.scan import read_scan

    path = tmp_path / "plan.tiff"
    blank = Image.new("L", (2480, 1400), 255)
    blank.save(path, save_all=True, append_images=[render_page(angle=-0.5, seed=5)], dpi=(300, 300))
    doc = read_scan(path)  # the blank first page does not choose the model
    assert doc.page_count == 2 and {t.page for t in doc.tables} == {2}
    assert any("uzb_cyrl chosen" in w and "page 2" in w for w in doc.warnings)
    assert all(c.page == 2 for c in doc.tables[0].cells)
    with pytest.raises(ReadError, match="page 3"):
        read_scan(path, pages=[3])
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    with pytest.raises(CorruptFile):
        read_scan(bad)


def test_cache_returns_the_same_document(tmp_path, scanned_png):
    from reja.extract.scan import read_scan

    first = read_scan(scanned_png, cache_dir=tmp_path / "c")
    assert list((tmp_path / "c").rglob("*.json")), "nothing cached"
    second = read_scan(scanned_png, cache_dir=tmp_path / "c")
    assert [(c.row, c.col, c.text, c.confidence) for c in first.tables[0].cells] == \
        [(c.row, c.col, c.text, c.confidence) for c in second.tables[0].cells]


def test_without_a_cache_a_page_is_hashed_once(monkeypatch, scanned_png):
    """Issue 18 (speed): the page's pixels are hashed for the cache keys only when there is a cache;
    without one, once (to hand the page the model choice prepared to its reading)."""
    from reja.extract.scan import cache, page, read_scan, reader

    calls: list[tuple] = []

    def counting(img):
        calls.append(img.shape)
        return cache.image_digest(img)

    monkeypatch.setattr(reader, "image_digest", counting)
    monkeypatch.setattr(page, "image_digest", counting)
    read_scan(scanned_png, cache_dir=False)
    assert len(calls) == 2  # the model choice's preparation and the page's reading: one key each
    calls.clear()
    read_scan(scanned_png, cache_dir=False)
    assert len(calls) == 2


SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "jondor_2021_scan.pdf"


@pytest.mark.slow
@pytest.mark.skipif(not SAMPLE.exists(), reason="scanned sample not generated")
def test_jondor_scan_first_page():
    """Page 1 of the scanned Jondor sample (skewed, blurred, JPEG): the table is found and its
    first rows read as in the seed (../shared/seeds/002_…: "1.1 | Умумий фонд жами … | ном/нусха |
    Йил давомида")."""
    from reja.extract.scan import read_scan

    doc = read_scan(SAMPLE, pages=[1])
    assert len(doc.tables) == 1 and doc.tables[0].n_cols == 4
    table = doc.tables[0]
    header = table.row_texts(0)
    assert header[0] == "№"
    assert cer(header[1], "Бажариладиган ишларнинг мазмуни") <= 0.05
    rows = {t[0]: t for t in (table.row_texts(r) for r in range(table.n_rows)) if t[0]}
    assert "1.1" in rows and "1.2" in rows
    assert rows["1.1"][2] == "ном/нусха"
    assert rows["1.1"][3] == "Йил давомида"
    assert cer(rows["1.2"][3], "Ҳар чорак") == 0
    titles = " ".join(p.text for p in doc.paragraphs)
    assert "2021 ЙИЛ РЕЖАСИ" in titles


def test_table_without_rulings_is_rebuilt_from_text_positions(tmp_path):
    from reja.extract.scan import read_scan

    path = tmp_path / "lineless.png"
    render_page(angle=0.5, seed=7, rulings=False).save(path, dpi=(300, 300))
    doc = read_scan(path)
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert (table.n_rows, table.n_cols) == (len(ROW_H), len(COL_W))
    by_pos = {(c.row, c.col): c for c in table.cells}
    assert by_pos[(1, 0)].colspan == 4  # the section heading row spans the table
    assert all(any(n.startswith("lineless_table") for n in c.notes) for c in table.cells)
    found = sum(1 for r, c, _rs, _cs, text in CELLS if (r, c) in by_pos and cer(by_pos[(r, c)].text, text) <= 0.1)
    assert found >= len(CELLS) - 2


def test_unreadable_page_raises_ocr_failed_with_page(tmp_path, monkeypatch, scanned_png):
    from reja.extract.errors import OcrFailed
    from reja.extract.scan import reader
    from reja.extract.scan.ocr import OcrError

    def broken(*_a, **_k):
        raise OcrError("Tesseract failed to recognise the crop")

    monkeypatch.setattr(reader, "read_page", broken)
    with pytest.raises(OcrFailed) as info:
        reader.read_scan(scanned_png)
    assert info.value.page == 1 and "recognise" in info.value.cause and info.value.file == "page.png"
