"""``minutes-nlp admin …`` and ``serve``: migrations, units, users, tokens, re-analysis keeping history."""

from __future__ import annotations

import json
import socket

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select

from minutes_nlp.cli.main import main
from minutes_nlp.web import Settings, create_app
from minutes_nlp.web.db import (
    Analysis,
    Base,
    alembic_config,
    head_revision,
    make_engine,
    schema_revision,
)

from .conftest import seed
from .minutes import docx_bytes, minutes_text


def run(*args, env=None):
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result


@pytest.fixture()
def data_dir(tmp_path):
    assert run("admin", "migrate", "--data-dir", str(tmp_path)).exit_code == 0
    return str(tmp_path)


def test_serve_and_admin_have_help():
    for args in (
        ["serve"],
        ["admin"],
        ["admin", "migrate"],
        ["admin", "create-unit"],
        ["admin", "create-user"],
        ["admin", "create-token"],
        ["admin", "list-users"],
        ["admin", "list-units"],
        ["admin", "reanalyze"],
    ):
        result = run(*args, "--help")
        assert result.exit_code == 0 and len(result.output) > 100, args
    assert "127.0.0.1" in run("serve", "--help").output


def test_migrate_creates_every_table_and_is_idempotent(data_dir):
    url = Settings(data_dir=data_dir).database_url
    assert schema_revision(url) == head_revision()
    assert run("admin", "migrate", "--data-dir", data_dir).exit_code == 0
    names = set(inspect(make_engine(url)).get_table_names())
    assert {"units", "users", "api_tokens", "documents", "analyses", "analysis_flags"} <= names


def test_migrations_match_the_models(data_dir):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(Settings(data_dir=data_dir).database_url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_migration_scripts_ship_inside_the_package():
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert "minutes_nlp/web/migrations" in scripts.dir.replace("\\", "/")


def test_app_refuses_an_unmigrated_database(tmp_path):
    with pytest.raises(RuntimeError, match="minutes-nlp admin migrate"):
        create_app(Settings(data_dir=tmp_path, analyzer=object()))
    result = run("admin", "list-users", "--data-dir", str(tmp_path))
    assert result.exit_code != 0 and "admin migrate" in result.output


def test_create_unit_user_token_and_list(data_dir):
    d = ["--data-dir", data_dir]
    assert run("admin", "create-unit", "Đảng ủy Xã Tân Lập", "--kind", "committee", *d).exit_code == 0
    out = run("admin", "create-unit", "Chi bộ Ấp 3", "--kind", "cell", "--parent", "Đảng ủy Xã Tân Lập", *d)
    assert out.exit_code == 0 and out.output.startswith("2\tcell")
    bad = run("admin", "create-unit", "Chi bộ Ấp 4", "--kind", "cell", "--parent", "Chi bộ Ấp 3", *d)
    assert bad.exit_code != 0 and "chỉ đảng bộ mới chứa" in bad.output
    made = run(
        "admin",
        "create-user",
        "bithu_ap3",
        "--role",
        "secretary",
        "--unit",
        "Chi bộ Ấp 3",
        "--full-name",
        "Bí thư Ấp 3",
        *d,
        env={"MINUTES_NLP_PASSWORD": "mat-khau-ap3"},
    )
    assert made.exit_code == 0, made.output
    prompted = CliRunner().invoke(
        main,
        ["admin", "create-user", "giamsat", "--role", "supervisor", "--unit", "1", *d],
        input="mat-khau-gs1\nmat-khau-gs1\n",
    )
    assert prompted.exit_code == 0, prompted.output
    token = run("admin", "create-token", "bithu_ap3", "--name", "máy văn phòng", *d).output.strip()
    assert token.startswith("mnl_")
    assert run("admin", "create-token", "khong-co", *d).exit_code != 0
    listing = json.loads(run("admin", "list-users", "--format", "json", *d).output)
    assert [(u["username"], u["role"], u["unit"]) for u in listing] == [
        ("bithu_ap3", "secretary", "Chi bộ Ấp 3"),
        ("giamsat", "supervisor", "Đảng ủy Xã Tân Lập"),
    ]
    assert "  Chi bộ Ấp 3" in run("admin", "list-units", *d).output
    app = create_app(Settings(data_dir=data_dir, analyzer=object()))
    assert TestClient(app).get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()["role"] == "secretary"


def test_create_user_refuses_a_full_name_longer_than_its_column_in_one_line(data_dir):
    # PostgreSQL refuses such a row with an error the command used to print as a traceback
    d = ["--data-dir", data_dir]
    assert run("admin", "create-unit", "Đảng ủy Xã Phú An", "--kind", "committee", *d).exit_code == 0
    args = ["admin", "create-user", "giamsat_pa", "--role", "supervisor", "--unit", "1", *d]
    made = run(*args, "--full-name", "Nguyễn Văn Tâm " * 400, env={"MINUTES_NLP_PASSWORD": "mat-khau-pa1"})
    assert made.exit_code == 1 and "quá dài" in made.output and len(made.output.strip().splitlines()) == 1
    assert json.loads(run("admin", "list-users", "--format", "json", *d).output) == []


def test_reanalyze_with_a_new_model_keeps_history(make_app, analyzer):
    w = seed(make_app(), meetings=False)
    data = docx_bytes(minutes_text("A", "Chi bộ Khu phố 1", 8, True))
    mid = w.client.post("/api/meetings", headers=w.api("sec_a"), files=[("files", ("t8.docx", data, "x"))]).json()[
        "results"
    ][0]["meeting_id"]
    settings = w.app.state.settings
    d = ["--data-dir", str(settings.data_dir), "--database-url", settings.database_url]
    result = run("admin", "reanalyze", "--model", "rules", *d)
    assert result.exit_code == 0 and "đã phân tích 1," in result.output
    again = run("admin", "reanalyze", "--model", "rules", *d)
    assert "đã phân tích 0, 1 đã phân tích bằng phiên bản này từ trước" in again.output
    info = w.client.get(f"/api/meetings/{mid}", headers=w.api("sec_a")).json()
    versions = [(a["model_version"], a["current"]) for a in info["analyses"]]
    assert len(versions) == 2 and versions[0][1] and not versions[1][1]
    assert versions[1][0] == analyzer.model_info["version"]
    report = w.client.get(f"/api/meetings/{mid}/report", headers=w.api("sec_a")).json()
    assert report["model"]["name"] == "rules"
    old = w.client.get(
        f"/api/meetings/{mid}/report",
        params={"analysis_id": info["analyses"][1]["analysis_id"]},
        headers=w.api("sec_a"),
    ).json()
    assert old["model"]["version"] == analyzer.model_info["version"]
    listed = w.client.get("/api/meetings", headers=w.api("sec_a")).json()["items"]
    assert len(listed) == 1 and listed[0]["model_version"] == versions[0][0]
    with w.app.state.sessions() as s:
        assert len(s.scalars(select(Analysis)).all()) == 2


def test_admin_command_on_a_missing_database_is_one_clear_line(tmp_path):
    result = run(
        "admin", "create-unit", "Đảng ủy Phường 5", "--kind", "committee", "--data-dir", str(tmp_path / "chua-co")
    )
    assert result.exit_code == 1
    assert "không mở được cơ sở dữ liệu" in result.output and "admin migrate" in result.output
    assert "Traceback" not in result.output


def test_serve_with_a_missing_model_is_one_clear_line(tmp_path):
    result = run("serve", "--model", "khong-co", "--data-dir", str(tmp_path), "--port", "8799")
    assert result.exit_code == 1 and "not a model directory" in result.output
    assert "Traceback" not in result.output


def test_serve_on_a_taken_port_is_one_clear_line_before_anything_loads(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port), "--data-dir", str(tmp_path), "--model", "khong-co")
    assert result.exit_code == 1
    assert result.output == (
        f"Lỗi: không mở được 127.0.0.1:{port}: cổng đang được một chương trình khác dùng; "
        "hãy chọn cổng khác bằng --port\n"
    )  # not "serving on", and the missing model was never looked for


def test_serve_port_check_leaves_a_free_port_listening():
    from minutes_nlp.cli.web import listening_socket

    with listening_socket("127.0.0.1", 0) as sock:
        port = sock.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass  # the socket handed to uvicorn already accepts connections


def test_create_user_asks_and_answers_in_vietnamese(data_dir):
    d = ["--data-dir", data_dir]
    run("admin", "create-unit", "Đảng ủy Xã Phú Mỹ", "--kind", "committee", *d)
    run("admin", "create-unit", "Chi bộ Ấp 5", "--kind", "cell", "--parent", "Đảng ủy Xã Phú Mỹ", *d)
    args = ["admin", "create-user", "bithu_ap5", "--role", "secretary", "--unit", "Chi bộ Ấp 5", *d]
    short = CliRunner().invoke(main, args, input="ngan\nngan\n")
    assert short.exit_code == 1
    assert short.output == (
        "Mật khẩu (ít nhất 8 ký tự): \nNhập lại để xác nhận: \nLỗi: mật khẩu phải có ít nhất 8 ký tự\n"
    )
    made = CliRunner().invoke(main, args, input="mat-khau-ap5\nmat-khau-khac\nmat-khau-ap5\nmat-khau-ap5\n")
    assert made.exit_code == 0, made.output
    assert "Lỗi: hai lần nhập không khớp nhau." in made.output
    assert made.output.endswith(
        "Đã thêm người dùng bithu_ap5 (số 1): Bí thư/thư ký chi bộ của Chi bộ Ấp 5; có thể đăng nhập ngay.\n"
    )
    assert "Password" not in made.output and "Repeat" not in made.output
    assert "ít nhất 8 ký tự" in run("admin", "create-user", "--help").output
