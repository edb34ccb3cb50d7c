"""A small two-page plan drawn here (title block, ruled table with a two-row header, values),
and its expected items: what was drawn. Used by the image tests and the fuzzer."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

TITLE = ["Izboskan tuman axborot-kutubxona markazining", "2025-yil uchun ish rejasi"]
HEADER = ["№", "Nomi", "O'lchov birligi", "2024-yil (fakt)", "2025-yil (reja)", "Bajarilish muddati"]
COL_W = [150, 900, 330, 260, 260, 440]
# (item_no, text, unit, fact, plan, deadline)
ROWS_P1 = [
    ("1.", "Kitobxonlar bilan uchrashuvlar", "tadbir", "12", "14", "Yil davomida"),
    ("2.", "Yangi adabiyotlar ko'rgazmasi", "ko'rgazma", "4", "6", "Har chorak"),
    ("3.", "Fondni to'ldirish", "nusxa", "1075", "1200", "Yil davomida"),
    ("4.", "Elektron katalog yuritish", "yozuv", "95", "100", "Doimiy"),
    ("5.", "Kutubxona darslari", "dars", "7", "10", "Har oy"),
]
ROWS_P2 = [
    ("6.", "Mutolaa kechalari", "tadbir", "20", "24", "Har oy"),
    ("7.", "Sayyor kutubxona xizmati", "xizmat", "40", "45", "Yil davomida"),
    ("8.", "Adabiy kechalar", "tadbir", "2", "1", "Har chorak"),
]


def _table(draw: ImageDraw.ImageDraw, x0: int, y0: int, rows, header: bool, font, bold) -> int:
    xs = [x0 + sum(COL_W[:k]) for k in range(len(COL_W) + 1)]
    y = y0
    if header:
        h = 130
        for c, text in enumerate(HEADER):
            draw.rectangle((xs[c], y, xs[c + 1], y + h), outline=0, width=3)
            words, line, lines = text.split(), "", []
            for w in words:  # wrap into the column
                trial = (line + " " + w).strip()
                if draw.textlength(trial, font=bold) > COL_W[c] - 20 and line:
                    lines.append(line)
                    line = w
                else:
                    line = trial
            lines.append(line)
            for k, ln in enumerate(lines):
                draw.text((xs[c] + 10, y + 12 + k * 42), ln, font=bold, fill=0)
        y += h
    for row in rows:
        h = 95
        for c, text in enumerate(row):
            draw.rectangle((xs[c], y, xs[c + 1], y + h), outline=0, width=3)
            draw.text((xs[c] + 12, y + 26), text, font=font, fill=0)
        y += h
    return y


def plan_page(page: int = 1) -> Image.Image:
    """Page 1: title and the table's first rows; page 2: its continuation (no header), RGB 300 dpi."""
    width, height = 2480, 1754  # A4 landscape at 300 dpi, as plans are printed
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 36)
    bold = ImageFont.truetype(FONT_BOLD, 34)
    y = 120
    if page == 1:
        for line in TITLE:
            draw.text((width // 2 - draw.textlength(line, font=bold) // 2, y), line, font=bold, fill=0)
            y += 60
        y += 60
        _table(draw, 70, y, ROWS_P1, True, font, bold)
    else:
        _table(draw, 70, y, ROWS_P2, False, font, bold)
    return img


def expected_items(pages: tuple[int, ...] = (1,)) -> list[tuple[str, str, str]]:
    """(item_no, fact, plan) as drawn, trailing dot of the number dropped (docs/conventions.md)."""
    rows = (ROWS_P1 if 1 in pages else []) + (ROWS_P2 if 2 in pages else [])
    return [(r[0].rstrip("."), r[3], r[4]) for r in rows]
