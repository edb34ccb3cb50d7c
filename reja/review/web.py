"""The review page: `reja review serve`. Server-rendered (FastAPI + Jinja2, htmx vendored under
reja/static), so it works offline on a clerk's PC. Every text goes through reja.i18n (Uzbek by
default; the clerk switches language on the page, kept in a cookie).

The clerk works through a queue: the rows the filter selects. Previous / next and the row shown
after an action stay inside it (reja.review.queue); each action is confirmed in one line and the
clerk's last action — one row or many — can be undone from anywhere (reja.review.bulk).

Safety:
- bound to 127.0.0.1 unless told otherwise; bound elsewhere, every request needs the access token
  (printed at start; given once as ?token=…, then kept in an HttpOnly cookie) and each clerk logs in
  with an account (`reja review users add`; reja.review.accounts), whose name goes into corrections;
- every POST carries a CSRF token (HMAC of a per-server secret) and a cross-site Origin is refused;
- DNS rebinding: a request whose Host is not one of the names the server answers to (127.0.0.1,
  localhost, [::1], the --host name) is refused before anything else, and Origin is checked against
  that same list, never against the Host header an attacker's page controls;
- a token that is not ASCII or malformed is a 401/403 like any wrong token, never a 500;
- no request names a file: crops are found through the row key in the store, static files come from
  the package only.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pandas as pd
from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape

from reja import corrections as corr
from reja.extract.scan.settings import ScanSettings, load_settings
from reja.i18n import LANGUAGES, _, flag_explanation, get_language, normalize_language, use_language

from . import bulk
from . import queue as q
from .accounts import Sessions, check_password
from .crops import crop_png
from .data import candidates, flag_codes
from .index import ReviewIndex
from .validate import check_value

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
PAGE_SIZE = 200  # rows per page of the list
KIND_FIELD = {"section": "section_id", "indicator": "indicator_id", "unit": "unit_id"}
PAGE_FORMATS = ("pdf", "scan")  # formats whose rows have a page picture
ROW_FIELDS = ("section_no", "section_title", "section_id", "item_no", "parent_item_no", "text", "indicator_id",
              "indicator_score", "unit", "unit_id", "fact_year", "fact_value", "plan_year", "plan_value",
              "deadline", "mechanism", "responsible")
EXIT_PORT_BUSY = 7  # docs/exit_codes.md


def N_(message: str) -> str:  # noqa: N802 - marks a message of reja.i18n, translated in the template
    return message


# The fields' names as the clerk reads them (the msgid is the column's name: English shows it as is).
FIELD_LABELS = {
    "section_no": N_("section_no"), "section_title": N_("section_title"), "section_id": N_("section_id"),
    "item_no": N_("item_no"), "parent_item_no": N_("parent_item_no"), "text": N_("text"),
    "indicator_id": N_("indicator_id"), "indicator_score": N_("indicator_score"), "unit": N_("unit"),
    "unit_id": N_("unit_id"), "fact_year": N_("fact_year"), "fact_value": N_("fact_value"),
    "plan_year": N_("plan_year"), "plan_value": N_("plan_value"), "deadline": N_("deadline"),
    "mechanism": N_("mechanism"), "responsible": N_("responsible"),
}
STATUS_LABELS = {"flagged": N_("needs review"), "corrected": N_("corrected"), "ok": N_("clean")}


@dataclass
class ReviewSettings:
    db: Path
    clerk: str
    host: str = "127.0.0.1"
    access_token: str | None = None  # required when host is not loopback
    lang: str | None = None  # the page's language until the clerk picks one (None: REJA_LANG, else Uzbek)
    extra_hosts: tuple[str, ...] = ()  # more names the page may be reached by (a LAN name, say)
    # clerks log in even on loopback: the page behind a reverse proxy on the same server (docs/deploy.md),
    # where every request comes from 127.0.0.1 but each clerk is a person of their own
    require_login: bool = False
    # the scan reader's settings: its boxes are pixels of pages prepared at their working dpi
    scan: ScanSettings = field(default_factory=load_settings)

    def allows_host(self, netloc: str | None) -> bool:
        """Is `netloc` (a Host header or an Origin's host[:port]) one of the names this server answers
        to? An IP literal is always a name of this machine when bound to all interfaces (0.0.0.0 /
        ::): DNS rebinding needs a domain name, never an address."""
        name = _host_name(netloc)
        if name is None:
            return False
        allowed = {h.strip("[]").lower() for h in (*LOOPBACK, self.host, *self.extra_hosts)}
        if name in allowed:
            return True
        if self.host in ("0.0.0.0", "::"):
            try:
                ipaddress.ip_address(name)
                return True
            except ValueError:
                return False
        return False

    @property
    def needs_token(self) -> bool:
        if self.host in LOOPBACK:
            return False
        try:
            return not ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return True

    @property
    def needs_login(self) -> bool:
        """Beyond this PC several clerks share the page: each logs in, so `who` is the person."""
        return self.needs_token or self.require_login


class PortBusy(OSError):
    pass


def _catalogue_names():
    from reja.schema.catalogue import load_catalogue

    cat = load_catalogue()
    names = {}
    for kind, entries in (("section", cat.sections), ("indicator", cat.indicators), ("unit", cat.units)):
        names[kind] = {e.id: (e.name_latn, e.name_cyrl) for e in entries.values()}
    return names


def _netloc(url: str) -> str | None:
    try:
        return urlsplit(url).netloc or None
    except ValueError:
        return None


def _host_name(netloc: str | None) -> str | None:
    """'LocalHost:8765' → 'localhost', '[::1]:8765' → '::1'; None when it is not a host[:port]."""
    if not netloc or any(c in netloc for c in "@/\\?# "):
        return None
    try:
        parts = urlsplit(f"//{netloc}")
        parts.port  # noqa: B018 — raises ValueError on a port that is not a number
    except ValueError:
        return None
    return parts.hostname or None


def _same_token(given, expected: str | None) -> bool:
    """Constant-time comparison of tokens as bytes: hmac.compare_digest refuses a non-ASCII str
    with TypeError, which would be a 500 instead of a refusal."""
    if not given or not expected or not isinstance(given, str):
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8"))


def create_app(settings: ReviewSettings) -> FastAPI:
    if settings.needs_token and not settings.access_token:
        settings.access_token = secrets.token_urlsafe(24)
    secret = secrets.token_bytes(32)
    csrf_token = hmac.new(secret, b"reja-review-csrf", hashlib.sha256).hexdigest()
    sessions = Sessions()
    names = _catalogue_names()
    env = Environment(loader=PackageLoader("reja", "templates/review"),
                      autoescape=select_autoescape(["html", "html.j2"]))  # templates are *.html.j2
    env.filters["fmt"] = _fmt
    env.globals.update(_=_, flag_explanation=flag_explanation, LANGUAGES=LANGUAGES, names=names,
                       FIELD_LABELS=FIELD_LABELS, STATUS_LABELS=STATUS_LABELS)
    rematcher = bulk.Rematcher(settings.db)  # plans a taught wording touches, re-matched in the background

    @asynccontextmanager
    async def lifespan(_app):
        yield
        rematcher.wait(600)  # a stopping server finishes the re-match it started

    app = FastAPI(title="reja review", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.rematcher = rematcher
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    def clerk_of(request: Request) -> str:
        if settings.needs_login:
            who = sessions.who(request.cookies.get("reja_session"))
            if not who:
                raise HTTPException(401, _("log in first"))
            return who
        return settings.clerk

    def render(request: Request, name: str, **ctx) -> HTMLResponse:
        ctx.setdefault("csrf", csrf_token)
        ctx.setdefault("clerk", clerk_of(request) if name != "login.html.j2" else "")
        ctx.setdefault("lang", get_language())
        ctx.setdefault("here", str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""))
        return HTMLResponse(env.get_template(name).render(**ctx))

    @app.middleware("http")
    async def guard(request: Request, call_next):
        if not settings.allows_host(request.headers.get("host")):  # DNS rebinding: first of all
            return Response("unknown host name: open the address printed by `reja review serve`",
                            status_code=403)
        if settings.needs_token:
            given = request.query_params.get("token") or request.cookies.get("reja_token")
            if not _same_token(given, settings.access_token):
                return Response("access token required (see the line printed by `reja review serve`)",
                                status_code=401)
        if request.method == "POST":
            origin = request.headers.get("origin") or request.headers.get("referer")
            if origin and not settings.allows_host(_netloc(origin)):
                return Response("cross-site request refused", status_code=403)
        lang = normalize_language(request.cookies.get("reja_lang")) or settings.lang
        with use_language(lang):  # the routes and templates below speak the clerk's language
            if settings.needs_login and not sessions.who(request.cookies.get("reja_session")) \
                    and request.url.path not in ("/login",) and not request.url.path.startswith(("/static/", "/lang/")):
                response = RedirectResponse("/login", status_code=303)
            else:
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
        if not _same_token(token, csrf_token):
            raise HTTPException(403, _("missing or wrong CSRF token: reload the page"))

    index_of_store = ReviewIndex(settings.db)  # what each page reads (reja.review.index)
    app.state.index = index_of_store

    def current() -> ReviewIndex:
        index_of_store.refresh()  # region-years changed by an import or a correction since the last page
        return index_of_store

    # -- language and login -----------------------------------------------------------------------
    @app.get("/lang/{code}")
    def switch_language(code: str, back: str = "/"):
        target = back if back.startswith("/") and not back.startswith("//") else "/"
        response = RedirectResponse(target, status_code=303)
        if normalize_language(code):
            response.set_cookie("reja_lang", normalize_language(code), max_age=365 * 86400, samesite="lax")
        return response

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request):
        return render(request, "login.html.j2", error=None)

    @app.post("/login", dependencies=[Depends(check_csrf)])
    def login(request: Request, name: str = Form(""), password: str = Form("")):
        if not check_password(settings.db, name, password):
            page = render(request, "login.html.j2", error=_("wrong name or password"))
            page.status_code = 401
            return page
        response = RedirectResponse("/", status_code=303)
        response.set_cookie("reja_session", sessions.issue(name.strip()), httponly=True, samesite="strict",
                            max_age=12 * 3600)
        return response

    @app.post("/logout", dependencies=[Depends(check_csrf)])
    def logout():
        response = RedirectResponse("/login" if settings.needs_login else "/", status_code=303)
        response.delete_cookie("reja_session")
        return response

    # -- the list ---------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse)
    def index(request: Request):
        index = current()
        filters = q.filters_from(request.query_params)
        matching = index.matching(filters)
        pages = max(1, -(-matching["rows"] // PAGE_SIZE))
        try:
            page = min(max(1, int(request.query_params.get("page", "1"))), pages)
        except ValueError:
            page = 1
        shown = index.page(filters, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        options = index.options()
        counts = index.counts()
        query = q.query_of(filters)
        return render(request, "index.html.j2", rows=shown.to_dict("records"), filters=filters,
                      reasons=options["reasons"], page=page, pages=pages, matching=matching["rows"],
                      first=(page - 1) * PAGE_SIZE + 1, query=query, facets=index.facets(filters),
                      histogram=index.histogram(filters), with_filter=_with_filter, to_accept=matching["flagged"],
                      flash=_flash(request), districts=options["districts"], years=options["years"],
                      total=counts["total"], flagged=counts.get("flagged", 0), corrected=counts.get("corrected", 0),
                      orphans=index.orphans())

    def _row(index: ReviewIndex, row_key: str) -> tuple[pd.Series, pd.DataFrame]:
        found = index.row(row_key)
        if found is None:
            raise HTTPException(404, _("no row {key} in the store").format(key=row_key))
        return found

    # -- one row ----------------------------------------------------------------------------------
    @app.get("/row/{row_key}", response_class=HTMLResponse)
    def row_page(row_key: str, request: Request):
        index = current()
        row, _place = _row(index, row_key)
        filters = q.filters_from(request.query_params)
        around = index.neighbours(filters, row_key)
        nxt, prev, position = around["next"], around["prev"], around["position"]
        doubts = open_doubts(row)
        cands = _ordered_candidates(candidates(row), doubts)
        wording_counts = {kind: len(bulk.same_wording(None, row, KIND_FIELD[kind],
                                                      every=index.same_wording_all(row, KIND_FIELD[kind])))
                          for kind in KIND_FIELD}
        history = corr.history(settings.db, row_key)
        fmt = str(row.get("document_format") or "")
        return render(request, "row.html.j2", row=row.to_dict(), cands=cands, next_key=nxt, prev_key=prev,
                      query=q.query_of(filters), position=position, queue_len=around["length"],
                      history=history, fields=list(corr.EDITABLE_FIELDS), row_fields=ROW_FIELDS,
                      doubts=doubts, pick_kind=_first_kind(doubts), wording_counts=wording_counts,
                      has_crop=fmt in PAGE_FORMATS and pd.notna(row.get("page")),
                      seen=max((c.id for c in history), default=0), flash=_flash(request))

    @app.get("/row/{row_key}/changes", response_class=HTMLResponse)
    def changes(row_key: str, request: Request, seen: int = 0):
        """Polled by the row page: another clerk's change of this row since it was shown."""
        me = clerk_of(request)
        news = [c for c in corr.history(settings.db, row_key) if c.id > seen and c.who != me]
        if not news:
            return HTMLResponse("")
        last = news[-1]
        text = _("{who} changed this row meanwhile ({field} → {value}); reload to see it.").format(
            who=last.who, field=last.field, value=last.value_after or "")
        return HTMLResponse(f'<p class="notice" role="status">{_esc(text)} '
                            f'<a href="/row/{_esc(row_key)}">{_esc(_("reload"))}</a></p>')

    @app.get("/row/{row_key}/source", response_class=HTMLResponse)
    def source(row_key: str, request: Request):
        """The source rows of a DOCX/DOC/XLSX row as a small table (fetched after the page: reading the
        document the first time can take a moment; later rows of it come from memory)."""
        row, place = _row(current(), row_key)
        return HTMLResponse(env.get_template("source.html.j2").render(source_table=_source_table(place, row)))

    @app.get("/crop/{row_key}.png")
    def crop(row_key: str, zoom: float = 1.6):
        row, place = _row(current(), row_key)
        source = row.get("source_key")
        png = None
        if isinstance(source, str) and "!" not in source:
            page = int(row["page"]) if pd.notna(row.get("page")) else None
            png = crop_png(Path(source), str(row.get("document_format")), page, row.get("bbox"),
                           scan_dpi=settings.scan.dpi, zoom=min(max(zoom, 0.5), 4.0),
                           header=_header_strip(place, row, settings.scan.dpi))
        if png is None:
            raise HTTPException(404, _("no page picture for this row (DOCX, or the source file has moved)"))
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=300"})

    # -- actions ----------------------------------------------------------------------------------
    def _go(request: Request, target: str | None, query: str, **flash) -> Response:
        params = dict(parse_qsl(query, keep_blank_values=True))
        params.update({f"done_{k}": v for k, v in flash.items() if v is not None})
        url = (f"/row/{target}" if target else "/") + "?" + urlencode(params)
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": url})
        return RedirectResponse(url, status_code=303)

    def _filters_of(query: str) -> dict[str, str]:
        return q.filters_from(dict(parse_qsl(query, keep_blank_values=True)))

    @app.post("/row/{row_key}/correct", dependencies=[Depends(check_csrf)])
    def correct(row_key: str, request: Request, field: str = Form(...), value: str = Form(""),
                why: str = Form(""), query: str = Form("")):
        who = clerk_of(request)
        row, _place = _row(current(), row_key)
        if field in KIND_FIELD.values():
            value = _picked_id(value)
        clean, reason = check_value(field, value)
        if reason:
            return HTMLResponse(f'<p class="error" role="alert">{_esc(field)}: {_esc(reason)}</p>', status_code=422)
        corr.record(settings.db, row_key, field, row.get(field), clean, who=who, why=why or None,
                    via="web", context=corr.row_context(row))
        return _go(request, row_key, query, what="corrected", field=field, value=clean, row=row_key)

    @app.post("/row/{row_key}/accept", dependencies=[Depends(check_csrf)])
    def accept(row_key: str, request: Request, query: str = Form("")):
        who = clerk_of(request)
        index = current()
        row, _place = _row(index, row_key)
        target = index.after(_filters_of(query), row_key)
        corr.record(settings.db, row_key, corr.ACCEPT_FIELD, None, "yes", who=who,
                    why="accepted on the review page", via="web", context=corr.row_context(row))
        return _go(request, target, query, what="accepted", row=row_key)

    @app.post("/row/{row_key}/pick", dependencies=[Depends(check_csrf)])
    def pick(row_key: str, request: Request, kind: str = Form(...), candidate: str = Form(...),
             all_wording: str = Form(""), query: str = Form("")):
        who = clerk_of(request)
        field = KIND_FIELD.get(kind)
        if field is None:
            raise HTTPException(422, _("unknown candidate kind '{kind}'").format(kind=kind))
        index = current()
        row, _place = _row(index, row_key)
        clean, reason = check_value(field, _picked_id(candidate))
        if reason:
            return HTMLResponse(f'<p class="error" role="alert">{_esc(reason)}</p>', status_code=422)
        target = index.after(_filters_of(query), row_key)  # where the queue as it was leads
        conflicts = plans = None
        if all_wording:
            action = bulk.apply_to_wording(settings.db, None, row, field, clean, who=who,
                                           why=f"applied to all rows with this wording ({kind})",
                                           twins=index.same_wording_all(row, field))
            rematcher.submit(action.documents)
            n, conflicts, plans = action.rows, action.conflicts, len(action.documents)
        else:
            corr.record(settings.db, row_key, field, row.get(field), clean, who=who,
                        why="picked a candidate on the review page", via="web", context=corr.row_context(row))
            n = 1
        # another doubt of the row (its unit, say) keeps the clerk here; else on to the next row
        left = [c for c in open_doubts(row) if c.split("_", 1)[0] in KIND_FIELD and c.split("_", 1)[0] != kind]
        target = row_key if left else target
        return _go(request, target, query, what="wording" if all_wording else "picked", field=field, value=clean,
                   n=n, row=row_key, conflicts=conflicts, plans=plans)

    @app.post("/undo", dependencies=[Depends(check_csrf)])
    def undo_last(request: Request, query: str = Form(""), back: str = Form("")):
        who = clerk_of(request)
        try:
            undone = bulk.undo_last_action(settings.db, who)
        except ValueError as exc:  # another clerk undid it between our read and our write
            return HTMLResponse(f'<p class="error" role="alert">{_esc(str(exc))}: {_esc(_("reload the page"))}</p>',
                                status_code=409)
        rematcher.submit(bulk.to_rematch(undone))  # an undone wording is forgotten by the plans it reached
        target = undone[0].row_key if len(undone) == 1 else (back or None)
        return _go(request, target, query, what="undone" if undone else "nothing_to_undo", n=len(undone),
                   row=undone[0].row_key if undone else None)

    @app.post("/row/{row_key}/undo", dependencies=[Depends(check_csrf)])
    def undo_row(row_key: str, request: Request, query: str = Form("")):
        return undo_last(request, query=query, back=row_key)

    @app.post("/bulk/accept", dependencies=[Depends(check_csrf)])
    def bulk_accept(request: Request, query: str = Form(""), expected: int = Form(-1)):
        who = clerk_of(request)
        index = current()
        filters = _filters_of(query)
        count = index.matching(filters)["flagged_keys"]
        if count != expected:  # the filter's rows changed since the clerk confirmed the number
            return _go(request, None, query, what="count_changed", n=count)
        # the rows an acceptance touches: the filter's flagged ones (none when it selects another status)
        rows = index.selected_rows({**filters, "status": "flagged"} if filters["status"] in ("", "flagged")
                                   else {**filters, "status": "\x00none"})
        action = bulk.accept_all(settings.db, rows, who=who, why="accepted with the whole filter on the review page")
        return _go(request, None, query, what="bulk", n=action.rows)

    return app


def open_doubts(row: pd.Series) -> list[str]:
    """The row's flag codes that no clerk's decision has answered yet."""
    done = set(str(_fmt(row.get("corrected_fields"))).split(","))
    if "accepted" in done:
        return []
    out = []
    for code in flag_codes(_fmt(row.get("flags"))):
        kind = code.split("_", 1)[0]
        if kind in KIND_FIELD and KIND_FIELD[kind] in done:
            continue
        out.append(code)
    return out


def _first_kind(doubts: list[str]) -> str:
    """The kind the picker offers first: the doubted one that also holds key 1 (indicator, unit, section)."""
    doubted = {code.split("_", 1)[0] for code in doubts}
    return next((kind for kind in ("indicator", "unit", "section") if kind in doubted), "indicator")


def _ordered_candidates(cands: dict, doubts: list[str]) -> list[tuple[str, list[tuple[int, str, float]]]]:
    """Candidate kinds in doubt first, numbered 1–9 across kinds (key 1 = the top candidate of the doubt)."""
    doubted = [c.split("_", 1)[0] for c in doubts]
    kinds = sorted(cands, key=lambda k: (k not in doubted, ("indicator", "unit", "section").index(k)
                                         if k in ("indicator", "unit", "section") else 9))
    out, n = [], 0
    for kind in kinds:
        numbered = []
        for cid, score in cands[kind][:3]:
            n += 1
            numbered.append((n if n <= 9 else 0, cid, score))
        out.append((kind, numbered))
    return out


def _picked_id(value: str) -> str:
    """The picker sends "Name [id]" (what the clerk saw) or the bare id."""
    value = (value or "").strip()
    if value.endswith("]") and "[" in value:
        return value[value.rindex("[") + 1:-1].strip()
    return value


def _with_filter(filters: dict, name: str, value: str) -> str:
    return q.query_of({**filters, name: value})


FLASH_KEYS = ("what", "field", "value", "n", "row", "conflicts", "plans")


def _flash(request: Request) -> dict | None:
    flash = {k: request.query_params.get(f"done_{k}") for k in FLASH_KEYS}
    if not flash["what"]:
        return None
    n = int(flash["n"]) if (flash["n"] or "").isdigit() else 0
    what = flash["what"]
    messages = {
        "accepted": _("Accepted as extracted."),
        "picked": _("Saved: {field} = {value}.").format(field=flash["field"], value=flash["value"]),
        "corrected": _("Saved: {field} = {value}.").format(field=flash["field"], value=flash["value"]),
        "wording": _("Saved on {n} row(s) with this wording: {field} = {value}.").format(
            n=n, field=flash["field"], value=flash["value"]),
        "bulk": _("Accepted {n} row(s) of the filter.").format(n=n),
        "undone": _("Undone: {n} change(s).").format(n=n),
        "nothing_to_undo": _("Nothing of yours to undo."),
        "count_changed": _("The filter now holds {n} row(s) to accept: check and confirm again.").format(n=n),
    }
    text = messages.get(what)
    if text is None:
        return None
    if what == "wording":
        conflicts = int(flash["conflicts"]) if (flash["conflicts"] or "").isdigit() else 0
        plans = int(flash["plans"]) if (flash["plans"] or "").isdigit() else 0
        if plans:
            text += " " + _("{n} plan(s) with this wording are being re-matched.").format(n=plans)
        if conflicts:
            text += " " + _("{n} row(s) with this wording carry another person's choice: they are flagged as conflicts to decide.").format(n=conflicts)
    can_undo = what in ("accepted", "picked", "corrected", "wording", "bulk")
    return {"text": text, "undo": can_undo, "row": flash["row"], "kind": "warn" if what == "count_changed" else "ok"}


def _header_strip(items: pd.DataFrame, row: pd.Series, scan_dpi: int) -> tuple[int, str] | None:
    """(page, box) of the strip above the first row of the row's table: where its header is.
    `scan_dpi`: the scan reader's working dpi (its boxes are pixels at it)."""
    same = items[(items["document_id"] == row.get("document_id")) & (items["table_index"] == row.get("table_index"))
                 & items["bbox"].notna() & items["page"].notna()]
    if same.empty:
        return None
    first = same.sort_values(["page", "row_index"]).iloc[0]
    try:
        x0, top, x1, bottom = (float(v) for v in json.loads(first["bbox"]))
    except (TypeError, ValueError):
        return None
    unit = 1.0 if row.get("document_format") == "pdf" else scan_dpi / 72  # scan boxes: pixels at scan_dpi
    height = min(max(3 * (bottom - top), 60 * unit), 150 * unit)
    if top <= 2 * unit:
        return None
    return int(first["page"]), json.dumps([x0, max(0.0, top - height), x1, top])


def _source_table(items: pd.DataFrame, row: pd.Series):
    """The header and the row as written, for formats without pages (DOCX, DOC, ODT, RTF, XLSX)."""
    from .source_rows import source_rows

    source = row.get("source_key")
    if not isinstance(source, str) or "!" in source or pd.isna(row.get("table_index")) or pd.isna(row.get("row_index")):
        return None
    table = items[(items["document_id"] == row.get("document_id")) & (items["table_index"] == row["table_index"])]
    rows = sorted(int(r) for r in table["row_index"].dropna())
    later = [r for r in rows if r > int(row["row_index"])]
    return source_rows(Path(source), int(row["table_index"]), int(row["row_index"]), rows[0] if rows else 0,
                       later[0] if later else None)


def _esc(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_port(host: str, port: int) -> None:
    """PortBusy when another program holds the port (said plainly, before the server starts)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                raise PortBusy(exc.errno, str(exc)) from exc
            raise


def serve(settings: ReviewSettings, port: int = 8765) -> None:
    import uvicorn

    check_port(settings.host, port)
    app = create_app(settings)

    def progress(done: int, total: int) -> None:
        with use_language(settings.lang):
            print(_("reja review: indexing the store for the page: {done} of {total} region-years").format(
                done=done, total=total), flush=True)

    # the page's index (reja.review.index), brought up to date before the first request: the first time
    # every plan is read once; afterwards only the region-years an import or a correction touched
    app.state.index.refresh(log=progress)
    url = f"http://{settings.host}:{port}/"
    if settings.needs_token:
        url += f"?token={settings.access_token}"
    with use_language(settings.lang):
        print(_("reja review: open {url}  (Ctrl+C to stop)").format(url=url), flush=True)
    uvicorn.run(app, host=settings.host, port=port, log_level="warning")
