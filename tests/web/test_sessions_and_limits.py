"""Sessions end on the server; sign-in attempts are limited per account and per address; the audit trail.

Each test first plays the attack of issue 14 (a copied cookie after sign-out, 30 wrong passwords
then the right one, many names from one address) and checks that it now fails.
"""

from __future__ import annotations

import json
import multiprocessing
import time
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from minutes_nlp.web.db import Document, SignInLimit, make_engine, make_sessionmaker
from minutes_nlp.web.limits import Policy, SignInLimits, admit

from .auth_world import bearer, cli, events, small_world, try_sign_in
from .conftest import PASSWORD, sign_in
from .minutes import docx_bytes, minutes_text

RELAXED = Policy(1000, 0.0, 0.0, 10000, None)


def world(make_app, **options):
    app = make_app(**options)
    tokens, units = small_world(app)
    return app, tokens, units


# ---------------------------------------------------------------- item 3: sessions end on the server


def test_a_copied_cookie_is_refused_after_sign_out(make_app):
    app, tokens, _units = world(make_app)
    victim, csrf = sign_in(app, "bt_hoa")
    r = victim.post(
        "/upload",
        data={"csrf_token": csrf},
        files=[("files", ("bien-ban-03.docx", docx_bytes(minutes_text("A", "Chi bộ Khu phố 3", 3, True)), "x"))],
    )
    assert r.status_code == 201, r.text
    meeting_id = TestClient(app).get("/api/meetings", headers=bearer(tokens["bt_hoa"])).json()["items"][0]["meeting_id"]
    kept = victim.cookies.get("minutes_nlp_session")

    def thief() -> TestClient:
        """A client holding the copied cookie (again for each request: a refusal clears it in the jar)."""
        client = TestClient(app)
        client.cookies.set("minutes_nlp_session", kept)
        return client

    assert thief().get(f"/meetings/{meeting_id}/original").status_code == 200  # the copy works while signed in
    assert victim.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    for path in ("/meetings", f"/meetings/{meeting_id}", f"/meetings/{meeting_id}/original"):
        r = thief().get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), path
    r = thief().post(
        "/upload",
        data={"csrf_token": csrf},
        files=[("files", ("bien-ban-04.docx", docx_bytes(minutes_text("A", "Chi bộ Khu phố 3", 4, False)), "x"))],
        follow_redirects=False,
    )
    assert r.status_code == 303
    with app.state.sessions() as s:
        assert len(list(s.scalars(select(Document)))) == 1  # the upload with the old CSRF token was not stored
    refused = [(e.username, e.target) for e in events(app, "session_refused")]
    assert refused == [("bt_hoa", "GET /meetings")]  # the first refusal; replays within a minute add no rows


def test_a_cookie_copied_before_sign_out_cannot_be_replayed(make_app):
    """The cookie as it was before sign-out (the thief kept it) is refused, not only the cleared one."""
    app, _tokens, _units = world(make_app)
    victim, csrf = sign_in(app, "bt_hoa")
    kept = victim.cookies.get("minutes_nlp_session")
    victim.post("/logout", data={"csrf_token": csrf})
    thief = TestClient(app)
    thief.cookies.set("minutes_nlp_session", kept)
    assert thief.get("/meetings", follow_redirects=False).status_code == 303
    r = thief.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and not events(app, "sign_out")[1:]  # one sign-out recorded, not two


def test_password_change_ends_every_other_session(make_app):
    app, _tokens, _units = world(make_app)
    office, csrf = sign_in(app, "bt_hoa")
    phone, _ = sign_in(app, "bt_hoa")
    r = office.post(
        "/account/password",
        data={
            "csrf_token": csrf,
            "current": "sai-mat-khau-cu",
            "new": "mat-khau-moi-2026",
            "confirm": "mat-khau-moi-2026",
        },
    )
    assert r.status_code == 422 and "mật khẩu hiện tại không đúng" in r.text
    r = office.post(
        "/account/password",
        data={"csrf_token": csrf, "current": PASSWORD, "new": "mat-khau-moi-2026", "confirm": "mat-khau-moi-2026"},
    )
    assert r.status_code == 200 and "Đã đổi mật khẩu" in r.text
    assert phone.get("/meetings", follow_redirects=False).status_code == 303
    assert office.get("/meetings").status_code == 200  # the browser that changed it got a new session
    assert try_sign_in(TestClient(app), "bt_hoa", PASSWORD).status_code == 401
    assert try_sign_in(TestClient(app), "bt_hoa", "mat-khau-moi-2026").status_code == 303
    assert [e.username for e in events(app, "password_changed")] == ["bt_hoa"]


def test_deactivation_and_a_move_end_sessions_and_tokens_stop(make_app):
    app, tokens, units = world(make_app)
    api = TestClient(app)
    page, _ = sign_in(app, "bt_hoa")
    r = api.post("/api/admin/users/bt_hoa/deactivate", headers=bearer(tokens["qt_son"]))
    assert r.status_code == 200 and r.json()["sessions_ended"] == 1
    assert page.get("/meetings", follow_redirects=False).status_code == 303
    assert api.get("/api/me", headers=bearer(tokens["bt_hoa"])).status_code == 401
    assert try_sign_in(TestClient(app), "bt_hoa", PASSWORD).status_code == 401
    assert api.post("/api/admin/users/bt_hoa/reactivate", headers=bearer(tokens["qt_son"])).status_code == 200
    assert api.get("/api/me", headers=bearer(tokens["bt_hoa"])).status_code == 200

    page, _ = sign_in(app, "bt_hoa")
    r = api.put("/api/admin/users/bt_hoa/unit", headers=bearer(tokens["qt_son"]), json={"unit_id": units["ab"]})
    assert r.status_code == 422 and "chi bộ" in r.json()["detail"]  # a secretary belongs to a cell
    r = api.put("/api/admin/users/bt_hoa/unit", headers=bearer(tokens["qt_son"]), json={"unit_id": units["b"]})
    assert r.status_code == 200 and r.json()["unit_id"] == units["b"] and r.json()["sessions_ended"] == 1
    assert page.get("/meetings", follow_redirects=False).status_code == 303
    assert api.get("/api/me", headers=bearer(tokens["bt_hoa"])).json()["unit_id"] == units["b"]


# ---------------------------------------------------------------- item 4: limits on sign-in attempts


def test_thirty_wrong_passwords_then_the_right_one_is_locked_until_an_admin_lifts_it(make_app):
    strict = SignInLimits(account=Policy(5, 0.0, 0.0, 10, None), address=RELAXED)
    app, tokens, _units = world(make_app, sign_in=strict)
    client = TestClient(app)
    statuses = [try_sign_in(client, "bt_hoa", f"doan-sai-{i}").status_code for i in range(30)]
    assert statuses == [401] * 10 + [429] * 20
    r = try_sign_in(client, "bt_hoa", PASSWORD)
    assert r.status_code == 429 and "bị khóa" in r.text and "quản trị viên" in r.text
    locks = TestClient(app).get("/api/admin/sign-in-limits", headers=bearer(tokens["qt_son"])).json()
    assert ("account", "bt_hoa", 10, True) in [(k["kind"], k["key"], k["failures"], k["locked"]) for k in locks]
    assert len(events(app, "sign_in_failed")) == 10
    assert len(events(app, "sign_in_limited")) == 1  # 21 refusals, recorded once a minute: a flood adds no rows
    assert [e.target for e in events(app, "locked")] == ["account:bt_hoa"]

    result = cli(app, "admin", "unlock", "bt_hoa")
    assert result.exit_code == 0 and "bt_hoa" in result.output
    assert try_sign_in(client, "bt_hoa", PASSWORD).status_code == 303
    assert events(app, "unlocked")[0].actor.startswith("cli")


def test_an_unknown_name_locks_like_a_real_one(make_app):
    strict = SignInLimits(account=Policy(1, 0.0, 0.0, 2, None), address=RELAXED)
    app, _tokens, _units = world(make_app, sign_in=strict)
    client = TestClient(app)
    for name in ("bt_hoa", "khong_ai_ten_nay"):
        assert [try_sign_in(client, name, "doan-sai").status_code for _i in range(3)] == [401, 401, 429]
        assert "bị khóa" in try_sign_in(client, name, PASSWORD).text


def test_delays_grow_after_the_free_attempts(make_app):
    gentle = SignInLimits(account=Policy(2, 2.0, 60.0, 10, None), address=RELAXED)
    app, _tokens, _units = world(make_app, sign_in=gentle)
    client = TestClient(app)
    assert [try_sign_in(client, "bt_hoa", "doan-sai").status_code for _i in range(2)] == [401, 401]
    first = try_sign_in(client, "bt_hoa", PASSWORD)  # even the right password waits
    assert first.status_code == 429 and "giây" in first.text and 1 <= int(first.headers["Retry-After"]) <= 3
    time.sleep(int(first.headers["Retry-After"]))
    assert try_sign_in(client, "bt_hoa", "doan-sai").status_code == 401
    second = try_sign_in(client, "bt_hoa", PASSWORD)
    assert second.status_code == 429 and int(second.headers["Retry-After"]) >= 3  # the delay doubled


def test_many_names_from_one_address_lock_the_address_not_other_clients(make_app):
    strict = SignInLimits(account=RELAXED, address=Policy(1, 0.0, 0.0, 3, 60.0, window_minutes=60.0))
    app, tokens, _units = world(make_app, sign_in=strict)
    attacker = TestClient(app, client=("203.0.113.7", 40000))
    assert [try_sign_in(attacker, f"nguoi_{i}", "doan-sai").status_code for i in range(4)] == [401] * 3 + [429]
    r = try_sign_in(attacker, "bt_hoa", PASSWORD)
    assert r.status_code == 429 and "địa chỉ" in r.text
    office = TestClient(app, client=("198.51.100.20", 40000))
    assert try_sign_in(office, "bt_hoa", PASSWORD).status_code == 303
    r = TestClient(app).post("/api/admin/unlock", headers=bearer(tokens["qt_son"]), json={"address": "203.0.113.7"})
    assert r.status_code == 200 and r.json() == {"lifted": 1}
    assert try_sign_in(attacker, "bt_hoa", PASSWORD).status_code == 303


def test_a_timed_lock_runs_out_and_old_failures_are_forgotten(make_app):
    app = make_app()
    limits = SignInLimits(account=RELAXED, address=Policy(1, 0.0, 0.0, 2, 60.0, window_minutes=30.0))
    with app.state.sessions() as s:
        assert admit(s, limits, "a", "192.0.2.1") is None and admit(s, limits, "b", "192.0.2.1") is None
        refusal = admit(s, limits, "c", "192.0.2.1")
        assert refusal.kind == "address" and refusal.locked and 3500 < refusal.retry_after <= 3601
        row = s.scalar(select(SignInLimit).where(SignInLimit.key == "192.0.2.1"))
        row.locked_at = row.locked_at - timedelta(minutes=61)  # an hour has passed
        s.commit()
        assert admit(s, limits, "c", "192.0.2.1") is None
        s.refresh(row)
        assert row.failures == 1 and row.locked_at is None
        row.last_failure_at = row.last_failure_at - timedelta(minutes=31)  # outside the window
        s.commit()
        assert admit(s, limits, "d", "192.0.2.1") is None
        s.refresh(row)
        assert row.failures == 1


def _admit_many(url: str, n: int, queue) -> None:
    session = make_sessionmaker(make_engine(url))()
    limits = SignInLimits(account=Policy(5, 0.0, 0.0, 10, None), address=RELAXED)
    queue.put(sum(admit(session, limits, "bt_hoa", f"192.0.2.{i % 7}") is None for i in range(n)))


def test_limits_hold_across_processes(make_app):
    """Four processes race on one account: exactly lock_after attempts get through to the password check."""
    app, _tokens, _units = world(make_app)
    url = app.state.settings.database_url
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [context.Process(target=_admit_many, args=(url, 15, queue)) for _i in range(4)]
    for w in workers:
        w.start()
    admitted = sum(queue.get(timeout=60) for _w in workers)
    for w in workers:
        w.join(timeout=60)
    assert admitted == 10


# ---------------------------------------------------------------- audit trail


def test_audit_records_sign_ins_refusals_and_denied_accesses(make_app):
    app, tokens, _units = world(make_app)
    client = TestClient(app, client=("192.0.2.44", 5000))
    try_sign_in(client, "bt_hoa", "doan-sai")
    try_sign_in(client, "bt_hoa", PASSWORD)
    assert client.get("/admin").status_code == 403
    assert TestClient(app).get("/api/admin/users", headers=bearer(tokens["gs_tam"])).status_code == 403
    assert TestClient(app).get("/api/me", headers=bearer("mnl_gia-mao")).status_code == 401
    result = cli(app, "admin", "audit", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.output)
    seen = {(e["event"], e["username"], e["address"], e["target"]) for e in rows}
    assert ("sign_in_failed", "bt_hoa", "192.0.2.44", None) in seen
    assert ("sign_in", "bt_hoa", "192.0.2.44", None) in seen
    assert ("denied", "bt_hoa", "192.0.2.44", "GET /admin") in seen
    assert ("denied", "gs_tam", "testclient", "GET /api/admin/users") in seen
    assert ("token_refused", None, "testclient", "GET /api/me") in seen
    table = cli(app, "admin", "audit", "--user", "bt_hoa", "--event", "denied")
    assert table.output.count("\n") == 1 and "Truy cập bị từ chối" in table.output
    assert cli(app, "admin", "audit", "--event", "khong-co").exit_code == 2

    admin_page, _ = sign_in(app, "qt_son")
    page = admin_page.get("/admin/audit", params={"username": "bt_hoa"})
    assert (
        page.status_code == 200 and "Nhật ký" in page.text and "Sai mật khẩu" in page.text and "192.0.2.44" in page.text
    )
    assert admin_page.get("/admin/audit", params={"event": "<script>"}).status_code == 422
    sec, _ = sign_in(app, "bt_lan")
    assert sec.get("/admin/audit").status_code == 403
    r = TestClient(app).get("/api/admin/audit", headers=bearer(tokens["qt_son"]), params={"event": "denied"})
    assert r.status_code == 200 and {e["event"] for e in r.json()["items"]} == {"denied"}
