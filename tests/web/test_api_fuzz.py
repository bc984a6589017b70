"""Every API operation of the OpenAPI schema, fuzzed with Schemathesis (issue 14): no 500, no answer that
breaks its own response schema. Signed in as the administrator of a seeded organisation (a real token, so
the cases reach past the 401), on this module's own app since the admin operations add units and users.

The budget is set by FUZZ_EXAMPLES per operation (about a minute in all); raise it to search longer:
MINUTES_NLP_FUZZ_EXAMPLES=500 python -m pytest -q tests/web/test_api_fuzz.py
"""

from __future__ import annotations

import os

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

from .conftest import seed  # noqa: E402

FUZZ_EXAMPLES = int(os.environ.get("MINUTES_NLP_FUZZ_EXAMPLES", "25"))


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory, analyzer):
    from minutes_nlp.web import Settings, create_app

    from .conftest import POSTGRES, _fresh_postgres_database

    extra = {"database_url": _fresh_postgres_database()} if POSTGRES else {}
    folder = tmp_path_factory.mktemp("fuzz")
    app = create_app(
        Settings(data_dir=folder, migrate=True, analyzer=analyzer, secret_key="k", max_upload_mb=0.2, **extra)
    )
    return seed(app, meetings=False)


def test_api_never_fails_nor_breaks_its_schema(fuzzed):
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", fuzzed.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15, [op.label for op in operations]
    failures = {}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=FUZZ_EXAMPLES,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def fuzz(case):
            case.call_and_validate(
                headers=fuzzed.api("admin"), checks=[not_a_server_error, response_schema_conformance]
            )

        try:
            fuzz()
        except Exception as exc:  # every operation is fuzzed; the failures are reported together
            failures[operation.label] = exc
    assert not failures, "\n\n".join(f"{label}: {exc}" for label, exc in failures.items())
