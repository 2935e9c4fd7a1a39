"""Property-based tests of the HTTP API from its own OpenAPI description (in-process, no 500 anywhere).

schemathesis generates valid and invalid requests for every operation in `/openapi.json`
(JSON API and the SPARQL endpoint) and checks each answer: no 5xx, a documented status code,
a documented content type, and a body that matches the declared response model.
(`schemathesis.pytest.from_fixture` does not work with pytest 9, so each operation runs
its Hypothesis strategy directly.)
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from policykg.api import create_app
from policykg.app import PolicyKG

pytestmark = pytest.mark.slow


def _operations() -> list[tuple[str, str]]:
    """(METHOD, path) of every operation, read from the app's own description (no store needed)."""
    spec = create_app(PolicyKG(store="/nonexistent-policykg-store")).openapi()
    return [(method.upper(), path) for path, ops in spec["paths"].items() for method in ops]


@pytest.fixture(scope="module")
def api_schema(kg):
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(kg))


@pytest.mark.parametrize("method,path", _operations(), ids=lambda x: x)
def test_operation_conforms_to_openapi(api_schema, method, path):
    operation = api_schema[path][method]
    examples = 15 if path.startswith("/api/ask") or path.startswith("/api/search") else 30

    @given(case=operation.as_strategy())
    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        if path == "/sparql":
            # a string that fits the schema is not necessarily SPARQL: its 400 is right
            case.call_and_validate(excluded_checks=[positive_data_acceptance])
        else:
            case.call_and_validate()

    run()


def test_every_operation_is_tested():
    paths = {p for _, p in _operations()}
    assert {"/api/ask", "/api/search", "/api/documents", "/api/documents/{doc_id}",
            "/api/documents/{doc_id}/clauses/{number}", "/api/check/{doc_id}", "/sparql"} <= paths
