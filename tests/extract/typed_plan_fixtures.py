"""Typed plan documents written from a spec with python-docx (and turned into PDF by LibreOffice), for
the layout tests of issue 17: the same plan with full borders, without any ruling line, with a rule
under the header only, or with horizontal rules only; headers in Uzbek Latin, Cyrillic or Russian.
The expected items are the spec's own rows."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

HEADERS = {
    "uz_latn": ["№", "Bajariladigan ishlar mazmuni", "O'lchov birligi", "{f} yil fakt", "{p} yil reja",
                "Bajarilish muddati", "Mas'ullar"],
    "uz_cyrl": ["Т/р", "Тадбирлар номи", "Ўлчов бирлиги", "{f} йил факт", "{p} йил режаси",
                "Бажарилиш муддати", "Масъуллар"],
    "ru": ["№ п/п", "Наименование мероприятий", "Ед. изм.", "Факт {f} г.", "План {p} г.", "Срок исполнения",
           "Ответственные"],
}
TEXTS = [
    "Kitob fondini yangi adabiyotlar bilan to'ldirish va ularni elektron katalogga kiritish",
    "Davriy nashrlarga obuna bo'lish",
    "Kitobxonlar konferensiyasini tashkil etish hamda unga mahalla faollarini jalb qilish",
    "Yosh kitobxonlar uchun badiiy kitoblar ko'rgazmasi",
    "Milliy qadriyatlar mavzusida davra suhbati",
    "Kutubxona xodimlarining malakasini oshirish bo'yicha seminar o'tkazish",
    "Ma'naviy-ma'rifiy tadbirlar",
    "Elektron resurslar bazasini yangilash",
]
UNITS = ["nusxa", "nom", "tadbir", "dona", "marta"]
DEADLINES = ["Yil davomida", "I chorak", "Har oyda", "Aprel-may", "Dekabr"]
RESPONSIBLE = ["Direktor", "Bo'lim mudiri", "Metodist", "Kutubxonachi"]


@dataclass
class Item:
    no: str
    text: str
    unit: str
    fact: int
    plan: int
    deadline: str
    responsible: str


@dataclass
class PlanSpec:
    district: str = "Paxtaobod tumani"
    year: int = 2024
    header: str = "uz_latn"
    borders: str = "none"  # "all" | "none" | "header_rule" | "horizontal"
    sections: list[tuple[str, list[Item]]] = field(default_factory=list)

    def items(self) -> list[Item]:
        return [i for _, items in self.sections for i in items]


def make_spec(n_sections: int = 2, per_section: int = 6, **kw) -> PlanSpec:
    spec = PlanSpec(**kw)
    k = 0
    for s in range(n_sections):
        items = []
        for j in range(per_section):
            items.append(Item(f"{j + 1}.", TEXTS[k % len(TEXTS)], UNITS[k % len(UNITS)], 10 + 7 * k, 1200 + 35 * k,
                              DEADLINES[k % len(DEADLINES)], RESPONSIBLE[k % len(RESPONSIBLE)]))
            k += 1
        roman = ["I", "II", "III", "IV"][s]
        spec.sections.append((f"{roman}. {['KITOB FONDI BILAN ISHLASH', 'OMMAVIY TADBIRLAR', 'METODIK ISHLAR'][s % 3]}",
                              items))
    return spec


def _border(cell, sides: dict[str, bool]) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    for side in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{side}")
        if sides.get(side):
            el.set(qn("w:val"), "single")
            el.set(qn("w:sz"), "6")
            el.set(qn("w:color"), "000000")
        else:
            el.set(qn("w:val"), "nil")
        borders.append(el)
    tc_pr.append(borders)


def write_docx(spec: PlanSpec, path: Path) -> Path:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for m in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, m, Cm(1.5))
    style = doc.styles["Normal"]
    style.font.name = "Liberation Serif"
    style.font.size = Pt(11)
    russian = spec.header == "ru"
    for line in (["УТВЕРЖДАЮ", f"Директор ИБЦ {spec.district}", "Н.Бурхонов", f"«6» января {spec.year} г."] if russian
                 else ["TASDIQLAYMAN", f"{spec.district} AKM direktori", "N.Burxonov", f"{spec.year}-yil 6-yanvar"]):
        p = doc.add_paragraph(line)
        p.paragraph_format.left_indent = Cm(18)
    title = (f"План работы ИБЦ {spec.district} на {spec.year} год" if russian
             else f"{spec.district} axborot-kutubxona markazining {spec.year}-yilga mo'ljallangan ISH REJASI")
    doc.add_paragraph(title).alignment = 1
    heads = [h.format(f=spec.year - 1, p=spec.year) for h in HEADERS[spec.header]]
    rows = 1 + sum(1 + len(items) for _, items in spec.sections)
    table = doc.add_table(rows=rows, cols=len(heads))
    widths = [Cm(1.3), Cm(9.0), Cm(2.4), Cm(2.2), Cm(2.2), Cm(4.0), Cm(4.5)]
    for c, text in enumerate(heads):
        table.cell(0, c).text = text
    r = 1
    for title_text, items in spec.sections:
        merged = table.cell(r, 0).merge(table.cell(r, len(heads) - 1))
        merged.text = title_text
        merged.paragraphs[0].alignment = 1
        r += 1
        for it in items:
            for c, v in enumerate([it.no, it.text, it.unit, f"{it.fact:,}".replace(",", " "),
                                   f"{it.plan:,}".replace(",", " "), it.deadline, it.responsible]):
                table.cell(r, c).text = v
            r += 1
    for row_no, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.width = widths[c]
            if spec.borders == "all":
                _border(cell, {"top": True, "left": True, "bottom": True, "right": True})
            elif spec.borders == "header_rule":
                _border(cell, {"bottom": row_no == 0})
            elif spec.borders == "horizontal":
                _border(cell, {"top": True, "bottom": True})
            else:
                _border(cell, {})
    doc.add_paragraph("")
    doc.add_paragraph("Direktor                                                     N.Burxonov")
    doc.save(path)
    return path


def to_pdf(docx: Path, out_dir: Path) -> Path:
    soffice = shutil.which("soffice")
    if soffice is None:
        raise RuntimeError("LibreOffice is needed to render the PDF fixtures")
    subprocess.run([soffice, f"-env:UserInstallation={(out_dir / 'lo-profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out_dir), str(docx)],
                   check=True, capture_output=True, timeout=240)
    return out_dir / (docx.stem + ".pdf")


def expected_rows(spec: PlanSpec) -> list[tuple]:
    return [(sec.split(".")[0], i.no.rstrip("."), i.text, i.unit, float(i.fact), float(i.plan), i.deadline,
             i.responsible) for sec, items in spec.sections for i in items]


def got_rows(plan) -> list[tuple]:
    return [(i.section_no, i.item_no, i.text, i.unit, i.fact_value, i.plan_value, i.deadline, i.responsible)
            for i in plan.items]
