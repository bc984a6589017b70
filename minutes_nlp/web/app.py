"""The web service: ``create_app(settings)`` builds the FastAPI app (pages, REST API under /api, OpenAPI docs).

    >>> app = create_app(Settings(data_dir="minutes-nlp-data", migrate=True))
    >>> uvicorn.run(app, host="127.0.0.1", port=8000)

Uploads are analysed in a pool of worker processes (web/workers.py), each
loading the model once; the database must be at the head migration
(``minutes-nlp admin migrate``, or ``migrate=True``). Nothing else is kept per
process: sessions are signed cookies, duplicates are refused by a unique
index, so several server processes (``serve --workers N``) share one database.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from contextlib import asynccontextmanager
from http import HTTPStatus
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from minutes_nlp.i18n import N_, _
from minutes_nlp.web.audit import record_denied
from minutes_nlp.web.db import head_revision, make_engine, make_sessionmaker, migrate, schema_revision
from minutes_nlp.web.deps import LoginRequired
from minutes_nlp.web.settings import Settings
from minutes_nlp.web.store import Storage
from minutes_nlp.web.workers import AnalysisPool, InlineAnalysis, sweep_temp

log = logging.getLogger("minutes_nlp.web")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'self'; form-action 'self'",
}
SWAGGER_UI = Path(__file__).with_name("static") / "swagger-ui"  # swagger-ui-dist, vendored (its README.md)
DOCS_ASSETS = "/api/docs/assets"


class BodyLimit:
    """ASGI middleware: refuse a request body larger than limit bytes with 413, declared or streamed.

    The refusal is raised when the route reads the body, so the exception handlers answer it: the error
    page for a browser, JSON under /api. A declared length over the limit fails at the first read.
    """

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        declared_over = declared.isdigit() and (len(declared) > 18 or int(declared) > self.limit)
        seen = 0

        async def counted():
            nonlocal seen
            if declared_over:
                raise HTTPException(413, _too_large(self.limit))
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise HTTPException(413, _too_large(self.limit))
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
    storage = Storage(settings.storage_dir)
    swept = sweep_temp() + storage.sweep()
    if swept:
        log.info("removed %d temporary upload files left by a stopped server", swept)
    moved, removed = storage.recover(make_sessionmaker(engine))
    if moved or removed:
        log.info("storage: %d committed files moved into place, %d files no meeting names removed", moved, removed)
    if settings.analyzer is not None:
        analysis = InlineAnalysis(settings.analyzer)
    else:
        analysis = AnalysisPool(
            settings.model, settings.analysis_workers, settings.analysis_seconds, settings.analysis_memory_mb
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        analysis.close()

    app = FastAPI(
        lifespan=lifespan,
        title="minutes-nlp",
        version="1",
        description=N_(
            "Analysis of party cell meeting minutes: upload minutes, read reports, filter, export. "
            "Authenticate with `Authorization: Bearer <token>`."
        ),
        docs_url=None,  # served below from the vendored Swagger UI, not from a CDN
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine)
    app.state.storage = storage
    app.state.analysis = analysis
    # in this process: re-scoring corrections (no labelling) and the annotation queue's model uncertainty;
    # uploads are analysed by the worker pool above
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

    docs_body, docs_policy = _docs_page()
    app.mount(DOCS_ASSETS, StaticFiles(directory=SWAGGER_UI), name="docs-assets")

    @app.get("/api/docs", include_in_schema=False)
    def docs():
        return HTMLResponse(docs_body, headers={"Content-Security-Policy": docs_policy})

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        if not request.url.path.startswith(DOCS_ASSETS + "/"):
            response.headers.setdefault("Cache-Control", "no-store")  # pages and downloads hold minutes
        return response

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={pages.quote(target)}", status_code=303)

    def answer(request: Request, status: int, message: str, headers: dict | None = None):
        """JSON under /api, the error page (with the site's navigation) for a browser."""
        if request.url.path.startswith("/api"):
            return JSONResponse({"detail": message}, status_code=status, headers=headers)
        return pages.error_page(request, status, message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        record_denied(request, exc.status_code, str(exc.detail))
        status, message = _own_words(exc.status_code, str(exc.detail), settings.max_files)
        return answer(request, status, message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        return answer(request, 422, _validation_message(exc))

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        response = answer(request, 500, _("An internal error occurred; it has been logged for the administrator"))
        response.headers.update({"Cache-Control": "no-store", **SECURITY_HEADERS})  # outside security_headers
        return response

    return app


def _docs_page() -> tuple[bytes, str]:
    """The Swagger UI page over the vendored assets and its CSP: its inline script allowed by hash, nothing
    from outside."""
    page = get_swagger_ui_html(
        openapi_url="/api/openapi.json",
        title="minutes-nlp API",
        swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        swagger_ui_parameters={"validatorUrl": None},  # no badge fetched from swagger.io
    )
    inline = re.findall(r"<script>(.*?)</script>", page.body.decode("utf-8"), flags=re.S)
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(x.encode()).digest()).decode()}'" for x in inline)
    return page.body, (
        f"default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "frame-ancestors 'self'; form-action 'self'"
    )


# The multipart parser's refusals, in English in Starlette: (start of its message, status, our message).
_PARSER_REFUSALS = (
    ("Too many files", 413, N_("At most {n} files per upload")),
    ("Too many fields", 413, N_("The form has too many fields")),
)


def _own_words(status: int, detail: str, max_files: int) -> tuple[int, str]:
    """(status, message) in the language in force for the framework's own English refusals; ours pass through."""
    for start, own_status, message in _PARSER_REFUSALS:
        if detail.startswith(start):
            return own_status, _(message).format(n=max_files)
    if status == 400:  # a body the parsers could not read ("There was an error parsing the body", …)
        return 400, _("The request could not be read: the form or the JSON body is malformed")
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = None
    if detail == phrase:  # Starlette's default detail: "Not Found", "Method Not Allowed", …
        own = {404: _("There is no such page or address"), 405: _("This address does not accept this method")}
        return status, own.get(status, _("The request could not be done"))
    return status, detail


ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {"detail": {"type": "string", "title": "Detail"}},
    "required": ["detail"],
}


def _translated_openapi(build):
    """The OpenAPI schema with the summaries and descriptions (marked with N_) in the language in force, and
    the 422 answer as the service sends it ({"detail": "<reason>"}, not FastAPI's list of errors)."""

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
            schemas = schema.get("components", {}).get("schemas", {})
            if "HTTPValidationError" in schemas:
                schemas["HTTPValidationError"] = ERROR_SCHEMA
                schemas.pop("ValidationError", None)
            done.append(True)
        return schema

    return openapi


def _validation_message(exc: RequestValidationError) -> str:
    """The validation errors in the language in force, each as "field: what is wrong" (pydantic's are English)."""
    parts = []
    for err in exc.errors():
        loc = [str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path", "header")]
        if loc[:1] == ["files"] and "UploadFile" in str(err.get("msg")):
            parts.append(_("a file was sent without a name; choose it again (or rename it) and send it again"))
            continue
        parts.append(f"{'.'.join(loc[:1]) or _('request')}: {_problem(err)}")
    return _("Invalid request: {problems}").format(problems="; ".join(dict.fromkeys(parts)))


def _problem(err: dict) -> str:
    kind, ctx = err.get("type", ""), err.get("ctx") or {}
    if kind in ("int_parsing", "int_type", "int_from_float", "int_parsing_size"):
        return _("must be a whole number written with the digits 0-9")
    if kind in ("less_than_equal", "less_than"):
        return _("must be at most {limit}").format(limit=ctx.get("le", ctx.get("lt")))
    if kind in ("greater_than_equal", "greater_than"):
        return _("must be at least {limit}").format(limit=ctx.get("ge", ctx.get("gt")))
    if kind == "string_too_long":
        return _("must have at most {n} characters").format(n=ctx.get("max_length"))
    if kind == "string_too_short":
        return _("must have at least {n} characters").format(n=ctx.get("min_length"))
    if kind == "missing":
        return _("is required")
    if kind in ("literal_error", "enum"):
        return _("is not one of the accepted values")
    if kind == "json_invalid":
        return _("is not valid JSON")
    if kind in ("model_attributes_type", "dict_type", "model_type"):
        return _("must be a JSON object")
    if kind == "string_type":
        return _("must be text")
    return _("is not valid")
