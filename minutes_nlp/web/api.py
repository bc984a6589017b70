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
    Query,
    Request,
    UploadFile,
)
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from minutes_nlp.i18n import N_
from minutes_nlp.vocabulary import USER_ROLE_NAMES
from minutes_nlp.web import admin as admin_lib
from minutes_nlp.web.access import CORPUS, DASHBOARD, READERS, readable_units, require
from minutes_nlp.web.auth import new_token
from minutes_nlp.web.db import Unit, User, iso
from minutes_nlp.web.deps import DB, ApiUser
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
    pick_analysis,
    readable_document,
    upload_cell,
    upload_files,
)

router = APIRouter(prefix="/api", tags=["api"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filters(
    cell: Annotated[int | None, Query(description=N_("Number of the party cell"))] = None,
    committee: Annotated[
        int | None, Query(description=N_("Number of the party committee (every cell under it)"))
    ] = None,
    month: Annotated[str | None, Query(description=N_("Meeting month YYYY-MM"))] = None,
    level: Annotated[str | None, Query(description="tot, kha, trung_binh, kem")] = None,
    flag: Annotated[str | None, Query(description=N_("Flag code, e.g. NO_PROPOSALS"))] = None,
    ids: Annotated[str | None, Query(description=N_("Meeting numbers separated by commas"))] = None,
    sort: Annotated[str, Query(description="date, score, uploaded, cell, level, id")] = "uploaded",
    order: Literal["asc", "desc"] = "desc",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
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
def upload(
    request: Request,
    *,
    files: Annotated[list[UploadFile], File(description=N_("Minutes files or a .zip"))],
    unit_id: Annotated[
        int | None, Form(description=N_("The receiving party cell (required for administrators)"))
    ] = None,
    user: ApiUser,
    session: DB,
):
    cell = upload_cell(session, user, unit_id)
    outcomes = upload_files(
        session, request.app.state, user, cell, read_uploads(files, request.app.state.settings.max_upload_bytes)
    )
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
def meeting(meeting_id: int, user: ApiUser, session: DB) -> dict:
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
def report(*, meeting_id: int, analysis_id: int | None = None, user: ApiUser, session: DB) -> dict:
    require(user, READERS)
    doc = readable_document(session, user, meeting_id)
    return pick_analysis(session, doc, analysis_id).report


@router.get("/meetings/{meeting_id}/original", summary=N_("The original file as uploaded"), response_class=Response)
def original(request: Request, meeting_id: int, user: ApiUser, session: DB):
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


@router.get("/dashboard", summary=N_("Summary figures for supervision"))
def dashboard_api(f: ListFilters, user: ApiUser, session: DB) -> dict:
    require(user, DASHBOARD)
    return dashboard(session, readable_units(session, user), f)


# ---------------------------------------------------------------- admin


class UnitIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["committee", "cell"]
    parent_id: int | None = None


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=admin_lib.MIN_PASSWORD, max_length=200)
    role: Literal["secretary", "supervisor", "researcher", "admin"]
    unit_id: int | None = None
    full_name: str | None = None


class TokenIn(BaseModel):
    name: str | None = None


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
        admin_lib.create_user, session, body.username, body.password, body.role, unit, body.full_name
    )
    return {"id": made.id, "username": made.username, "role": made.role, "unit_id": made.unit_id}


@router.post(
    "/admin/users/{username}/tokens",
    summary=N_("Create an access token for a user (administration; shown once)"),
    status_code=201,
)
def add_token(*, username: str, body: TokenIn | None = None, user: ApiUser, session: DB) -> dict:
    require(user, ("admin",))
    owner = _admin_call(admin_lib.find_user, session, username)
    return {"username": owner.username, "token": new_token(session, owner, body.name if body else None)}
