"""How long a region's comparison report takes to render in headless Chromium (issue 21).

A whole generated region (`reja.variety.region`: every district and city, three years, DOCX) is
imported and its match doubts decided by the simulated clerk; `reja compare --region R --years …`
writes compare.html; Debian's Chromium (driven by Selenium, no browser download) opens it several
times and the page's own Navigation Timing gives the time from navigation start to the end of the
load event (the charts are inline SVG: drawn when the page has loaded). The screenshot of the last
load can be kept for the docs.

    python tools/measure_report.py --region 1727 [--out DIR] [--screenshot docs/screenshots/compare_region.png]

Target (issue 21): ≤ 2 s for a region of 20 districts × 3 years. Timings are noisy on a shared machine:
the median of several loads is reported, with the page's size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.browser: the one place that starts Chromium for the page tests


def build_report(region: str, years: list[int], work: Path) -> tuple[Path, int]:
    """The region imported, reviewed by the simulated clerk, compared: (compare.html, districts)."""
    from reja.i18n import get_language
    from reja.variety.region import draw_region, run

    run(region, years, work, jobs=2)
    districts = len(draw_region(region, years).districts)
    out = work / "compare"
    reja = Path(sys.executable).with_name("reja")
    done = subprocess.run([str(reja), "compare", "--db", str(work / "reja.sqlite"), "--region", region,
                           "--years", *map(str, years), "--out", str(out)], env={**os.environ, "REJA_LANG": get_language()})
    if done.returncode not in (0, 8):  # 8: some district has no plan for a year (planted: said, not an error)
        raise SystemExit(f"reja compare failed (exit {done.returncode})")
    return out / "compare.html", districts


def time_loads(html: Path, loads: int, screenshot: Path | None) -> list[float]:
    from tests.browser import chromium_driver

    driver = chromium_driver(1300, 2000)
    seconds = []
    try:
        for _ in range(loads):
            driver.get("about:blank")
            driver.get(html.as_uri())
            while driver.execute_script("return document.readyState") != "complete":
                time.sleep(0.01)
            timing = driver.execute_script(
                "const t = performance.getEntriesByType('navigation')[0]; return [t.startTime, t.loadEventEnd];")
            seconds.append((timing[1] - timing[0]) / 1000)
        if not driver.find_elements("css selector", ".figure svg"):
            raise SystemExit("the report has no chart: nothing was rendered")
        if screenshot:
            driver.save_screenshot(str(screenshot))
    finally:
        driver.quit()
    return seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--region", default="1727", help="gazetteer region id (1727: 22 districts and cities)")
    ap.add_argument("--years", nargs="+", type=int, default=[2023, 2024, 2025])
    ap.add_argument("--out", type=Path, help="working folder (default: a temporary one)")
    ap.add_argument("--loads", type=int, default=5)
    ap.add_argument("--screenshot", type=Path)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.out or Path(tmp)
        html, districts = build_report(args.region, args.years, work)
        seconds = time_loads(html, args.loads, args.screenshot)
        size = html.stat().st_size
    median = statistics.median(seconds)
    print(f"\nregion {args.region}: {districts} districts × {len(args.years)} years; compare.html "
          f"{size / 1e6:.1f} MB")
    print(f"Chromium load (navigation start → load event end), {len(seconds)} loads: median {median:.2f} s, "
          f"max {max(seconds):.2f} s (target ≤ 2 s)")
    return 0 if median <= 2 else 1


if __name__ == "__main__":
    raise SystemExit(main())
