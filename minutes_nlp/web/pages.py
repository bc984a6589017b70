"""The pages: sign in/out, upload, meeting list with filters and export, report, dashboard, corpus, admin.

Pages speak the language in force (Vietnamese by default): the templates call
``_()`` through Jinja2's i18n extension and names of codes come from
minutes_nlp.vocabulary; flag codes are shown by their title, the code in a tooltip.

Plain HTML forms, no script. Every POST form carries the session's CSRF token
(a missing or wrong one is refused with 403); GET pages never change data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from minutes_nlp.i18n import _, current_language, ngettext
from minutes_nlp.reports.html import date_text, render_html
from minutes_nlp.reports.supervise import FLAG_CODES, LEVELS
from minutes_nlp.vocabulary import (
    FLAG_TITLES,
    LEVEL_NAMES,
    SORT_NAMES,
    UNIT_KIND_NAMES,
    UPLOAD_STATUS_NAMES,
    USER_ROLE_NAMES,
)
from minutes_nlp.web import admin as admin_lib
from minutes_nlp.web.access import (
    CORPUS,
    DASHBOARD,
    READERS,
    UPLOADERS,
    readable_units,
    require,
    visible_cells,
    visible_committees,
)
from minutes_nlp.web.api import XLSX, download, read_uploads
from minutes_nlp.web.auth import check_password, csrf_token, new_token
from minutes_nlp.web.db import ROLES, User
from minutes_nlp.web.deps import DB, PageUser, csrf
from minutes_nlp.web.queries import (
    SORTS,
    Filters,
    dashboard,
    export_csv,
    export_meetings,
    export_xlsx,
    list_meetings,
)
from minutes_nlp.web.service import (
    analyses_of,
    corpus_jsonl,
    pick_analysis,
    readable_document,
    upload_cell,
    upload_files,
)

__all__ = ["error_page", "quote", "router"]

FormText = Annotated[str, Form()]

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(_, ngettext, newstyle=True)
templates.env.filters["date_text"] = date_text
templates.env.globals.update(
    language=current_language,
    flag_titles=FLAG_TITLES,
    level_names=LEVEL_NAMES,
    role_names=USER_ROLE_NAMES,
    unit_kind_names=UNIT_KIND_NAMES,
)
PAGE_SIZE = 50


def render(request: Request, name: str, user: User | None, status: int = 200, **context) -> HTMLResponse:
    """A page of the site layout, with the user, their role and the session's CSRF token."""
    return templates.TemplateResponse(
        request,
        name,
        {"user": user, "csrf": csrf_token(request.session), **context},
        status_code=status,
    )


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    titles = {401: _("Not signed in"), 403: _("Not allowed"), 404: _("Not found"), 413: _("File too large")}
    return render(
        request, "error.html", None, status=status, title=titles.get(status, _("Could not be done")), message=message
    )


def page_filters(request: Request) -> Filters:
    """The list filters from the query string; a bad value becomes a 422 page with the reason."""
    q = request.query_params

    def as_int(key: str) -> int | None:
        value = q.get(key, "").strip()
        if not value:
            return None
        if not value.isdigit():
            raise HTTPException(422, _("Invalid value of {key}: {value}").format(key=key, value=repr(value)))
        return int(value)

    page = as_int("page") or 1
    f = Filters(
        cell=as_int("cell"),
        committee=as_int("committee"),
        month=q.get("month") or None,
        level=q.get("level") or None,
        flag=q.get("flag") or None,
        ids=q.get("ids") or None,
        sort=q.get("sort") or "uploaded",
        order=q.get("order") or "desc",
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    problems = f.problems()
    if problems:
        raise HTTPException(422, "; ".join(problems))
    return f


def _query(f: Filters, **changes) -> str:
    values = {
        "cell": f.cell,
        "committee": f.committee,
        "month": f.month,
        "level": f.level,
        "flag": f.flag,
        "ids": f.ids,
        "sort": f.sort,
        "order": f.order,
        **changes,
    }
    return urlencode({k: v for k, v in values.items() if v not in (None, "")})


def _next(target: str | None) -> str:
    """Only a local path is followed after signing in."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


# ---------------------------------------------------------------- sign in / out


@router.get("/login")
def login_form(request: Request, next: str = "/"):
    return render(request, "login.html", None, next=_next(next))


@router.post("/login", dependencies=[Depends(csrf)])
def login(request: Request, *, username: FormText = "", password: FormText = "", next: FormText = "/", session: DB):
    user = check_password(session, username.strip(), password)
    if user is None:
        return render(
            request,
            "login.html",
            None,
            status=401,
            next=_next(next),
            username=username,
            error=_("Wrong user name or password."),
        )
    request.session.clear()  # a new session: the CSRF token of the signed-out page is not reused
    request.session["user_id"] = user.id
    csrf_token(request.session)
    return RedirectResponse(_next(next), status_code=303)


@router.post("/logout", dependencies=[Depends(csrf)])
def logout(request: Request):
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/")
def home(user: PageUser):
    return RedirectResponse("/corpus" if user.role == "researcher" else "/meetings", status_code=303)


# ---------------------------------------------------------------- upload


@router.get("/upload")
def upload_form(request: Request, user: PageUser, session: DB):
    require(user, UPLOADERS)
    cells = visible_cells(session, None) if user.role == "admin" else []
    return render(request, "upload.html", user, cells=cells, max_mb=request.app.state.settings.max_upload_mb)


@router.post("/upload", dependencies=[Depends(csrf)])
def upload(
    request: Request, *, files: Annotated[list[UploadFile], File()], unit_id: FormText = "", user: PageUser, session: DB
):
    cell = upload_cell(session, user, int(unit_id) if unit_id.strip().isdigit() else None)
    uploads = [
        (n, d) for n, d in read_uploads(files, request.app.state.settings.max_upload_bytes) if n != "tep-khong-ten" or d
    ]  # a form posted without choosing a file sends one empty part
    if not uploads:
        raise HTTPException(422, _("No file was chosen to upload"))
    outcomes = upload_files(session, request.app.state, user, cell, uploads)
    if any(o.status == "created" for o in outcomes):
        status = 201
    elif any(o.status == "duplicate" for o in outcomes):
        status = 200
    else:
        status = outcomes[0].http_status
    return render(
        request,
        "upload_result.html",
        user,
        status=status,
        outcomes=outcomes,
        cell=cell,
        status_names=UPLOAD_STATUS_NAMES,
    )


# ---------------------------------------------------------------- meetings


@router.get("/meetings")
def meetings(request: Request, user: PageUser, session: DB):
    require(user, READERS)
    f = page_filters(request)
    units = readable_units(session, user)
    rows, total = list_meetings(session, units, f)
    page = f.offset // PAGE_SIZE + 1
    pages = max(1, -(-total // PAGE_SIZE))
    sort_links = {
        key: _query(f, sort=key, order="asc" if f.sort == key and f.order == "desc" else "desc") for key in SORTS
    }
    return render(
        request,
        "meetings.html",
        user,
        rows=rows,
        total=total,
        f=f,
        page=page,
        pages=pages,
        cells=visible_cells(session, units),
        committees=visible_committees(session, units),
        levels=[(lv, LEVEL_NAMES[lv]) for lv in LEVELS],
        flag_codes=FLAG_CODES,
        sorts=SORT_NAMES,
        query=_query(f),
        sort_links=sort_links,
        prev_link=_query(f, page=page - 1) if page > 1 else None,
        next_link=_query(f, page=page + 1) if page < pages else None,
    )


@router.get("/meetings/export.csv")
def meetings_csv(request: Request, user: PageUser, session: DB):
    require(user, READERS)
    rows, found = export_meetings(session, readable_units(session, user), page_filters(request))
    return download(export_csv(rows, found), "bien-ban.csv", "text/csv; charset=utf-8")


@router.get("/meetings/export.xlsx")
def meetings_xlsx(request: Request, user: PageUser, session: DB):
    require(user, READERS)
    _, found = export_meetings(session, readable_units(session, user), page_filters(request))
    return download(export_xlsx(found), "bien-ban.xlsx", XLSX)


@router.get("/meetings/{meeting_id}")
def meeting(request: Request, *, meeting_id: int, analysis_id: int | None = None, user: PageUser, session: DB):
    require(user, READERS)
    doc = readable_document(session, user, meeting_id)
    shown = pick_analysis(session, doc, analysis_id)
    from minutes_nlp.web.feedback import RATERS, ratings_of
    from minutes_nlp.web.review import review_context

    return render(
        request,
        "meeting.html",
        user,
        doc=doc,
        shown=shown,
        analyses=analyses_of(session, doc),
        ratings=ratings_of(session, doc),
        can_rate=user.role in RATERS,
        **review_context(session, user, shown),
    )


@router.get("/meetings/{meeting_id}/report")
def meeting_report(*, meeting_id: int, analysis_id: int | None = None, user: PageUser, session: DB):
    from minutes_nlp.web.queries import meeting_from_dict

    require(user, READERS)
    doc = readable_document(session, user, meeting_id)
    return HTMLResponse(render_html(meeting_from_dict(pick_analysis(session, doc, analysis_id).report)))


@router.get("/meetings/{meeting_id}/original")
def meeting_original(request: Request, meeting_id: int, user: PageUser, session: DB):
    require(user, READERS)
    doc = readable_document(session, user, meeting_id)
    return download(request.app.state.storage.get(doc.sha256), doc.original_name, "application/octet-stream")


# ---------------------------------------------------------------- dashboard, corpus


@router.get("/dashboard")
def dashboard_page(request: Request, user: PageUser, session: DB):
    from minutes_nlp.web.charts import dashboard_charts

    require(user, DASHBOARD)
    units = readable_units(session, user)
    committee = request.query_params.get("committee", "")
    f = Filters(committee=int(committee) if committee.isdigit() else None)
    stats = dashboard(session, units, f)
    top = max([*stats["by_flag"].values(), *stats["by_level"].values(), 1])
    top_month = max([m["meetings"] for m in stats["months"]] + [1])
    return render(
        request,
        "dashboard.html",
        user,
        stats=stats,
        top=top,
        top_month=top_month,
        f=f,
        committees=visible_committees(session, units),
        charts=dashboard_charts(session, units, f, request.query_params.get("heat")),
        heat=request.query_params.get("heat", ""),
        flag_codes=FLAG_CODES,
    )


@router.get("/corpus")
def corpus_page(request: Request, user: PageUser):
    require(user, CORPUS)
    return render(request, "corpus.html", user)


@router.get("/corpus.jsonl")
def corpus_download(user: PageUser, session: DB) -> Response:
    require(user, CORPUS)
    return download(corpus_jsonl(session, user).encode("utf-8"), "corpus-an-danh.jsonl", "application/jsonl")


# ---------------------------------------------------------------- admin


def _admin_page(request: Request, user: User, session: Session, status: int = 200, **context) -> HTMLResponse:
    return render(
        request,
        "admin.html",
        user,
        status=status,
        units=admin_lib.list_units(session),
        users=admin_lib.list_users(session),
        roles=ROLES,
        **context,
    )


@router.get("/admin")
def admin_page(request: Request, user: PageUser, session: DB):
    require(user, ("admin",))
    return _admin_page(request, user, session)


@router.post("/admin/units", dependencies=[Depends(csrf)])
def admin_add_unit(
    request: Request, *, name: FormText = "", kind: FormText = "", parent_id: FormText = "", user: PageUser, session: DB
):
    require(user, ("admin",))
    try:
        parent = admin_lib.find_unit(session, parent_id.strip() or None)
        unit = admin_lib.create_unit(session, name, kind, parent)
    except admin_lib.AdminError as exc:
        return _admin_page(request, user, session, status=422, error=str(exc))
    return _admin_page(
        request, user, session, message=_("Unit {name} added (number {id}).").format(name=unit.name, id=unit.id)
    )


@router.post("/admin/users", dependencies=[Depends(csrf)])
def admin_add_user(
    request: Request,
    *,
    username: FormText = "",
    password: FormText = "",
    role: FormText = "",
    unit_id: FormText = "",
    full_name: FormText = "",
    user: PageUser,
    session: DB,
):
    require(user, ("admin",))
    try:
        unit = admin_lib.find_unit(session, unit_id.strip() or None)
        made = admin_lib.create_user(session, username, password, role, unit, full_name)
    except admin_lib.AdminError as exc:
        return _admin_page(request, user, session, status=422, error=str(exc))
    return _admin_page(request, user, session, message=_("User {name} added.").format(name=made.username))


@router.post("/admin/tokens", dependencies=[Depends(csrf)])
def admin_add_token(request: Request, *, username: FormText = "", name: FormText = "", user: PageUser, session: DB):
    require(user, ("admin",))
    try:
        owner = admin_lib.find_user(session, username.strip())
    except admin_lib.AdminError as exc:
        return _admin_page(request, user, session, status=422, error=str(exc))
    token = new_token(session, owner, name or None)
    return _admin_page(request, user, session, token=token, token_owner=owner.username)
