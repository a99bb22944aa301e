"""/api/v1/tasks: scoped inbox, counts, one task with its form, claim/unclaim/assign/complete."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from tests.api.conftest import assert_error, bearer, deploy_api_fixture
from tests.factories import NOW, deploy_fixture, open_tasks, start


@pytest.fixture
def tasks(uow_factory):
    """Review tasks in province 11 (due soon, and later) and in province 44."""
    deploy_fixture(uow_factory, "review.bpmn")
    made = {}
    for name, province, due, offset in (("soon", "11", "2026-12-01T12:00:00+08:00", 0),
                                        ("late", "11", "2026-12-20T12:00:00+08:00", 1),
                                        ("p44", "44", "2026-12-01T12:00:00+08:00", 2)):
        inst = start(uow_factory, "simple_review", NOW + timedelta(minutes=offset),
                     province_code=province, unit_id=f"u{offset}", review_due=due)
        [made[name]] = open_tasks(uow_factory, inst.id)
    return made


def _ids(response):
    assert response.status_code == 200, response.json
    return [t["id"] for t in response.json]


def test_inbox_is_scoped_sorted_and_counted(client, uow_factory, tasks):
    p11 = bearer(uow_factory, "p11", "province:11:reviewer")
    # Overdue counts compare due dates with the clock: pin it before every due date.
    with time_machine.travel(NOW, tick=False):
        _check_inbox(client, uow_factory, tasks, p11)


def _check_inbox(client, uow_factory, tasks, p11):
    assert _ids(client.get("/api/v1/tasks", headers=p11)) == [tasks["soon"].id, tasks["late"].id]
    before = "2026-12-05T00:00:00Z"
    assert _ids(client.get(f"/api/v1/tasks?due_before={before}", headers=p11)) == [
        tasks["soon"].id]
    assert _ids(client.get("/api/v1/tasks?view=mine", headers=p11)) == []
    assert _ids(client.get("/api/v1/tasks?province=44", headers=p11)) == []
    assert _ids(client.get("/api/v1/tasks?sort=priority&limit=1", headers=p11)) == [
        tasks["soon"].id]
    counts = client.get("/api/v1/tasks/counts", headers=p11).json
    assert counts == {"mine": 0, "claimable": 2, "offered": 2, "overdue": 0}
    ops = bearer(uow_factory, "ops1", "ops")
    assert len(_ids(client.get("/api/v1/tasks?view=all", headers=ops))) == 3
    assert_error(client.get("/api/v1/tasks?view=bogus", headers=p11), 422)
    assert_error(client.get("/api/v1/tasks?due_before=notadate", headers=p11), 422)


def test_overdue_view(client, uow_factory, tasks):
    p11 = bearer(uow_factory, "p11", "province:11:reviewer")
    with time_machine.travel("2026-12-10T00:00:00Z", tick=False):
        assert _ids(client.get("/api/v1/tasks?overdue=true", headers=p11)) == [
            tasks["soon"].id]
        assert client.get("/api/v1/tasks/counts", headers=p11).json["overdue"] == 1


def test_out_of_scope_task_is_404(client, uow_factory, tasks):
    p11 = bearer(uow_factory, "p11", "province:11:reviewer")
    other = tasks["p44"].id
    assert_error(client.get(f"/api/v1/tasks/{other}", headers=p11), 404, "not_found")
    for action in ("claim", "unclaim", "complete"):
        assert_error(client.post(f"/api/v1/tasks/{other}/{action}", json={}, headers=p11), 404)


def test_claim_unclaim_assign_complete_records_actor(client, uow_factory, tasks):
    p11 = bearer(uow_factory, "p11", "province:11:reviewer")
    p11b = bearer(uow_factory, "p11b", "province:11:reviewer")
    tid = tasks["soon"].id
    assert client.post(f"/api/v1/tasks/{tid}/claim", headers=p11).json["assignee"] == "p11"
    assert_error(client.post(f"/api/v1/tasks/{tid}/claim", headers=p11b), 409, "invalid_state")
    assert_error(client.post(f"/api/v1/tasks/{tid}/complete", json={"data": {}}, headers=p11b),
                 403, "forbidden")
    assert _ids(client.get("/api/v1/tasks?view=mine", headers=p11)) == [tid]
    handed = client.post(f"/api/v1/tasks/{tid}/assign", json={"assignee": "p11b"}, headers=p11)
    assert handed.json["assignee"] == "p11b"
    assert client.post(f"/api/v1/tasks/{tid}/unclaim", headers=p11b).json["assignee"] is None
    done = client.post(f"/api/v1/tasks/{tid}/complete",
                       json={"data": {"approved": True, "score": 75}}, headers=p11b)
    assert done.json == {"instance_id": tasks["soon"].instance_id, "status": "completed",
                         "incident": None}
    ops = bearer(uow_factory, "ops1", "ops")
    history = client.get(f"/api/v1/instances/{tasks['soon'].instance_id}/history",
                         headers=ops).json
    assert ("task_completed", "p11b") in [(h["action"], h["actor"]) for h in history]
    assert_error(client.post(f"/api/v1/tasks/{tid}/complete", json={"data": {}}, headers=p11b),
                 404)


def test_form_schema_and_422_field_paths(client, uow_factory):
    deploy_api_fixture(uow_factory, "form_review.bpmn")
    inst = start(uow_factory, "form_review", province_code="11",
                 review_due="2026-12-15T23:59:00+08:00")
    [task] = open_tasks(uow_factory, inst.id)
    p11 = bearer(uow_factory, "p11", "province:11:reviewer")
    one = client.get(f"/api/v1/tasks/{task.id}", headers=p11).json
    assert one["form_key"] == "review_decision"
    assert "decision" in one["form_schema"]["properties"]
    assert one["data"]["province_code"] == "11"
    bad = client.post(f"/api/v1/tasks/{task.id}/complete",
                      json={"data": {"decision": "maybe", "score": 500}}, headers=p11)
    error = assert_error(bad, 422, "form_invalid")
    assert set(error["details"]) >= {"decision", "score"}
    assert_error(client.post(f"/api/v1/tasks/{task.id}/complete", json={"data": "x"},
                             headers=p11), 422)
