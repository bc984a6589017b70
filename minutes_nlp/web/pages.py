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
    AUDIT_EVENT_NAMES,
    FLAG_TITLES,
    LEVEL_NAMES,
    SORT_NAMES,
    UNIT_KIND_NAMES,
    UPLOAD_STATUS_NAMES,
    USER_ROLE_NAMES,
)
from minutes_nlp.web import admin as admin_lib
from minutes_nlp.web import audit, limits
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
from minutes_nlp.web.audit import client_address
from minutes_nlp.web.auth import (
    check_password,
    csrf_token,
    end_session,
    live_sessions,
    session_owner,
    start_session,
)
from minutes_nlp.web.db import ROLES, ApiToken, Unit, User
from minutes_nlp.web.deps import DB, LoginRequired, PageUser, csrf, page_user
from minutes_nlp.web.params import MAX_ID, MAX_OFFSET, PathId, QueryId, ascii_number, form_id, length_problem
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
    in_upload_thread,
    pick_analysis,
    readable_document,
    training_jsonl,
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
    """The error page in the site layout: the navigation and the sign-out button stay for a signed-in user."""
    titles = {401: _("Not signed in"), 403: _("Not allowed"), 404: _("Not found"), 413: _("File too large")}
    return render(
        request,
        "error.html",
        signed_in(request),
        status=status,
        title=titles.get(status, _("Could not be done")),
        message=message,
    )


def signed_in(request: Request) -> User | None:
    """The signed-in user by the same rule as the pages (deps.page_user), or None; never raises LoginRequired."""
    if "session" not in request.scope:  # an error raised before the session middleware ran
        return None
    session = request.app.state.sessions()
    try:
        return page_user(request, session)
    except LoginRequired:
        return None
    finally:
        session.close()


def page_filters(request: Request) -> Filters:
    """The list filters from the query string; a bad value becomes a 422 page with the reason."""
    q = request.query_params

    page_text = q.get("page", "")
    page = ascii_number(page_text) if page_text.strip() else 1
    if page is None or not 1 <= page <= MAX_OFFSET // PAGE_SIZE:
        raise HTTPException(422, _("Invalid value of {key}: {value}").format(key="page", value=repr(page_text[:50])))
    f = Filters(
        cell=form_id(q.get("cell", ""), "cell"),
        committee=form_id(q.get("committee", ""), "committee"),
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
    """Sign in, within the limits: a limited or locked attempt is refused before its password is hashed."""
    name, address = limits.account_key(username), client_address(request)
    settings = request.app.state.settings

    def refuse(status: int, message: str) -> HTMLResponse:
        return render(request, "login.html", None, status=status, next=_next(next), username=username, error=message)

    refusal = limits.admit(session, settings.sign_in, name, address)
    if refusal is not None:
        audit.record_throttled(session, "sign_in_limited", username=name, address=address, detail=refusal.kind)
        response = refuse(429, limits.refusal_message(refusal))
        if refusal.retry_after:
            response.headers["Retry-After"] = str(refusal.retry_after)
        return response
    user = None if length_problem(username.strip(), User.username, "") else check_password(session, name, password)
    if user is None:
        audit.record(session, "sign_in_failed", username=name, address=address)
        for kind, key in (("account", name), ("address", address)):
            if limits.is_locked(session, settings.sign_in, kind, key):
                audit.record(session, "locked", username=name, address=address, target=f"{kind}:{key}")
        return refuse(401, _("Wrong user name or password."))
    limits.succeeded(session, name, address)
    key = start_session(session, user, address, settings.session_hours)
    audit.record(session, "sign_in", username=user.username, address=address)
    request.session.clear()  # a new session: the CSRF token of the signed-out page is not reused
    request.session["sid"] = key
    csrf_token(request.session)
    return RedirectResponse(_next(next), status_code=303)


@router.post("/logout", dependencies=[Depends(csrf)])
def logout(request: Request, session: DB):
    """Sign out: the session ends on the server, so a copy of the cookie is refused too."""
    key = request.session.get("sid")
    if end_session(session, key):
        audit.record(session, "sign_out", username=session_owner(session, key), address=client_address(request))
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


# ---------------------------------------------------------------- own account


@router.get("/account")
def account_page(request: Request, user: PageUser, session: DB):
    return render(request, "account.html", user, sessions=live_sessions(session, user))


@router.post("/account/password", dependencies=[Depends(csrf)])
def account_password(
    request: Request,
    *,
    current: FormText = "",
    new: FormText = "",
    confirm: FormText = "",
    user: PageUser,
    session: DB,
):
    """Change one's own password; every session ends, this browser gets a new one."""

    def refuse(status: int, message: str) -> HTMLResponse:
        return render(
            request, "account.html", user, status=status, sessions=live_sessions(session, user), error=message
        )

    if new != confirm:
        return refuse(422, _("The two new passwords differ."))
    address = client_address(request)
    try:
        admin_lib.change_own_password(session, request.app.state.settings.sign_in, user, current, new, address)
    except admin_lib.Limited as exc:
        return refuse(429, str(exc))
    except admin_lib.AdminError as exc:
        return refuse(422, str(exc))
    request.session.clear()
    request.session["sid"] = start_session(session, user, address, request.app.state.settings.session_hours)
    csrf_token(request.session)
    return render(
        request,
        "account.html",
        user,
        sessions=live_sessions(session, user),
        message=_("Password changed; every other session of yours was signed out."),
    )


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
async def upload(
    request: Request, *, files: Annotated[list[UploadFile], File()], unit_id: FormText = "", user: PageUser, session: DB
):
    def work():
        cell = upload_cell(session, user, form_id(unit_id, "unit_id"))
        uploads = [
            (n, d)
            for n, d in read_uploads(files, request.app.state.settings.max_upload_bytes)
            if n != "tep-khong-ten" or d
        ]  # a form posted without choosing a file sends one empty part
        if not uploads:
            raise HTTPException(422, _("No file was chosen to upload"))
        return cell, upload_files(session, request.app.state, user, cell, uploads)

    cell, outcomes = await in_upload_thread(request, session, work)
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
def meeting(request: Request, *, meeting_id: PathId, analysis_id: QueryId = None, user: PageUser, session: DB):
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
def meeting_report(*, meeting_id: PathId, analysis_id: QueryId = None, user: PageUser, session: DB):
    from minutes_nlp.web.queries import meeting_from_dict

    require(user, READERS)
    doc = readable_document(session, user, meeting_id)
    return HTMLResponse(render_html(meeting_from_dict(pick_analysis(session, doc, analysis_id).report)))


@router.get("/meetings/{meeting_id}/original")
def meeting_original(request: Request, meeting_id: PathId, user: PageUser, session: DB):
    require(user, READERS)
    doc = readable_document(session, user, meeting_id)
    return download(request.app.state.storage.get(doc.sha256), doc.original_name, "application/octet-stream")


# ---------------------------------------------------------------- dashboard, corpus


@router.get("/dashboard")
def dashboard_page(request: Request, user: PageUser, session: DB):
    from minutes_nlp.web.charts import dashboard_charts

    require(user, DASHBOARD)
    units = readable_units(session, user)
    f = Filters(committee=form_id(request.query_params.get("committee", ""), "committee"))
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


@router.get("/corpus/training.jsonl")
def training_download(user: PageUser, session: DB) -> Response:
    require(user, CORPUS)
    return download(training_jsonl(session, user).encode("utf-8"), "du-lieu-huan-luyen.jsonl", "application/jsonl")


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
        locks=limits.current(session, request.app.state.settings.sign_in),
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
    problem = length_problem(name.strip(), Unit.name, _("The unit name"))
    if problem:
        return _admin_page(request, user, session, status=422, error=problem)
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
    problem = length_problem(username.strip(), User.username, _("The user name")) or length_problem(
        full_name, User.full_name, _("The full name")
    )
    if problem:
        return _admin_page(request, user, session, status=422, error=problem)
    try:
        unit = admin_lib.find_unit(session, unit_id.strip() or None)
        made = admin_lib.create_user(session, username, password, role, unit, full_name, actor=user.username)
    except admin_lib.AdminError as exc:
        return _admin_page(request, user, session, status=422, error=str(exc))
    return _admin_page(request, user, session, message=_("User {name} added.").format(name=made.username))


@router.post("/admin/tokens", dependencies=[Depends(csrf)])
def admin_add_token(request: Request, *, username: FormText = "", name: FormText = "", user: PageUser, session: DB):
    require(user, ("admin",))
    problem = length_problem(name, ApiToken.name, _("The token name"))
    if problem:
        return _admin_page(request, user, session, status=422, error=problem)
    try:
        owner = admin_lib.find_user(session, username.strip())
    except admin_lib.AdminError as exc:
        return _admin_page(request, user, session, status=422, error=str(exc))
    token = admin_lib.create_token(session, owner, name, user.username, client_address(request))
    return _admin_page(request, user, session, token=token, token_owner=owner.username)


@router.post("/admin/unlock", dependencies=[Depends(csrf)])
def admin_unlock(request: Request, *, kind: FormText = "", key: FormText = "", user: PageUser, session: DB):
    require(user, ("admin",))
    try:
        admin_lib.unlock(
            session,
            username=key if kind == "account" else None,
            client=key if kind == "address" else None,
            actor=user.username,
            address=client_address(request),
        )
    except admin_lib.AdminError as exc:
        return _admin_page(request, user, session, status=422, error=str(exc))
    return _admin_page(request, user, session, message=_("Unlocked: {key}.").format(key=key))


def _target(session: Session, user_id: int) -> User:
    target = session.get(User, user_id) if 0 < user_id <= MAX_ID else None
    if target is None:
        raise HTTPException(404, _("There is no user number {id}").format(id=user_id))
    return target


def _user_page(
    request: Request, user: User, session: Session, target: User, status: int = 200, **context
) -> HTMLResponse:
    locked = limits.is_locked(session, request.app.state.settings.sign_in, "account", target.username)
    return render(
        request,
        "admin_user.html",
        user,
        status=status,
        target=target,
        sessions=live_sessions(session, target),
        tokens=admin_lib.list_tokens(session, target.username),
        units=admin_lib.list_units(session),
        locked=locked,
        **context,
    )


@router.get("/admin/users/{user_id}")
def admin_user_page(request: Request, user_id: int, user: PageUser, session: DB):
    require(user, ("admin",))
    return _user_page(request, user, session, _target(session, user_id))


@router.post("/admin/users/{user_id}/{action}", dependencies=[Depends(csrf)])
def admin_user_action(
    request: Request,
    *,
    user_id: int,
    action: str,
    password: FormText = "",
    unit_id: FormText = "",
    token_id: FormText = "",
    name: FormText = "",
    user: PageUser,
    session: DB,
):
    """One action on one user: deactivate, reactivate, password, move, token (create), revoke, unlock."""
    require(user, ("admin",))
    target = _target(session, user_id)
    actor, address = user.username, client_address(request)
    context: dict = {}
    try:
        if action == "deactivate":
            n = admin_lib.set_active(session, target, False, actor, address)
            message = _("{name} deactivated; {n} session(s) ended.").format(name=target.username, n=n)
        elif action == "reactivate":
            admin_lib.set_active(session, target, True, actor, address)
            message = _("{name} can sign in again.").format(name=target.username)
        elif action == "password":
            new = password or admin_lib.generate_password()
            n = admin_lib.set_password(session, target, new, actor, address)
            message = _("Password of {name} set; {n} session(s) ended.").format(name=target.username, n=n)
            if not password:
                context["new_password"] = new
        elif action == "move":
            unit = admin_lib.find_unit(session, unit_id.strip() or None)
            n = admin_lib.move_user(session, target, unit, actor, address)
            message = _("{name} moved to {unit}; {n} session(s) ended.").format(
                name=target.username, unit=unit.name if unit else "-", n=n
            )
        elif action == "token":
            context.update(token=admin_lib.create_token(session, target, name, actor, address))
            message = _("Access token created.")
        elif action == "revoke":
            if not token_id.isdigit() or not any(
                t["id"] == int(token_id) for t in admin_lib.list_tokens(session, target.username)
            ):
                raise admin_lib.AdminError(_("there is no access token number {id}").format(id=token_id[:20]))
            admin_lib.revoke_token(session, int(token_id), actor, address)
            message = _("Access token number {id} revoked.").format(id=token_id)
        elif action == "unlock":
            admin_lib.unlock(session, username=target.username, actor=actor, address=address)
            message = _("Unlocked: {key}.").format(key=target.username)
        else:
            raise HTTPException(404, _("Not found"))
    except admin_lib.AdminError as exc:
        return _user_page(request, user, session, target, status=422, error=str(exc))
    session.refresh(target)
    return _user_page(request, user, session, target, message=message, **context)


@router.get("/admin/audit")
def admin_audit_page(request: Request, user: PageUser, session: DB):
    require(user, ("admin",))
    q = request.query_params
    page = q.get("page", "1")
    page_no = int(page) if page.isascii() and page.isdigit() and 0 < len(page) < 7 and int(page) > 0 else 1
    event = q.get("event") or None
    if event is not None and event not in audit.EVENTS:
        raise HTTPException(422, _("Invalid value of {key}: {value}").format(key="event", value=repr(event[:50])))
    username = (q.get("username") or "").strip()[:100] or None
    rows, total = audit.events(
        session, username=username, event=event, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE
    )
    pages = max(1, -(-total // PAGE_SIZE))
    base = {k: v for k, v in (("username", username), ("event", event)) if v}
    return render(
        request,
        "admin_audit.html",
        user,
        rows=rows,
        total=total,
        page=page_no,
        pages=pages,
        username=username or "",
        event=event or "",
        events=audit.EVENTS,
        event_names=AUDIT_EVENT_NAMES,
        prev_link=urlencode({**base, "page": page_no - 1}) if page_no > 1 else None,
        next_link=urlencode({**base, "page": page_no + 1}) if page_no < pages else None,
    )
