"""The API against its own schema (web/openapi.yaml), with Schemathesis: generated
requests, valid and not, to the app in-process (WSGI, no network). Every answer must
be documented and match its schema, and none may be a 500.

Bounded: a few examples per operation, each answered within the deadline.
"""

from __future__ import annotations

from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis import checks  # noqa: E402

from tests.conftest import ROOT, make_app  # noqa: E402


@schemathesis.serializer("application/toml")
def toml_body(_ctx, value):
    """A skill set's TOML, sent as the body of POST /api/v1/skillsets: the text as it is."""
    return value.encode("utf-8", "surrogatepass") if isinstance(value, str) else bytes(str(value), "utf-8")


schema = schemathesis.openapi.from_path(ROOT / "web" / "openapi.yaml")

# Left out, with the reason:
EXCLUDED = {
    # A schema cannot say which texts and files can be analysed (text that looks like
    # binary data, a file without a description column or of another kind): such a
    # schema-valid request rightly gets 415 or 422.
    "*": [checks.positive_data_acceptance],
    # /readyz answers 503 by design when no worker runs, as here.
    "GET /readyz": [checks.positive_data_acceptance, checks.not_a_server_error],
}


@pytest.fixture
def api_app(db_url: str, tmp_path: Path, fake_analyzer):
    # Long-polling would make each generated ?wait= a wait of up to 30 s for nothing.
    return make_app(db_url, tmp_path, MAX_WAIT_SECONDS=0.1)


@schema.parametrize()
@settings(max_examples=10, deadline=5000, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_matches_its_schema(case, api_app) -> None:
    excluded = EXCLUDED.get(f"{case.method} {case.path}", EXCLUDED["*"])
    response = case.call_and_validate(app=api_app, excluded_checks=excluded)
    if case.method == "GET" and case.path == "/readyz":
        assert response.status_code in (200, 503)
