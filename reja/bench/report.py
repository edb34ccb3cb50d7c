"""The benchmark as markdown (docs/benchmarks.md) and JSON, each written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from reja.evaluate import Counts

from .scoring import SCORED_FIELDS
from .tools import TOOLS

PER_DOCUMENT = frozenset({"docx", "doc"})  # Word files have no fixed pages: time per document


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, result: dict) -> None:
    write_atomic(path, json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n")


# --- cell formatting ------------------------------------------------------------------------------


def pct(x: float | None, na: str = "n/a — nothing to score") -> str:
    return na if x is None else f"{100 * x:.1f}%"


def num(x: float | None, digits: int = 3, na: str = "n/a — not measured") -> str:
    return na if x is None else f"{x:.{digits}f}"


def secs(x: float | None, na: str = "n/a — not measured") -> str:
    if x is None:
        return na
    if x < 0.01:  # a tool that gave up at once: keep its time visible, not "0.000"
        return f"{x:.5f}"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def unit_of(fmt: str) -> str:
    return "s/document" if fmt in PER_DOCUMENT else "s/page"


def per_unit(seconds: float | None, f: dict, fmt: str) -> float | None:
    if seconds is None:
        return None
    return seconds / (f["documents"] if fmt in PER_DOCUMENT else max(f["pages"], 1))


def _row(cells: list[Any]) -> str:
    return "| " + " | ".join(str(c) if str(c).strip() else "n/a" for c in cells) + " |"


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    return [_row(header), _row(["---"] * len(header)), *(_row(r) for r in rows)]


def _tool_slot(f: dict, key: str) -> dict:
    return f.get(key) or {"na": "n/a — not run"}


def _accuracy_cell(slot: dict) -> str:
    if "na" in slot:
        return slot["na"]
    r = slot["rates"]
    cell = f"{pct(r['cell_exact'])} cells · CER {num(r['text_cer'], 4)}"
    if slot.get("errors"):
        cell += f" (failed: {slot['errors'][0][:60]})"
    return cell


# --- sections -------------------------------------------------------------------------------------


def _machine(m: dict) -> list[str]:
    return ["## Machine", "", *_table(
        ["date", "CPU", "cores", "RAM", "OS", "Python", "Tesseract", "LibreOffice", "load (1 min) at start"],
        [[m["date_utc"], m["cpu"], m["cores"], f"{m['ram_gib']} GiB" if m["ram_gib"] else "n/a — unknown", m["os"],
          m["python"], m["tesseract"], m["libreoffice"], m["load_average_1m"]]],
    ), ""]  # fmt: skip


def _accuracy(formats: dict) -> list[str]:
    labels = ["reja"] + [t.label for t in TOOLS]
    keys = ["reja"] + [t.key for t in TOOLS]
    summary = []
    detail = []
    for fmt, f in formats.items():
        items = f["reja"]["score"]["items"]
        summary.append([f"{fmt} ({f['documents']} doc, {items} items)"] + [_accuracy_cell(_tool_slot(f, k)) for k in keys])
        for key, label in zip(keys, labels, strict=True):
            slot = _tool_slot(f, key)
            if "na" in slot:
                continue  # the summary table above says why
            r, s = slot["rates"], slot["score"]
            detail.append([fmt, label, slot.get("rows", "n/a"),
                           *(pct(r[f"{fld}_exact"], "n/a — no such values in the plan") for fld in SCORED_FIELDS),
                           f"{pct(r['cell_exact'])} ({s['cells_ok']}/{s['cells_total']})", num(r["text_cer"], 4),
                           f"{s['found']}/{s['items']}"])  # fmt: skip
    reja_eval = []
    for fmt, f in formats.items():
        counts = f["reja"].get("eval_counts")
        if not counts:
            reja_eval.append([fmt] + ["n/a — reja failed"] * 8)
            continue
        sc = Counts(**counts).scores()
        reja_eval.append([fmt, pct(sc["item_recall"]), pct(sc["item_precision"]), pct(sc["item_no_exact"]),
                          pct(sc["text_exact"]), pct(sc["unit_exact"]), pct(sc["fact_value_exact"]),
                          pct(sc["plan_value_exact"]), num(sc["text_cer"], 4)])  # fmt: skip
    return [
        "## Accuracy per format",
        "",
        "Cell-level exact match (all scored fields pooled) and mean character error rate (CER) of the text cell, "
        "every tool scored by the same code (`reja.bench.scoring`) against `samples/expected/*.json`.",
        "",
        *_table(["format", *labels], summary),
        "",
        "Per field (share of expected values found as an exact cell in the best-matching row), all cells, text CER, "
        "and items whose text was found (similarity ≥ 0.85):",
        "",
        *_table(["format", "tool", "rows returned", *SCORED_FIELDS, "all cells", "text CER", "items found"], detail),
        "",
        "reja's item-level scores from the evaluation (`python -m reja.evaluate`: items matched one-to-one, "
        "values parsed as numbers; CER over matched items):",
        "",
        *_table(["format", "item recall", "item precision", "item_no exact", "text exact", "unit exact",
                 "fact_value exact", "plan_value exact", "text CER"], reja_eval),  # fmt: skip
        "",
        "Notes on the accuracy tables:",
        "- Scoring: for each expected item, the output row holding the cell most similar to its text is its row "
        "(rows are not used up, which favours the raw tools); a field counts when that row holds a cell equal to the "
        "expected value after whitespace normalisation (item numbers without their trailing dot, for every tool). "
        "Empty expected values are not scored. reja's items are turned into rows of the same cells.",
        "- **By construction the raw tools cannot** split stacked values (\"230 40\" in one cell → sub-items), stitch a "
        "row that a page break split, or join a hyphenated line break: their cells are what the page shows. reja does "
        "all three, and the expected data (one item per stitched row, sub-items split from stacked cells) rewards it. "
        "This is the difference being measured, not hidden: a user of a raw tool would have to write that code.",
        "- python-docx tables are the DOCX reader reja itself uses; its score is the ceiling of \"just read the table\".",
        "- img2table reads a typed PDF from its text layer (no OCR) and a scan with Debian's Tesseract "
        "(`TesseractOCR`, the plan's script model: `uzb` / `uzb_cyrl`), defaults otherwise. Camelot runs lattice with "
        "its pdfium backend. pdfplumber and Camelot on the scan find no text layer, hence nothing.",
        "",
    ]


def _speed(formats: dict) -> list[str]:
    rows = []
    scan_cache = []
    for fmt, f in formats.items():
        unit = unit_of(fmt)
        reja_t = per_unit(f["reja"].get("seconds"), f, fmt)
        raw_t = per_unit(f["raw"].get("seconds"), f, fmt)
        ratio = f"{reja_t / raw_t:.1f}×" if reja_t and raw_t else "n/a — not measured"
        tool_cells = []
        for t in TOOLS:
            slot = _tool_slot(f, t.key)
            tool_cells.append(slot["na"] if "na" in slot else secs(per_unit(slot.get("seconds"), f, fmt)))
        rows.append([fmt, f["documents"], f["pages"], unit, secs(reja_t), f"{f['raw']['reader']}: {secs(raw_t)}", ratio,
                     *tool_cells])  # fmt: skip
        if f["reja"].get("cached_seconds") is not None:
            cached = per_unit(f["reja"]["cached_seconds"], f, fmt)
            scan_cache.append(f"- {fmt}: reja with a warm OCR cache (same file read again): {secs(cached)} s/page "
                              f"({reja_t / cached:.0f}× faster than the cold read)" if cached else "")  # fmt: skip
    return [
        "## Speed",
        "",
        *_table(["format", "documents", "pages", "unit", "reja", "raw reader", "reja / raw reader",
                 *(t.label for t in TOOLS)], rows),  # fmt: skip
        "",
        "- reja = `reja.pipeline.parse_file` (read + parse) in its own process: best of 3 warm runs for typed files, "
        "one run for DOC (LibreOffice) and one cold run for the scan with a FRESH OCR cache (the honest cost).",
        "- Raw readers, measured in the same run on the same files: python-docx `Document()` load for DOCX, pdfplumber "
        "`pdf.pages[i].chars` for PDF, bare `tesseract page.png stdout -l <model>` (one thread, as reja) on the page "
        "images reja's rasteriser produces for the scan (rendering not timed), LibreOffice DOC→DOCX + python-docx for "
        "DOC. The ratio is the pipeline's own overhead on top of the reader it is built on.",
        "- Comparison tools: whole document, table finding included; best of 3 runs on typed files (as reja), one "
        "run on the scan. DOCX/DOC pages are those of the sample's LibreOffice PDF, but Word times are per document.",
        *scan_cache,
        "",
    ]


def _memory(docs: list[dict]) -> list[str]:
    rows = []
    for d in docs:
        r = d["reja"]
        children = r.get("children_peak_rss_mb")
        rows.append([d["name"], d["format"], d["pages"], num(r.get("peak_rss_mb"), 1, "n/a — reja failed"),
                     num(children, 1) if children else "0 (no child process)"])  # fmt: skip
    return [
        "## Memory per document",
        "",
        "Peak resident set (`VmHWM`) of a fresh interpreter that imports reja and parses the one document "
        "(interpreter and imports included, as in a real run). Child processes (LibreOffice, Tesseract) separately, "
        "as the largest child's `ru_maxrss` — Linux counts the parent's size at spawn in it, so it is an upper bound.",
        "",
        *_table(["document", "format", "pages", "reja peak RSS MiB", "child processes peak RSS MiB"], rows),
        "",
    ]


def _scale(scale: dict) -> list[str]:
    head = ["## Scale: batch import", ""]
    if "skipped" in scale:
        return [*head, *_table(["batch", "jobs", "result"], [["n/a", "n/a", f"n/a — {scale['skipped']}"]]), ""]
    rows = []
    for r in scale["runs"]:
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(r["by_status"].items())) or "none"
        rows.append([r["batch"], r["jobs"], r["plans"], secs(r["seconds"]), r["plans_per_minute"], r["peak_rss_mb"],
                     statuses, r["exit_code"]])  # fmt: skip
    growth = "; ".join(
        f"--jobs {j}: peak RSS at {g['to_batch']} plans is {g['peak_ratio']:.2f}× that at {g['from_batch']}"
        for j, g in sorted(scale["memory_growth"].items())
    ) or "n/a — a single batch size was run"
    return [
        *head,
        f"`reja import FOLDER --db NEW.sqlite --jobs N --quiet` on copies of {', '.join(scale['samples'])} "
        f"(cycled; patterns {', '.join(scale['patterns'])}), each run a fresh process and a fresh store; peak RSS is "
        "the largest process of the run (`RUSAGE_CHILDREN`: the writer or one document's worker). Exit code 3 = done, "
        "rows to review (docs/exit_codes.md); 'partial' = imported with flagged rows.",
        "",
        *_table(["batch", "jobs", "plans", "seconds", "plans/min", "peak RSS MiB", "statuses", "exit code"], rows),
        "",
        f"Memory against batch size: {growth}.",
        "",
    ]


def _normaliser(n: dict) -> list[str]:
    return [
        "## Normaliser",
        "",
        *_table(["cells", "characters", "normalize_text chars/s", "with match key chars/s"],
                [[n["cells"], n["chars"], f"{n['chars_per_s']:,.0f}", f"{n['chars_per_s_with_key']:,.0f}"]]),
        "",
        f"`reja.normalize.speed.normalizer_speed` over every text cell of the expected data (best of {n['repeat']} passes "
        "after a warm-up).",
        "",
    ]


def position_lines(formats: dict) -> list[str]:
    """One sentence per comparison tool: where reja stands against it, with the numbers."""
    out = []
    for t in TOOLS:
        parts = []
        for fmt, f in formats.items():
            slot = _tool_slot(f, t.key)
            if "na" in slot:
                continue
            mine, theirs = f["reja"]["rates"], slot["rates"]
            rt = per_unit(f["reja"].get("seconds"), f, fmt)
            tt = per_unit(slot.get("seconds"), f, fmt)
            if not slot.get("rows"):
                speed = f" (it returned no rows, in {secs(tt)} {unit_of(fmt)})"
            else:
                speed = ""
                if rt and tt:
                    speed = f", {tt / rt:.1f}× faster" if rt < tt else f", {rt / tt:.1f}× slower"
            parts.append(f"{fmt}: {pct(mine['cell_exact'])} vs {pct(theirs['cell_exact'])} exact cells, "
                         f"text CER {num(mine['text_cer'], 4)} vs {num(theirs['text_cer'], 4)}{speed}")  # fmt: skip
        if parts:
            out.append(f"- **reja vs {t.label}** — " + "; ".join(parts) + ".")
        else:
            reasons = {(_tool_slot(f, t.key).get("na") or "") for f in formats.values()}
            out.append(f"- **reja vs {t.label}** — not compared in this run ({'; '.join(sorted(reasons))}).")
    return out


def _measured_sentences(result: dict) -> str:
    """The sentences of the closing note that depend on this run's numbers."""
    out = []
    scan = result["formats"].get("scan")
    if scan and scan["reja"].get("seconds") and scan["raw"].get("seconds"):
        cold = per_unit(scan["reja"]["seconds"], scan, "scan")
        bare = per_unit(scan["raw"]["seconds"], scan, "scan")
        cached = per_unit(scan["reja"].get("cached_seconds"), scan, "scan")
        out.append(f"On the scan reja spends {cold:.1f} s/page against {bare:.1f} s/page for one bare Tesseract pass "
                   f"({cold / bare:.1f}×: deskew, grid detection, per-cell OCR, repairs)"
                   + (f"; a re-read from the OCR cache costs {cached:.2f} s/page." if cached else "."))  # fmt: skip
    growth = result["scale"].get("memory_growth") if isinstance(result.get("scale"), dict) else None
    if growth:
        worst = max(g["peak_ratio"] for g in growth.values())
        verdict = "does not grow" if worst <= 1.1 else "grows"
        spans = ", ".join(f"{g['from_batch']}→{g['to_batch']} plans with --jobs {j}: {g['peak_ratio']:.2f}×"
                          for j, g in sorted(growth.items()))  # fmt: skip
        out.append(f"Peak memory {verdict} with the batch size ({spans}): each document is read in its own worker "
                   "process and only its rows reach the writer.")  # fmt: skip
        largest = max(r["batch"] for r in result["scale"]["runs"])
        rates = ", ".join(f"{r['plans_per_minute']} plans/min with --jobs {r['jobs']}"
                          for r in result["scale"]["runs"] if r["batch"] == largest)  # fmt: skip
        out.append(f"A batch of {largest} typed plans imports at {rates}.")
    n = result.get("normaliser")
    if n:
        out.append(f"The normaliser runs at {n['chars_per_s']:,.0f} characters/s "
                   f"({n['chars_per_s_with_key']:,.0f} with the match key).")  # fmt: skip
    return " ".join(out)


def _reading(result: dict) -> list[str]:
    formats = result["formats"]
    return [
        "## Reading the numbers",
        "",
        "Accuracy is what a user gets without writing code: reja's rows against the rows each tool returns, scored "
        "identically. The raw tools lose where the plan's layout needs understanding — stacked values, rows split by "
        "a page break, hyphenated line breaks — and on scans, where a table finder without "
        "deskew and per-cell OCR finds little or nothing. Speed ratios compare reja with the reader it is built on, "
        "measured in the same run, so the shared machine's load (see the machine table) largely cancels out; "
        "absolute seconds are noisy. " + _measured_sentences(result),
        "",
        "reja's position against each tool (reja first):",
        "",
        *position_lines(formats),
        "",
    ]


def _layouts(layouts: dict | None) -> list[str]:
    from .layouts import render

    return render(layouts)


def _images(images: dict | None) -> list[str]:
    from .images import render

    return render(images)


def render_markdown(result: dict) -> str:
    mode = " (--quick smoke run: one document, no scale run)" if result.get("quick") else ""
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (`python -m reja.bench`){mode} on {result['machine']['date_utc']}, in "
        f"{result['seconds_total']:.0f} s. Do not edit by hand: re-run the bench. Machine-readable: `--json PATH`.",
        "",
        *_machine(result["machine"]),
        *_accuracy(result["formats"]),
        *_speed(result["formats"]),
        *_layouts(result.get("layouts")),
        *_images(result.get("images")),
        *_memory(result["documents"]),
        *_scale(result["scale"]),
        *_normaliser(result["normaliser"]),
        *_reading(result),
    ]
    return "\n".join(lines).rstrip() + "\n"
