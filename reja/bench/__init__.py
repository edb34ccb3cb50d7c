"""`make bench`: reja against the table finders users would otherwise pick, on the same samples.

    python -m reja.bench [--quick] [--out docs/benchmarks.md] [--json PATH] [--tools auto|none]

Modules, one job each: corpus (the samples), scoring (one scorer for every tool), tools (pdfplumber,
Camelot, img2table, python-docx with defaults), memory (reja per document in its own process: time,
peak RSS, rows), speed (the raw readers alone), accuracy (runs and pools per format), scale (batch
import 1→200 plans, --jobs 1/2), normaliser (chars/s), machine, report (markdown + JSON, atomic).
"""
