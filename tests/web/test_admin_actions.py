"""Cutting people off (issue 14, item 6): revoke a token, deactivate and reactivate, set or change a password,
move to another unit; by page, API and ``minutes-nlp admin``; and every denied case.

Admins are not scoped (access.py: an admin reaches every unit), so the denied cases are the other roles,
a revoked token, a missing CSRF token, and the safety refusals (oneself, the last admin).
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from minutes_nlp.web import Settings, create_app
from minutes_nlp.web import admin as admin_lib
from minutes_nlp.web.db import ApiToken, User

from .auth_world import bearer, cli, events, small_world, try_sign_in
from .conftest import PASSWORD, sign_in


@pytest.fixture(scope="module")
def denied_world(tmp_path_factory, analyzer):
    """One app for the denied cases: none of them may change anything."""
    app = create_app(
        Settings(data_dir=tmp_path_factory.mktemp("denied"), migrate=True, analyzer=analyzer, secret_key="khoa")
    )
    tokens, units = small_world(app)
    return app, tokens, units


def admin_calls(units: dict) -> list[tuple[str, str, dict | None]]:
    return [
        ("GET", "/api/admin/tokens", None),
        ("POST", "/api/admin/tokens/1/revoke", None),
        ("POST", "/api/admin/users/bt_lan/deactivate", None),
        ("POST", "/api/admin/users/bt_lan/reactivate", None),
        ("PUT", "/api/admin/users/bt_lan/password", {"password": "mat-khau-cua-ke-gian"}),
        ("PUT", "/api/admin/users/bt_lan/unit", {"unit_id": units["a"]}),
        ("GET", "/api/admin/sign-in-limits", None),
        ("POST", "/api/admin/unlock", {"username": "bt_lan"}),
        ("GET", "/api/admin/audit", None),
    ]


def test_admin_api_refuses_other_roles_and_missing_or_revoked_tokens(denied_world):
    app, tokens, units = denied_world
    client = TestClient(app)
    with app.state.sessions() as s:
        old = admin_lib.create_token(s, admin_lib.find_user(s, "qt_son"), "cũ", "cli:test")
        admin_lib.revoke_token(s, s.scalar(select(ApiToken.id).order_by(ApiToken.id.desc())), "cli:test")
    for method, path, body in admin_calls(units):
        for who in ("bt_hoa", "gs_tam", "nc_mai"):
            r = client.request(method, path, headers=bearer(tokens[who]), json=body)
            assert r.status_code == 403 and "không có quyền" in r.json()["detail"], (who, path)
        assert client.request(method, path, json=body).status_code == 401, path
        assert client.request(method, path, headers=bearer(old), json=body).status_code == 401, path
    with app.state.sessions() as s:
        lan = s.scalar(select(User).where(User.username == "bt_lan"))
        assert lan.active and lan.unit_id == units["b"]
        assert [t.name for t in s.scalars(select(ApiToken).where(ApiToken.revoked.is_(True)))] == ["cũ"]
    assert try_sign_in(TestClient(app), "bt_lan", PASSWORD).status_code == 303  # the password was not changed
    assert len(events(app, "denied")) == 3 * len(admin_calls(units))


def test_admin_pages_refuse_other_roles_and_missing_csrf(denied_world):
    app, tokens, units = denied_world
    with app.state.sessions() as s:
        lan = s.scalar(select(User.id).where(User.username == "bt_lan"))
    form = {"password": "mat-khau-cua-ke-gian", "unit_id": str(units["a"]), "token_id": "1"}
    secretary, csrf = sign_in(app, "bt_hoa")
    supervisor, csrf_sup = sign_in(app, "gs_tam")
    admin, _csrf = sign_in(app, "qt_son")
    for action in ("deactivate", "reactivate", "password", "move", "token", "revoke", "unlock"):
        path = f"/admin/users/{lan}/{action}"
        assert secretary.post(path, data={**form, "csrf_token": csrf}).status_code == 403, action
        assert supervisor.post(path, data={**form, "csrf_token": csrf_sup}).status_code == 403, action
        assert admin.post(path, data=form).status_code == 403, action  # no CSRF token
    for path in (f"/admin/users/{lan}", "/admin/audit"):
        assert secretary.get(path).status_code == 403 and supervisor.get(path).status_code == 403
    assert (
        supervisor.post("/admin/unlock", data={"csrf_token": csrf_sup, "kind": "account", "key": "x"}).status_code
        == 403
    )
    assert try_sign_in(TestClient(app), "bt_lan", PASSWORD).status_code == 303  # password unchanged, not deactivated
    assert TestClient(app).get("/api/me", headers=bearer(tokens["bt_lan"])).json()["unit_id"] == units["b"]


def test_admin_api_revokes_deactivates_resets_and_moves(make_app):
    app = make_app()
    tokens, units = small_world(app)
    api, admin = TestClient(app), bearer(tokens["qt_son"])
    listed = api.get("/api/admin/tokens", headers=admin, params={"username": "bt_hoa"}).json()
    assert [(t["username"], t["revoked"]) for t in listed] == [("bt_hoa", False)] and "token" not in listed[0]
    r = api.post(f"/api/admin/tokens/{listed[0]['id']}/revoke", headers=admin)
    assert r.status_code == 200 and r.json()["revoked"] is True
    assert api.get("/api/me", headers=bearer(tokens["bt_hoa"])).status_code == 401
    r = api.post(f"/api/admin/tokens/{listed[0]['id']}/revoke", headers=admin)
    assert r.status_code == 422 and "đã bị thu hồi" in r.json()["detail"]
    assert api.post("/api/admin/tokens/99999/revoke", headers=admin).status_code == 422

    r = api.post("/api/admin/users/qt_son/deactivate", headers=admin)
    assert r.status_code == 422 and "không thể tự" in r.json()["detail"]
    r = api.put("/api/admin/users/bt_lan/password", headers=admin, json={"password": "ngan"})
    assert r.status_code == 422
    assert (
        api.put("/api/admin/users/bt_lan/password", headers=admin, json={"password": "mat-khau-moi-lan"}).status_code
        == 200
    )
    assert try_sign_in(TestClient(app), "bt_lan", PASSWORD).status_code == 401
    assert try_sign_in(TestClient(app), "bt_lan", "mat-khau-moi-lan").status_code == 303
    r = api.put("/api/admin/users/gs_tam/unit", headers=admin, json={"unit_id": units["a"]})
    assert r.status_code == 422 and "đảng bộ" in r.json()["detail"]  # a supervisor belongs to a committee
    r = api.put("/api/admin/users/gs_tam/unit", headers=admin, json={"unit_id": units["dn"]})
    assert r.status_code == 200 and r.json()["unit_id"] == units["dn"]
    assert api.get("/api/admin/users/khong_co/deactivate", headers=admin).status_code == 405
    assert api.post("/api/admin/users/khong_co/deactivate", headers=admin).status_code == 422
    done = [(e.event, e.username, e.actor) for e in events(app) if e.actor == "qt_son"]
    assert done == [
        ("token_revoked", "bt_hoa", "qt_son"),
        ("password_reset", "bt_lan", "qt_son"),
        ("user_moved", "gs_tam", "qt_son"),
    ]


def test_own_password_change_by_api_checks_the_current_one(make_app):
    app = make_app()
    tokens, _units = small_world(app)
    api, mine = TestClient(app), bearer(tokens["gs_tam"])
    r = api.post("/api/me/password", headers=mine, json={"current_password": "sai", "new_password": "mat-khau-moi-tam"})
    assert r.status_code == 422 and "mật khẩu hiện tại không đúng" in r.json()["detail"]
    page, _ = sign_in(app, "gs_tam")
    r = api.post(
        "/api/me/password", headers=mine, json={"current_password": PASSWORD, "new_password": "mat-khau-moi-tam"}
    )
    assert r.status_code == 200 and r.json()["sessions_ended"] == 1
    assert page.get("/dashboard", follow_redirects=False).status_code == 303
    assert api.get("/api/me", headers=mine).status_code == 200  # tokens are separate credentials, revoked on their own


def test_admin_pages_cut_a_user_off_and_back(make_app):
    app = make_app()
    tokens, units = small_world(app)
    with app.state.sessions() as s:
        ids = dict(s.execute(select(User.username, User.id)).all())
    admin, csrf = sign_in(app, "qt_son")
    victim, _ = sign_in(app, "bt_hoa")
    page = admin.get(f"/admin/users/{ids['bt_hoa']}")
    assert page.status_code == 200 and "Ngừng hoạt động" in page.text and "Mã truy cập" in page.text
    assert f"/admin/users/{ids['bt_hoa']}" in admin.get("/admin").text

    r = admin.post(f"/admin/users/{ids['bt_hoa']}/deactivate", data={"csrf_token": csrf})
    assert r.status_code == 200 and "1 phiên" in r.text
    assert victim.get("/meetings", follow_redirects=False).status_code == 303
    assert admin.post(f"/admin/users/{ids['bt_hoa']}/reactivate", data={"csrf_token": csrf}).status_code == 200
    r = admin.post(f"/admin/users/{ids['qt_son']}/deactivate", data={"csrf_token": csrf})
    assert r.status_code == 422 and "không thể tự" in r.text

    r = admin.post(f"/admin/users/{ids['bt_hoa']}/password", data={"csrf_token": csrf, "password": ""})
    made_up = r.text.split("<code>")[1].split("</code>")[0]
    assert r.status_code == 200 and len(made_up) == 16
    assert try_sign_in(TestClient(app), "bt_hoa", made_up).status_code == 303

    r = admin.post(f"/admin/users/{ids['bt_hoa']}/move", data={"csrf_token": csrf, "unit_id": str(units["b"])})
    assert r.status_code == 200 and "Chi bộ Khu phố 4" in r.text
    assert TestClient(app).get("/api/me", headers=bearer(tokens["bt_hoa"])).json()["unit_id"] == units["b"]

    with app.state.sessions() as s:
        token_id = s.scalar(select(ApiToken.id).where(ApiToken.user_id == ids["bt_hoa"]))
        other = s.scalar(select(ApiToken.id).where(ApiToken.user_id == ids["bt_lan"]))
    r = admin.post(f"/admin/users/{ids['bt_hoa']}/revoke", data={"csrf_token": csrf, "token_id": str(other)})
    assert r.status_code == 422  # a token of someone else is not revoked through this user's page
    r = admin.post(f"/admin/users/{ids['bt_hoa']}/revoke", data={"csrf_token": csrf, "token_id": str(token_id)})
    assert r.status_code == 200 and "Đã thu hồi" in r.text
    assert TestClient(app).get("/api/me", headers=bearer(tokens["bt_hoa"])).status_code == 401
    assert TestClient(app).get("/api/me", headers=bearer(tokens["bt_lan"])).status_code == 200
    assert admin.get("/admin/users/999999").status_code == 404


def test_admin_commands_cut_a_user_off_and_back(make_app):
    app = make_app()
    tokens, units = small_world(app)
    listed = cli(app, "admin", "list-tokens", "bt_lan")
    assert listed.exit_code == 0 and listed.output.count("\n") == 1 and "còn hiệu lực" in listed.output
    token_id = listed.output.split("\t")[0]
    assert cli(app, "admin", "revoke-token", token_id).exit_code == 0
    assert TestClient(app).get("/api/me", headers=bearer(tokens["bt_lan"])).status_code == 401
    again = cli(app, "admin", "revoke-token", token_id)
    assert again.exit_code == 1 and "đã bị thu hồi" in again.output

    result = cli(app, "admin", "deactivate", "qt_son")
    assert result.exit_code == 1 and "quản trị viên cuối cùng" in result.output
    assert cli(app, "admin", "deactivate", "gs_tam").exit_code == 0
    assert TestClient(app).get("/api/me", headers=bearer(tokens["gs_tam"])).status_code == 401
    assert cli(app, "admin", "reactivate", "gs_tam").exit_code == 0
    assert TestClient(app).get("/api/me", headers=bearer(tokens["gs_tam"])).status_code == 200

    made = cli(app, "admin", "set-password", "nc_mai", "--generate")
    assert made.exit_code == 0
    assert try_sign_in(TestClient(app), "nc_mai", made.stdout.strip()).status_code == 303
    asked = cli(app, "admin", "set-password", "nc_mai", input="mat-khau-go-tay\nmat-khau-go-tay\n")
    assert asked.exit_code == 0 and try_sign_in(TestClient(app), "nc_mai", "mat-khau-go-tay").status_code == 303

    moved = cli(app, "admin", "move-user", "bt_hoa", "Chi bộ Khu phố 4")
    assert moved.exit_code == 0 and "Chi bộ Khu phố 4" in moved.output
    wrong = cli(app, "admin", "move-user", "bt_hoa", "Đảng ủy Khối Cơ quan")
    assert wrong.exit_code == 1 and "chi bộ" in wrong.output and "Traceback" not in wrong.output
    missing = cli(app, "admin", "deactivate", "khong_co_ai")
    assert missing.exit_code == 1 and "khong_co_ai" in missing.output
    assert TestClient(app).get("/api/me", headers=bearer(tokens["bt_hoa"])).json()["unit_id"] == units["b"]
    assert {e.actor for e in events(app) if e.event in ("token_revoked", "user_deactivated", "user_moved")} == {
        next(e.actor for e in events(app, "user_moved"))
    }


def test_new_admin_commands_have_vietnamese_help():
    from click.testing import CliRunner

    from minutes_nlp.cli.main import main

    for name in (
        "list-tokens",
        "revoke-token",
        "deactivate",
        "reactivate",
        "set-password",
        "move-user",
        "unlock",
        "sign-in-limits",
        "audit",
    ):
        result = CliRunner().invoke(main, ["admin", name, "--help"])
        assert result.exit_code == 0 and len(result.output) > 100, name
        assert any(word in result.output for word in ("phiên", "mã truy cập", "khóa", "nhật ký", "đơn vị")), name
