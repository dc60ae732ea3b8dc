"""The explorer as an ASGI application (Starlette), served by uvicorn (`stateline explore`).

One session per server (a local, single-user tool).  GET `/` shows the path's
current state (`?at=N`: the state after step N); the controls POST and are
redirected back to `/` (303), so reloading a page never repeats a step:

    POST /take/{i}      take the i-th enabled step      POST /back, /forward, /restart
    POST /jump/{prop}   the shortest counterexample      POST /initial/{k}
    POST /reload        compile the changed spec again   GET /api/state (JSON)

Before anything else every request compares the spec file with the text the
session compiled: when it has changed, the page is a reload notice (409) and no
step is taken, so a state from an old text is never shown as current.  Requests
are served one at a time (a lock around the session); a Host header other than
the address served is refused (TrustedHostMiddleware), so a page from another
site cannot drive the explorer through DNS rebinding.
"""

from __future__ import annotations

import threading

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..diagnostics import SpecError
from .page import page, stale_page
from .session import Session, SessionError


class Explorer:
    """The mutable part of the app: the session and its lock."""

    def __init__(self, session: Session):
        self.session = session
        self.lock = threading.Lock()
        self.message = ""        # shown once, on the next page


def create_app(session: Session, hosts: list[str] | None = None) -> Starlette:
    ex = Explorer(session)

    def current(request: Request) -> Response:
        at = request.query_params.get("at")
        with ex.lock:
            if ex.session.stale():
                return HTMLResponse(stale_page(ex.session), status_code=409)
            message, ex.message = ex.message, ""
            view = int(at) if at is not None and at.isdigit() else None
            return HTMLResponse(page(ex.session, view, message))

    def control(fn):
        def endpoint(request: Request) -> Response:
            with ex.lock:
                if ex.session.stale():
                    return HTMLResponse(stale_page(ex.session), status_code=409)
                try:
                    fn(ex.session, request.path_params)
                except SessionError as exc:
                    ex.message = str(exc)
            return RedirectResponse("/", status_code=303)
        return endpoint

    def reload(request: Request) -> Response:
        with ex.lock:
            try:
                ex.session = ex.session.reload()
            except (SpecError, SessionError) as exc:
                text = "\n".join(str(d) for d in getattr(exc, "diagnostics", [])) or str(exc)
                return HTMLResponse(stale_page(ex.session, text), status_code=409)
            ex.message = f"reloaded {ex.session.path}; followed {ex.session.depth} step(s) of " \
                         "the path"
        return RedirectResponse("/", status_code=303)

    def state(request: Request) -> Response:
        with ex.lock:
            s = ex.session
            if s.stale():
                return JSONResponse({"stale": True, "path": s.path}, status_code=409)
            return JSONResponse({
                "stale": False, "spec": s.system.name, "check": s.check.name,
                "depth": s.depth, "redo": len(s.redo),
                "path": [step.title() for step in s.trace().steps],
                "state": dict(s.model.describe(s.current)),
                "enabled": [o.step.title() for o in s.enabled()],
                "properties": {p.name: p.holds for p in s.properties()},
            })

    routes = [
        Route("/", current),
        Route("/api/state", state),
        Route("/take/{index:int}", control(lambda s, p: s.take(p["index"])), methods=["POST"]),
        Route("/back", control(lambda s, p: s.back()), methods=["POST"]),
        Route("/forward", control(lambda s, p: s.forward()), methods=["POST"]),
        Route("/restart", control(lambda s, p: s.go(0)), methods=["POST"]),
        Route("/initial/{k:int}", control(lambda s, p: s.choose_initial(p["k"])),
              methods=["POST"]),
        Route("/jump/{prop}", control(lambda s, p: s.jump(p["prop"])), methods=["POST"]),
        Route("/reload", reload, methods=["POST"]),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=hosts)] if hosts else []
    return Starlette(routes=routes, middleware=middleware)
