"""The OpenAPI document and docs page, and schemathesis: no 500s, responses match the schema."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.api.conftest import bearer
from tests.factories import deploy_fixture, start


def test_openapi_document_and_docs_page_are_self_contained(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/tasks/{task_id}/complete" in spec["paths"]
    assert "TaskDetail" in spec["components"]["schemas"]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and b"/api/v1/instances" in page.data
    assert b"<script" not in page.data and b"https://" not in page.data


def test_no_server_errors_and_responses_match_schema(app, uow_factory):
    """Every operation, a few generated requests each, as an ops+designer+admin caller."""
    deploy_fixture(uow_factory, "review.bpmn")
    start(uow_factory, "simple_review", province_code="11",
          review_due="2026-12-15T23:59:00+08:00")
    headers = bearer(uow_factory, "fuzz", "ops", "admin", "designer")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=4, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers,
                                   checks=[not_a_server_error, response_schema_conformance])

        run()
        checked += 1
    assert checked >= 30
