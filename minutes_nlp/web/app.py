"""The web service: ``create_app(settings)`` builds the FastAPI app (pages, REST API under /api, OpenAPI docs).

    >>> app = create_app(Settings(data_dir="minutes-nlp-data", migrate=True))
    >>> uvicorn.run(app, host="127.0.0.1", port=8000)

The model is loaded once per app; the database must be at the head migration
(``minutes-nlp admin migrate``, or ``migrate=True``).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from minutes_nlp.i18n import N_, _
from minutes_nlp.web.db import head_revision, make_engine, make_sessionmaker, migrate, schema_revision
from minutes_nlp.web.deps import LoginRequired
from minutes_nlp.web.settings import Settings
from minutes_nlp.web.store import Storage

log = logging.getLogger("minutes_nlp.web")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'self'; form-action 'self'",
}


class BodyLimit:
    """ASGI middleware: refuse a request body larger than limit bytes with 413, declared or streamed."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            response = JSONResponse({"detail": _too_large(self.limit)}, status_code=413)
            return await response(scope, receive, send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise StarletteHTTPException(413, _too_large(self.limit))
            return message

        return await self.app(scope, counted, send)


def _too_large(limit: int) -> str:
    return _("The request is too large (limit {limit} MB); send fewer files at a time").format(limit=limit // 2**20)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The FastAPI app for settings (Settings.from_env() when None), with its model and database ready."""
    from minutes_nlp.analysis.analyzer import Analyzer
    from minutes_nlp.web import api, feedback, pages, queue, review

    settings = settings or Settings.from_env()
    if settings.migrate:
        migrate(settings.database_url)
    at, head = schema_revision(settings.database_url), head_revision()
    if at != head:
        raise RuntimeError(
            _("the database schema is at {at}, not {head}: run 'minutes-nlp admin migrate'").format(
                at=at or _("nothing"), head=head
            )
        )
    engine = make_engine(settings.database_url)
    app = FastAPI(
        title="minutes-nlp",
        version="1",
        description=N_(
            "Analysis of party cell meeting minutes: upload minutes, read reports, filter, export. "
            "Authenticate with `Authorization: Bearer <token>`."
        ),
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine)
    app.state.storage = Storage(settings.storage_dir)
    app.state.analyzer = settings.analyzer or Analyzer(settings.model)
    app.include_router(api.router)
    app.include_router(feedback.router)
    app.include_router(pages.router)
    app.include_router(feedback.pages)
    app.include_router(review.router)
    app.include_router(queue.router)
    app.include_router(queue.pages)
    app.openapi = _translated_openapi(app.openapi)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret(),
        session_cookie="minutes_nlp_session",
        max_age=settings.session_hours * 3600,
        same_site="lax",
        https_only=settings.https_only,
    )
    request_limit = settings.max_upload_bytes * min(settings.max_files, 5) + 2**20
    app.add_middleware(BodyLimit, limit=request_limit)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            if key == "Content-Security-Policy" and request.url.path == "/api/docs":
                continue  # the OpenAPI page loads Swagger UI's script and style from its CDN
            response.headers.setdefault(key, value)
        return response

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={pages.quote(target)}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith("/api"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return pages.error_page(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        if request.url.path.startswith("/api"):
            return JSONResponse({"detail": _validation_message(exc)}, status_code=422)
        return pages.error_page(request, 422, _validation_message(exc))

    return app


def _translated_openapi(build):
    """The OpenAPI schema with the summaries and descriptions (marked with N_) in the language in force."""

    def translate(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("summary", "description", "title") and isinstance(value, str):
                    node[key] = _(value)
                else:
                    translate(value)
        elif isinstance(node, list):
            for item in node:
                translate(item)

    done = []

    def openapi() -> dict:
        schema = build()
        if not done:
            translate(schema)
            done.append(True)
        return schema

    return openapi


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path"))
        parts.append(f"{where or _('request')}: {err.get('msg')}")
    return _("Invalid request: {problems}").format(problems="; ".join(parts))
