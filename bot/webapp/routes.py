"""The web app's routes: page shells (``/webapp/…``), their server-rendered content and the JSON API
(``/webapp/api/…``), the problem status change and the exports.

A page's HTML shell carries no data and needs no authentication: its script reads ``initData`` from
Telegram (``Telegram.WebApp.initData``, else the launch URL's ``#tgWebAppData`` fragment, which never
reaches a server) and fetches the page's content from ``/webapp/api/view/<page>`` with
``Authorization: tma <initData>``. Every ``/webapp/api/`` request is authorized from scratch
(:func:`bot.webapp.auth.identify`, then :func:`~bot.webapp.auth.municipality_for`): 401 without a
valid, fresh ``initData``, 403 for someone who is not an officer or for another municipality.
Superadmins pass ``?m=<SOATE code>`` to open a municipality; without it they get the national view.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.config import Settings
from bot.db import Database
from bot.domain import problems as pb
from bot.domain.clock import clock
from bot.domain.errors import DomainError, NotAnOfficer, NotFound, PermissionDenied, WrongMunicipality
from bot.domain.spreadsheet import export_filename
from bot.i18n import _, use_locale
from bot.ui import problems as _problem_explanations  # noqa: F401 - registers the problems' explanations
from bot.ui.errors import explain
from bot.webapp import exports, report, views
from bot.webapp.auth import Refused, Viewer, identify, municipality_for
from bot.webapp.render import render

log = logging.getLogger(__name__)

DB = web.AppKey("webapp_db", Database)
SETTINGS = web.AppKey("webapp_settings", Settings)
TOKEN = web.AppKey("webapp_token", str)

PAGES = ("dashboard", "problems", "surveys", "hearings", "registry", "audit", "national")
"""Pages of the web app; each has a shell at ``/webapp/<page>`` (the dashboard at ``/webapp/``)."""
MUNICIPAL = ("dashboard", "problems", "surveys", "hearings", "registry")
"""Pages about one municipality (a superadmin without ``?m=`` is sent to the national view)."""
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
SHELL_HEADERS = {
    **NO_STORE,
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline' https://telegram.org; "
                               "style-src 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; "
                               "frame-ancestors https://web.telegram.org https://*.telegram.org",
}

_shells: dict[str, str] = {}


def shell(view: str) -> str:
    """The page's HTML shell (no data; rendered once per page)."""
    if view not in _shells:
        _shells[view] = render("shell.html", "ky", view=view)
    return _shells[view]


async def page(request: web.Request) -> web.Response:
    """``GET /webapp/`` and ``/webapp/<page>``: the shell."""
    view = request.match_info.get("page") or "dashboard"
    if view not in PAGES:
        raise web.HTTPNotFound()
    return web.Response(text=shell(view), content_type="text/html", headers=SHELL_HEADERS)


async def _viewer(request: web.Request) -> Viewer:
    app = request.app
    return await identify(app[DB], app[SETTINGS], request.headers.get("Authorization"), token=app[TOKEN])


def _q(viewer: Viewer, code: str | None) -> str:
    """The query string that keeps a superadmin's municipality on links (officers need none)."""
    return f"?m={code}" if viewer.superadmin and code else ""


async def _data(view: str, db: Database, viewer: Viewer, code: str | None, query: Any) -> dict[str, Any]:
    if view == "national":
        if not viewer.superadmin:
            raise Refused(403, "national view is for superadmins")
        return await views.national(db)
    if view == "audit":
        data = await views.audit(db, code)
        data["municipality"] = await views.place(db, code) if code else None
        return data
    if code is None:
        raise Refused(404, "no municipality")
    if view == "dashboard":
        return await views.dashboard(db, code)
    if view == "problems":
        return await views.queue(db, code, status=query.get("status"), category=query.get("category"),
                                 text=query.get("text"))
    if view == "surveys":
        return await views.surveys(db, code)
    if view == "hearings":
        return await views.hearings(db, code)
    return await views.registry(db, code)


async def view_fragment(request: web.Request) -> web.Response:
    """``GET /webapp/api/view/<page>``: the page's content, server-rendered in the viewer's language."""
    view = request.match_info["page"]
    if view not in PAGES:
        raise web.HTTPNotFound()
    viewer = await _viewer(request)
    db = request.app[DB]
    code = await municipality_for(db, viewer, request.query.get("m"))
    if code is None and view in MUNICIPAL:
        view = "national"
    data = await _data(view, db, viewer, code, request.query)
    can_act = viewer.officer is not None and viewer.home == code
    html = render(f"{view}.html", viewer.locale, d=data, viewer=viewer, code=code, q=_q(viewer, code),
                  can_act=can_act)
    return web.Response(text=html, content_type="text/html", headers=NO_STORE)


async def api_json(request: web.Request) -> web.Response:
    """``GET /webapp/api/<page>``: the page's figures as JSON (``/webapp/api/dashboard`` and the rest)."""
    view = request.match_info["page"]
    if view not in PAGES:
        raise web.HTTPNotFound()
    viewer = await _viewer(request)
    db = request.app[DB]
    code = await municipality_for(db, viewer, request.query.get("m"))
    data = await _data(view, db, viewer, code, request.query)
    return web.json_response(data, headers=NO_STORE, dumps=lambda o: json.dumps(o, ensure_ascii=False))


async def change_status(request: web.Request) -> web.Response:
    """``POST /webapp/api/problems/<id>/status`` with JSON ``{status, comment, expected_status}``: the
    chat's own use case (:func:`bot.domain.problems.change_status`), so the residents following the
    problem are told through the outbox exactly as when the officer uses the chat."""
    viewer = await _viewer(request)
    db = request.app[DB]
    code = await municipality_for(db, viewer, request.query.get("m"))
    try:
        problem_id = int(request.match_info["id"])
        body = await request.json()
    except (ValueError, json.JSONDecodeError):
        raise web.HTTPBadRequest() from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest()
    with use_locale(viewer.locale):
        if viewer.officer is None or viewer.home != code:
            raise Refused(403, "only an officer of the municipality changes a status")
        try:
            problem = await pb.change_status(
                db, officer_id=viewer.telegram_id, problem_id=problem_id, status=str(body.get("status", "")),
                comment=str(body.get("comment") or "").strip() or None,
                expected_status=str(body["expected_status"]) if body.get("expected_status") else None)
        except (NotAnOfficer, WrongMunicipality):
            raise Refused(403, "not an officer of the problem's municipality") from None
        except DomainError as error:
            status = 404 if isinstance(error, NotFound) else 409
            return web.json_response({"ok": False, "error": explain(error)}, status=status, headers=NO_STORE)
        message = _("Saved: problem #{id} is now “{status}”. Its followers will be told.").format(
            id=problem.id, status=_(pb.STATUSES[problem.status]))
    return web.json_response({"ok": True, "id": problem.id, "status": problem.status, "message": message},
                             headers=NO_STORE)


async def _municipal(request: web.Request) -> tuple[Viewer, str]:
    viewer = await _viewer(request)
    code = await municipality_for(request.app[DB], viewer, request.query.get("m"))
    if code is None:
        raise Refused(404, "no municipality")
    return viewer, code


async def _audited(request: web.Request, viewer: Viewer, code: str, file_format: str) -> None:
    """Record the export in the audit log (``workspace.export``, details ``{"format": …}``), in a
    transaction of its own, before the file is sent."""
    from bot.domain.audit import Actor, record_alone

    own = viewer.officer is not None and viewer.home == code
    actor = Actor.officer(viewer.telegram_id) if own else Actor.superadmin(viewer.telegram_id)
    await record_alone(request.app[DB], actor, "workspace.export", municipality_code=code,
                       details={"format": file_format})


def _file(body: bytes, content_type: str, name: str) -> web.Response:
    return web.Response(body=body, content_type=content_type,
                        headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'})


async def export_xlsx(request: web.Request) -> web.Response:
    """``GET /webapp/api/export.xlsx``: the municipality's workbook (:mod:`bot.webapp.exports`)."""
    viewer, code = await _municipal(request)
    data = await exports.collect(request.app[DB], code)
    body = await asyncio.to_thread(exports.workbook, data, viewer.locale)
    await _audited(request, viewer, code, "xlsx")
    return _file(body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", export_filename(f"jamaat-{code}", "xlsx", clock.now()))


async def export_csv(request: web.Request) -> web.Response:
    """``GET /webapp/api/export/<sheet>.csv``: one sheet of the workbook as CSV."""
    viewer, code = await _municipal(request)
    sheet = request.match_info["sheet"]
    if sheet not in exports.SHEETS:
        raise web.HTTPNotFound()
    data = await exports.collect(request.app[DB], code)
    body = exports.csv_sheet(data, sheet, viewer.locale)
    await _audited(request, viewer, code, f"csv:{sheet}")
    return _file(body, "text/csv", export_filename(f"{sheet}-{code}", "csv", clock.now()))


async def hearing_report(request: web.Request) -> web.Response:
    """``GET /webapp/api/report.png`` / ``.pdf``: the one-page hearing report (:mod:`bot.webapp.report`)."""
    viewer, code = await _municipal(request)
    kind = request.match_info["kind"]
    data = await report.collect(request.app[DB], code)
    body = await asyncio.to_thread(report.render_report, data, viewer.locale, kind)
    await _audited(request, viewer, code, f"report:{kind}")
    return _file(body, "application/pdf" if kind == "pdf" else "image/png", export_filename(f"hearing-report-{code}", kind, clock.now()))


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def refusals(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A :class:`~bot.webapp.auth.Refused` request gets its status: an HTML notice for page content,
    ``{"ok": false}`` JSON for the rest (never which check failed)."""
    try:
        return await handler(request)
    except Refused as refused:
        log.info("webapp %s %s refused: %s", request.method, request.path, refused.reason)
        if request.path.startswith("/webapp/api/view/"):
            html = render("refused.html", _locale_hint(request), status=refused.status)
            return web.Response(text=html, status=refused.status, content_type="text/html", headers=NO_STORE)
        return web.json_response({"ok": False}, status=refused.status, headers=NO_STORE)
    except PermissionDenied:
        return web.json_response({"ok": False}, status=403, headers=NO_STORE)


def _locale_hint(request: web.Request) -> str:
    """The refusal's language before anyone is known: the browser's ``Accept-Language`` (ky or ru)."""
    header = request.headers.get("Accept-Language", "").lower()
    return "ru" if header.startswith("ru") else request.app[SETTINGS].default_locale


def build(db: Database, settings: Settings, token: str) -> web.Application:
    """The web app as an aiohttp application, to be mounted at ``/webapp/``."""
    app = web.Application(middlewares=[refusals])
    app[DB] = db
    app[SETTINGS] = settings
    app[TOKEN] = token
    app.router.add_get("/", page)
    app.router.add_get("/api/view/{page}", view_fragment)
    app.router.add_get("/api/export.xlsx", export_xlsx)
    app.router.add_get("/api/export/{sheet}.csv", export_csv)
    app.router.add_get("/api/report.{kind:png|pdf}", hearing_report)
    app.router.add_post("/api/problems/{id:\\d+}/status", change_status)
    app.router.add_get("/api/{page}", api_json)
    app.router.add_get("/{page}", page)
    return app
