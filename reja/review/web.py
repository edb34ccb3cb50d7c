"""The review page: `reja review serve`. Server-rendered (FastAPI + Jinja2, htmx vendored under
reja/static), so it works offline on a clerk's PC.

Safety:
- bound to 127.0.0.1 unless told otherwise; bound elsewhere, every request needs the access token
  (printed at start; given once as ?token=…, then kept in an HttpOnly cookie);
- every POST carries a CSRF token (HMAC of a per-server secret) and a cross-site Origin is refused;
- no request names a file: crops are found through the row key in the store, static files come from
  the package only.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pandas as pd
from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape

from . import corrections as corr
from .crops import crop_png
from .data import FILTERABLE, candidates, flag_codes, load_items, select
from .validate import check_value

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
PAGE_SIZE = 200  # rows per page of the list


@dataclass
class ReviewSettings:
    db: Path
    clerk: str
    host: str = "127.0.0.1"
    access_token: str | None = None  # required when host is not loopback

    @property
    def needs_token(self) -> bool:
        if self.host in LOOPBACK:
            return False
        try:
            return not ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return True


def create_app(settings: ReviewSettings) -> FastAPI:
    if settings.needs_token and not settings.access_token:
        settings.access_token = secrets.token_urlsafe(24)
    secret = secrets.token_bytes(32)
    csrf_token = hmac.new(secret, b"reja-review-csrf", hashlib.sha256).hexdigest()
    env = Environment(loader=PackageLoader("reja", "templates/review"),
                      autoescape=select_autoescape(["html", "html.j2"]))  # templates are *.html.j2
    env.filters["fmt"] = _fmt
    app = FastAPI(title="reja review", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    def render(name: str, **ctx) -> HTMLResponse:
        ctx.setdefault("csrf", csrf_token)
        ctx.setdefault("clerk", settings.clerk)
        return HTMLResponse(env.get_template(name).render(**ctx))

    @app.middleware("http")
    async def guard(request: Request, call_next):
        if settings.needs_token:
            given = request.query_params.get("token") or request.cookies.get("reja_token")
            if not given or not hmac.compare_digest(given, settings.access_token or ""):
                return Response("access token required (see the line printed by `reja review serve`)",
                                status_code=401)
        if request.method == "POST":
            origin = request.headers.get("origin") or request.headers.get("referer")
            if origin and urlsplit(origin).netloc != request.headers.get("host"):
                return Response("cross-site request refused", status_code=403)
        response = await call_next(request)
        if settings.needs_token and request.query_params.get("token"):
            response.set_cookie("reja_token", settings.access_token, httponly=True, samesite="strict")
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'"
        )
        return response

    def check_csrf(request: Request, csrf: str = Form("")) -> None:
        # the body is read here, not in the middleware: a middleware that consumes it starves the route
        token = request.headers.get("x-csrf-token") or csrf
        if not token or not hmac.compare_digest(str(token), csrf_token):
            raise HTTPException(403, "missing or wrong CSRF token: reload the page")

    def current() -> tuple[pd.DataFrame, list[str]]:
        return load_items(settings.db)

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request):
        items, orphans = current()
        filters = {k: request.query_params.get(k, "flagged" if k == "status" else "") for k in FILTERABLE}
        rows = select(items, **filters)
        # a regional centre's store holds thousands of flagged rows: show them a page at a time
        pages = max(1, -(-len(rows) // PAGE_SIZE))
        try:
            page = min(max(1, int(request.query_params.get("page", "1"))), pages)
        except ValueError:
            page = 1
        shown = rows.iloc[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        reasons = sorted({code for f in items["flags"].fillna("") for code in flag_codes(f)})
        query = urlencode({k: v for k, v in filters.items() if v})
        return render("index.html.j2", rows=shown.to_dict("records"), filters=filters, reasons=reasons,
                      page=page, pages=pages, matching=len(rows), first=(page - 1) * PAGE_SIZE + 1,
                      query=query,
                      districts=sorted(items["district"].dropna().unique()),
                      years=sorted(int(y) for y in items["year"].dropna().unique()),
                      total=len(items), flagged=int((items["status"] == "flagged").sum()),
                      corrected=int((items["status"] == "corrected").sum()), orphans=orphans)

    def _row(items: pd.DataFrame, row_key: str) -> pd.Series:
        match = items[items["row_key"] == row_key]
        if match.empty:
            raise HTTPException(404, f"no row {row_key} in the store")
        return match.iloc[0]

    def _neighbours(items: pd.DataFrame, row_key: str) -> tuple[str | None, str | None]:
        keys = list(select(items, status="flagged")["row_key"])
        if row_key not in keys:
            return (keys[0] if keys else None), None
        i = keys.index(row_key)
        return (keys[i + 1] if i + 1 < len(keys) else None), (keys[i - 1] if i > 0 else None)

    @app.get("/row/{row_key}", response_class=HTMLResponse)
    def row_page(row_key: str):
        items, _ = current()
        row = _row(items, row_key)
        nxt, prev = _neighbours(items, row_key)
        return render("row.html.j2", row=row.to_dict(), cands=candidates(row), next_key=nxt, prev_key=prev,
                      history=corr.history(settings.db, row_key), fields=list(corr.EDITABLE_FIELDS),
                      has_crop=row.get("document_format") in ("pdf", "scan") and pd.notna(row.get("page")))

    @app.get("/crop/{row_key}.png")
    def crop(row_key: str):
        items, _ = current()
        row = _row(items, row_key)
        source = row.get("source_key")
        png = None
        if isinstance(source, str) and "!" not in source:
            page = int(row["page"]) if pd.notna(row.get("page")) else None
            png = crop_png(Path(source), str(row.get("document_format")), page, row.get("bbox"))
        if png is None:
            raise HTTPException(404, "no page picture for this row (DOCX, or the source file has moved)")
        return Response(png, media_type="image/png")

    def _after_post(row_key: str, request: Request, go_next: bool = False):
        target = row_key
        if go_next:
            items, _ = current()
            target = _neighbours(items, row_key)[0] or row_key
        url = f"/row/{target}" if target else "/"
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": url})
        return RedirectResponse(url, status_code=303)

    @app.post("/row/{row_key}/correct", dependencies=[Depends(check_csrf)])
    def correct(row_key: str, request: Request, field: str = Form(...), value: str = Form(""),
                why: str = Form("")):
        items, _ = current()
        row = _row(items, row_key)
        clean, reason = check_value(field, value)
        if reason:
            return HTMLResponse(f'<p class="error" role="alert">{_esc(field)}: {_esc(reason)}</p>', status_code=422)
        corr.record(settings.db, row_key, field, row.get(field), clean, who=settings.clerk, why=why or None,
                    via="web", context=corr.row_context(row))
        return _after_post(row_key, request)

    @app.post("/row/{row_key}/accept", dependencies=[Depends(check_csrf)])
    def accept(row_key: str, request: Request):
        items, _ = current()
        row = _row(items, row_key)
        corr.record(settings.db, row_key, corr.ACCEPT_FIELD, None, "yes", who=settings.clerk,
                    why="accepted on the review page", via="web", context=corr.row_context(row))
        return _after_post(row_key, request, go_next=True)

    @app.post("/row/{row_key}/pick", dependencies=[Depends(check_csrf)])
    def pick(row_key: str, request: Request, kind: str = Form(...), candidate: str = Form(...)):
        field = {"section": "section_id", "indicator": "indicator_id", "unit": "unit_id"}.get(kind)
        if field is None:
            raise HTTPException(422, f"unknown candidate kind '{kind}'")
        items, _ = current()
        row = _row(items, row_key)
        clean, reason = check_value(field, candidate)
        if reason:
            return HTMLResponse(f'<p class="error" role="alert">{_esc(reason)}</p>', status_code=422)
        corr.record(settings.db, row_key, field, row.get(field), clean, who=settings.clerk,
                    why="picked a candidate on the review page", via="web", context=corr.row_context(row))
        return _after_post(row_key, request, go_next=True)

    @app.post("/row/{row_key}/undo", dependencies=[Depends(check_csrf)])
    def undo_last(row_key: str, request: Request):
        mine = [c for c in corr.history(settings.db, row_key) if c.reverts is None]
        undone = {c.reverts for c in corr.all_corrections(settings.db) if c.reverts is not None}
        open_ = [c for c in mine if c.id not in undone]
        if open_:
            try:
                corr.undo(settings.db, open_[-1].id, who=settings.clerk)
            except ValueError as exc:  # another clerk undid it between our read and our write
                return HTMLResponse(f'<p class="error" role="alert">{_esc(str(exc))}: reload the page</p>',
                                    status_code=409)
        return _after_post(row_key, request)

    return app


def _esc(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def serve(settings: ReviewSettings, port: int = 8765) -> None:
    import uvicorn

    app = create_app(settings)
    url = f"http://{settings.host}:{port}/"
    if settings.needs_token:
        url += f"?token={settings.access_token}"
    print(f"reja review: open {url}  (Ctrl+C to stop)", flush=True)
    uvicorn.run(app, host=settings.host, port=port, log_level="warning")
