"""Hand-made plans for the store tests, independent of the readers and the parser.

A fake plan file is JSON (any suffix): {"district", "region", "year", "sleep", "items": [{...}]}.
`fake_parse` turns it into a ParsedPlan; other contents raise the reader errors the batch must
survive: garbage → CorruptFile, "ENCRYPTED" → EncryptedFile, "BUG" → RuntimeError, "CRASH" → the reading process
is killed, "KILLPARENT" → the reading process kills its parent (a Dask worker) and then itself,
"HANGPARENT" → a second after it started, the reading process stops its parent (SIGSTOP: a Dask worker
hung as a whole, heartbeat and all) and waits to die with it.
A plan's "pages": n tells n pages read as a scan reader does; with a page runner set and more than one
job (`reja.extract.progress.set_page_runner`), the pages go through it as the scan reader's do, each taking
"page_sleep" seconds, and "pages_log" gets a line per page: which process read it and under which parent.
"options_log": a file the reader options (`reja.worker.READ_OPTIONS`) of the reading process are
appended to, as JSON.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from reja.extract.errors import CorruptFile, EncryptedFile
from reja.extract.model import ParsedPlan, PlanItem, PlanMeta


def spec(district="Izboskan tumani", year=2025, n=3, flagged=(), sleep=0.0, region="Andijon viloyati") -> dict:
    """n items numbered 1..n in section I; items whose number is in `flagged` carry stacked_values."""
    items = []
    for i in range(1, n + 1):
        item = {"item_no": str(i), "text": f"Tadbir {i}: kitobxonlar bilan uchrashuv", "unit": "marta",
                "fact_value": float(i), "plan_value": float(10 * i), "deadline": "2025-yil davomida"}
        if i in flagged:
            item["flags"] = ["stacked_values: 134 4010"]
        items.append(item)
    return {"district": district, "region": region, "year": year, "sleep": sleep, "items": items}


def write(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def fake_page(path: str, page_no: int, delay: float = 0.0) -> dict:
    """One page of a fake scan, as the scan reader's page job answers (`tables`), saying who read it."""
    import os

    time.sleep(delay)
    return {"tables": [], "page": page_no, "pid": os.getpid(), "parent": os.getppid(),
            "file_here": Path(path).is_file()}  # fmt: skip


def fake_parse(path: Path) -> ParsedPlan:
    raw = Path(path).read_bytes()
    if raw.startswith(b"ENCRYPTED"):
        raise EncryptedFile(Path(path).name, "the PDF is password-protected")
    if raw.startswith(b"BUG"):
        raise RuntimeError("simulated parser bug")
    if raw.startswith(b"CRASH"):  # a reader that takes its process down (a segfault in a C library)
        import os
        import signal

        os.kill(os.getpid(), signal.SIGKILL)
    if raw.startswith(b"KILLPARENT"):  # a fault that takes the whole worker process down
        import os
        import signal

        os.kill(os.getppid(), signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)
    if raw.startswith(b"HANGPARENT"):  # a worker that hangs: nothing of it answers any more
        import os
        import signal

        time.sleep(1)  # the worker has told the client that the task started
        os.kill(os.getppid(), signal.SIGSTOP)
        time.sleep(3600)  # killed with its parent (PDEATHSIG) when the nanny kills the worker
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise CorruptFile(Path(path).name, "not a plan document") from exc
    if data.get("options_log"):
        from reja.worker import READ_OPTIONS

        with open(data["options_log"], "a", encoding="utf-8") as fh:
            fh.write(json.dumps({k: str(v) for k, v in READ_OPTIONS.items()}) + "\n")
    from reja.extract.progress import page_runner, pages_read

    from reja.worker import READ_OPTIONS

    pages = data.get("pages", 0)
    calls = [{"page_no": p, "delay": data.get("page_sleep", 0)} for p in range(1, pages + 1)]
    if pages and page_runner() is not None and READ_OPTIONS.get("jobs", 1) > 1:
        read = page_runner()(fake_page, str(path), calls, READ_OPTIONS["jobs"])
    else:
        read = (fake_page(str(path), **call) for call in calls)
    for done, page in enumerate(read, 1):
        pages_read(done, pages)
        if data.get("pages_log"):
            with open(data["pages_log"], "a", encoding="utf-8") as fh:
                fh.write(json.dumps({**page, "file": Path(path).name}) + "\n")
    if data.get("sleep"):
        time.sleep(data["sleep"])
    items = []
    for it in data["items"]:
        item = PlanItem(item_no=it.get("item_no"), text=it["text"], unit=it.get("unit"),
                        fact_value=it.get("fact_value"), plan_value=it.get("plan_value"),
                        fact_year=data["year"] - 1, plan_year=data["year"], deadline=it.get("deadline"),
                        section_no="I", section_title="TASHKILIY ISHLAR", parent_item_no=it.get("parent_item_no"))
        for f in it.get("flags", []):
            item.flags.append(f)
        items.append(item)
    meta = PlanMeta(region=data.get("region"), district=data.get("district"), year=data.get("year"))
    return ParsedPlan(source=str(path), format="docx", meta=meta, items=items)
