"""The REST API under /api (OpenAPI at /api/docs); every route needs ``Authorization: Bearer <token>``.

Errors are JSON ``{"detail": "<reason>"}`` (in the language in force) with a 4xx status:
401 no or bad token, 403 role not allowed, 404 meeting out of reach, 413 too
large, 415 type not accepted or content not matching its extension, 422
unreadable file or invalid parameters.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import (
    APIRouter,
    Depends,
    File,
    Form,
    HTTPException,
    Path,
    Query,
    Request,
    UploadFile,
)
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from minutes_nlp.i18n import N_
from minutes_nlp.vocabulary import USER_ROLE_NAMES
from minutes_nlp.web import admin as admin_lib
from minutes_nlp.web import audit, limits
from minutes_nlp.web.access import CORPUS, DASHBOARD, READERS, readable_units, require
from minutes_nlp.web.audit import client_address
from minutes_nlp.web.db import ApiToken, Unit, User, iso
from minutes_nlp.web.deps import DB, ApiUser
from minutes_nlp.web.params import MAX_ID, MAX_OFFSET, PLAIN_TEXT, PathId, QueryId, column_length
from minutes_nlp.web.queries import (
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

router = APIRouter(prefix="/api", tags=["api"])

# A user name in a path: as long as the column allows, no control characters.
UserName = Annotated[str, Path(max_length=column_length(User.username), pattern=PLAIN_TEXT)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filters(
    cell: Annotated[int | None, Query(ge=1, le=MAX_ID, description=N_("Number of the party cell"))] = None,
    committee: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description=N_("Number of the party committee (every cell under it)"))
    ] = None,
    month: Annotated[str | None, Query(description=N_("Meeting month YYYY-MM"))] = None,
    level: Annotated[str | None, Query(description="tot, kha, trung_binh, kem")] = None,
    flag: Annotated[str | None, Query(description=N_("Flag code, e.g. NO_PROPOSALS"))] = None,
    ids: Annotated[str | None, Query(description=N_("Meeting numbers separated by commas"))] = None,
    sort: Annotated[str, Query(description="date, score, uploaded, cell, level, id")] = "uploaded",
    order: Literal["asc", "desc"] = "desc",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Filters:
    f = Filters(
        cell=cell,
        committee=committee,
        month=month or None,
        level=level or None,
        flag=flag or None,
        ids=ids or None,
        sort=sort,
        order=order,
        limit=limit,
        offset=offset,
    )
    problems = f.problems()
    if problems:
        raise HTTPException(422, "; ".join(problems))
    return f


ListFilters = Annotated[Filters, Depends(filters)]


def read_uploads(files: list[UploadFile], limit: int) -> list[tuple[str, bytes]]:
    """(name, bytes) of each upload, reading at most limit + 1 bytes of each (enough to know it is too large)."""
    return [(f.filename or "tep-khong-ten", f.file.read(limit + 1)) for f in files]


@router.get("/me", summary=N_("The user of the access token"))
def me(user: ApiUser) -> dict:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "role_name": USER_ROLE_NAMES[user.role],
        "unit_id": user.unit_id,
    }


@router.post(
    "/meetings",
    summary=N_("Upload one or more minutes (or a .zip archive)"),
    status_code=201,
    responses={200: {"description": N_("Only duplicate files")}, 413: {}, 415: {}, 422: {}},
)
async def upload(
    request: Request,
    *,
    files: Annotated[list[UploadFile], File(description=N_("Minutes files or a .zip"))],
    unit_id: Annotated[
        int | None, Form(ge=1, le=MAX_ID, description=N_("The receiving party cell (required for administrators)"))
    ] = None,
    user: ApiUser,
    session: DB,
):
    def work():
        cell = upload_cell(session, user, unit_id)
        state = request.app.state
        return upload_files(session, state, user, cell, read_uploads(files, state.settings.max_upload_bytes))

    outcomes = await in_upload_thread(request, session, work)
    refused = [o for o in outcomes if o.status == "refused"]
    if len(refused) == len(outcomes):
        statuses = {o.http_status for o in refused}
        raise HTTPException(
            statuses.pop() if len(statuses) == 1 else 422, "; ".join(f"{o.name}: {o.reason}" for o in refused)
        )
    created = sum(o.status == "created" for o in outcomes)
    body = {
        "created": created,
        "duplicates": sum(o.status == "duplicate" for o in outcomes),
        "refused": len(refused),
        "results": [o.to_dict() for o in outcomes],
    }
    return JSONResponse(body, status_code=201 if created else 200)


@router.get("/meetings", summary=N_("Minutes within reach, filtered and sorted"))
def meetings(f: ListFilters, user: ApiUser, session: DB) -> dict:
    require(user, READERS)
    rows, total = list_meetings(session, readable_units(session, user), f)
    return {"total": total, "limit": f.limit, "offset": f.offset, "items": rows}


@router.get("/meetings/{meeting_id}", summary=N_("The original file and the versions of its analysis"))
def meeting(meeting_id: PathId, user: ApiUser, session: DB) -> dict:
    require(user, READERS)
    doc = readable_document(session, user, meeting_id)
    return {
        "meeting_id": doc.id,
        "unit_id": doc.unit_id,
        "cell": doc.unit.name,
        "original_name": doc.original_name,
        "sha256": doc.sha256,
        "size": doc.size,
        "kind": doc.kind,
        "uploaded_by": doc.uploader.username,
        "uploaded_at": iso(doc.uploaded_at),
        "archive_sha256": doc.archive_sha256,
        "analyses": [
            {
                "analysis_id": a.id,
                "model_name": a.model_name,
                "model_version": a.model_version,
                "created_at": iso(a.created_at),
                "current": a.current,
                "level": a.level,
                "score": a.score,
            }
            for a in analyses_of(session, doc)
        ],
    }


@router.get("/meetings/{meeting_id}/report", summary=N_("The analysis report (JSON of the report contract)"))
def report(*, meeting_id: PathId, analysis_id: QueryId = None, user: ApiUser, session: DB) -> dict:
    require(user, READERS)
    doc = readable_document(session, user, meeting_id)
    return pick_analysis(session, doc, analysis_id).report


@router.get("/meetings/{meeting_id}/original", summary=N_("The original file as uploaded"), response_class=Response)
def original(request: Request, meeting_id: PathId, user: ApiUser, session: DB):
    require(user, READERS)
    doc = readable_document(session, user, meeting_id)
    return download(request.app.state.storage.get(doc.sha256), doc.original_name, "application/octet-stream")


def download(data: bytes, name: str, media_type: str) -> Response:
    from urllib.parse import quote

    ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name.split("/")[-1])
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name.split('/')[-1])}"  # noqa: E501
        },
    )


@router.get("/export/meetings.csv", summary=N_("Export the filtered list as CSV"), response_class=Response)
def export_list_csv(f: ListFilters, user: ApiUser, session: DB):
    require(user, READERS)
    rows, found = export_meetings(session, readable_units(session, user), f)
    return download(export_csv(rows, found), "bien-ban.csv", "text/csv; charset=utf-8")


@router.get("/export/meetings.xlsx", summary=N_("Export the filtered list as Excel"), response_class=Response)
def export_list_xlsx(f: ListFilters, user: ApiUser, session: DB):
    require(user, READERS)
    _, found = export_meetings(session, readable_units(session, user), f)
    return download(export_xlsx(found), "bien-ban.xlsx", XLSX)


@router.get(
    "/export/corpus.jsonl", summary=N_("The anonymised corpus (JSONL in the corpus format)"), response_class=Response
)
def export_corpus(user: ApiUser, session: DB):
    require(user, CORPUS)
    return download(corpus_jsonl(session, user).encode("utf-8"), "corpus-an-danh.jsonl", "application/jsonl")


@router.get(
    "/export/training.jsonl",
    summary=N_("Corrected meetings and the annotation queue's labels, anonymised (corpus JSONL, for train --extra)"),
    response_class=Response,
)
def export_training(user: ApiUser, session: DB):
    require(user, CORPUS)
    return download(training_jsonl(session, user).encode("utf-8"), "du-lieu-huan-luyen.jsonl", "application/jsonl")


@router.get("/dashboard", summary=N_("Summary figures for supervision"))
def dashboard_api(f: ListFilters, user: ApiUser, session: DB) -> dict:
    require(user, DASHBOARD)
    return dashboard(session, readable_units(session, user), f)


# ---------------------------------------------------------------- admin


class UnitIn(BaseModel):
    name: str = Field(min_length=1, max_length=column_length(Unit.name), pattern=PLAIN_TEXT)
    kind: Literal["committee", "cell"]
    parent_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=column_length(User.username), pattern=PLAIN_TEXT)
    password: str = Field(min_length=admin_lib.MIN_PASSWORD, max_length=200)
    role: Literal["secretary", "supervisor", "researcher", "admin"]
    unit_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    full_name: str | None = Field(default=None, max_length=column_length(User.full_name), pattern=PLAIN_TEXT)


class TokenIn(BaseModel):
    name: str | None = Field(default=None, max_length=column_length(ApiToken.name), pattern=PLAIN_TEXT)


def _admin_call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except admin_lib.AdminError as exc:
        raise HTTPException(422, str(exc)) from None


@router.get("/admin/units", summary=N_("The unit tree (administration)"))
def units(user: ApiUser, session: DB) -> list[dict]:
    require(user, ("admin",))
    return admin_lib.list_units(session)


@router.post("/admin/units", summary=N_("Add a party committee or a party cell (administration)"), status_code=201)
def add_unit(body: UnitIn, user: ApiUser, session: DB) -> dict:
    require(user, ("admin",))
    parent = _admin_call(admin_lib.find_unit, session, body.parent_id)
    unit: Unit = _admin_call(admin_lib.create_unit, session, body.name, body.kind, parent)
    return {"id": unit.id, "name": unit.name, "kind": unit.kind, "parent_id": unit.parent_id}


@router.get("/admin/users", summary=N_("Users (administration)"))
def users(user: ApiUser, session: DB) -> list[dict]:
    require(user, ("admin",))
    return admin_lib.list_users(session)


@router.post("/admin/users", summary=N_("Add a user (administration)"), status_code=201)
def add_user(body: UserIn, user: ApiUser, session: DB) -> dict:
    require(user, ("admin",))
    unit = _admin_call(admin_lib.find_unit, session, body.unit_id)
    made: User = _admin_call(
        admin_lib.create_user, session, body.username, body.password, body.role, unit, body.full_name, user.username
    )
    return {"id": made.id, "username": made.username, "role": made.role, "unit_id": made.unit_id}


@router.post(
    "/admin/users/{username}/tokens",
    summary=N_("Create an access token for a user (administration; shown once)"),
    status_code=201,
)
def add_token(
    *,
    request: Request,
    username: UserName,
    body: TokenIn | None = None,
    user: ApiUser,
    session: DB,
) -> dict:
    require(user, ("admin",))
    owner = _admin_call(admin_lib.find_user, session, username)
    token = admin_lib.create_token(session, owner, body.name if body else None, user.username, client_address(request))
    return {"username": owner.username, "token": token}


class PasswordIn(BaseModel):
    password: str = Field(min_length=admin_lib.MIN_PASSWORD, max_length=admin_lib.MAX_PASSWORD)


class OwnPasswordIn(BaseModel):
    current_password: str = Field(max_length=admin_lib.MAX_PASSWORD)
    new_password: str = Field(min_length=admin_lib.MIN_PASSWORD, max_length=admin_lib.MAX_PASSWORD)


class MoveIn(BaseModel):
    unit_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class UnlockIn(BaseModel):
    username: str | None = Field(default=None, max_length=100)
    address: str | None = Field(default=None, max_length=100)


def _subject(session, username: str) -> User:
    return _admin_call(admin_lib.find_user, session, username)


def _user_out(u: User, ended: int | None = None) -> dict:
    out = {"username": u.username, "role": u.role, "unit_id": u.unit_id, "active": u.active}
    if ended is not None:
        out["sessions_ended"] = ended
    return out


@router.get("/admin/tokens", summary=N_("Access tokens, newest first, never the token itself (administration)"))
def tokens(user: ApiUser, session: DB, username: Annotated[str | None, Query(max_length=100)] = None) -> list[dict]:
    require(user, ("admin",))
    return _admin_call(admin_lib.list_tokens, session, username)


@router.post("/admin/tokens/{token_id}/revoke", summary=N_("Revoke an access token (administration)"))
def revoke_token(request: Request, token_id: PathId, user: ApiUser, session: DB) -> dict:
    require(user, ("admin",))
    token = _admin_call(admin_lib.revoke_token, session, token_id, user.username, client_address(request))
    return {"id": token.id, "username": token.user.username, "revoked": token.revoked}


@router.post(
    "/admin/users/{username}/deactivate", summary=N_("Deactivate a user: sessions end, tokens stop (administration)")
)
def deactivate(request: Request, username: UserName, user: ApiUser, session: DB) -> dict:
    require(user, ("admin",))
    target = _subject(session, username)
    ended = _admin_call(admin_lib.set_active, session, target, False, user.username, client_address(request))
    return _user_out(target, ended)


@router.post("/admin/users/{username}/reactivate", summary=N_("Reactivate a user (administration)"))
def reactivate(request: Request, username: UserName, user: ApiUser, session: DB) -> dict:
    require(user, ("admin",))
    target = _subject(session, username)
    _admin_call(admin_lib.set_active, session, target, True, user.username, client_address(request))
    return _user_out(target)


@router.put(
    "/admin/users/{username}/password", summary=N_("Set a user's password; their sessions end (administration)")
)
def reset_password(request: Request, username: UserName, body: PasswordIn, user: ApiUser, session: DB) -> dict:
    require(user, ("admin",))
    target = _subject(session, username)
    ended = _admin_call(admin_lib.set_password, session, target, body.password, user.username, client_address(request))
    return _user_out(target, ended)


@router.put(
    "/admin/users/{username}/unit", summary=N_("Move a user to another unit; their sessions end (administration)")
)
def move_user(request: Request, username: UserName, body: MoveIn, user: ApiUser, session: DB) -> dict:
    require(user, ("admin",))
    target = _subject(session, username)
    unit = _admin_call(admin_lib.find_unit, session, body.unit_id)
    ended = _admin_call(admin_lib.move_user, session, target, unit, user.username, client_address(request))
    return _user_out(target, ended)


@router.get("/admin/sign-in-limits", summary=N_("Accounts and addresses with failed sign-ins counted (administration)"))
def sign_in_limits(request: Request, user: ApiUser, session: DB) -> list[dict]:
    require(user, ("admin",))
    return limits.current(session, request.app.state.settings.sign_in)


@router.post("/admin/unlock", summary=N_("Lift the sign-in lock of an account or an address (administration)"))
def unlock(request: Request, body: UnlockIn, user: ApiUser, session: DB) -> dict:
    require(user, ("admin",))
    lifted = _admin_call(
        admin_lib.unlock,
        session,
        username=body.username,
        client=body.address,
        actor=user.username,
        address=client_address(request),
    )
    return {"lifted": lifted}


@router.get("/admin/audit", summary=N_("The audit trail, newest first (administration)"))
def audit_trail(
    user: ApiUser,
    session: DB,
    username: Annotated[str | None, Query(max_length=100)] = None,
    event: Annotated[Literal[audit.EVENTS] | None, Query()] = None,  # type: ignore[valid-type]
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict:
    require(user, ("admin",))
    rows, total = audit.events(session, username=username, event=event, limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "items": rows}


@router.post("/me/password", summary=N_("Change your own password (the current one is checked like a sign-in)"))
def own_password(request: Request, body: OwnPasswordIn, user: ApiUser, session: DB) -> dict:
    try:
        ended = admin_lib.change_own_password(
            session,
            request.app.state.settings.sign_in,
            user,
            body.current_password,
            body.new_password,
            client_address(request),
        )
    except admin_lib.Limited as exc:
        headers = {"Retry-After": str(exc.refusal.retry_after)} if exc.refusal.retry_after else None
        raise HTTPException(429, str(exc), headers=headers) from None
    except admin_lib.AdminError as exc:
        raise HTTPException(422, str(exc)) from None
    return {"username": user.username, "sessions_ended": ended}
