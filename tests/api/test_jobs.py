"""/api/v1/jobs: ops list timers with due times, and move a timer's due date."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from tests.api.conftest import assert_error, bearer, deploy_api_fixture
from tests.factories import NOW, start


def test_ops_lists_and_moves_a_timer(client, uow_factory):
    deploy_api_fixture(uow_factory, "api_timer.bpmn")
    with time_machine.travel(NOW, tick=False):
        inst = start(uow_factory, "api_timer", NOW)
    ops = bearer(uow_factory, "ops1", "ops")
    [job] = client.get("/api/v1/jobs?kind=timer", headers=ops).json
    assert job["instance_id"] == inst.id and job["element_id"] == "Timer_Wait"
    assert job["due_at"].startswith((NOW + timedelta(minutes=10)).isoformat()[:16])
    later = "2027-01-05T08:00:00+08:00"
    moved = client.put(f"/api/v1/jobs/{job['id']}/due", json={"due_at": later}, headers=ops)
    assert moved.status_code == 200, moved.json
    [again] = client.get(f"/api/v1/jobs?instance_id={inst.id}", headers=ops).json
    assert again["due_at"].startswith("2027-01-05T00:00:00")
    history = client.get(f"/api/v1/instances/{inst.id}/history", headers=ops).json
    assert history[-1]["action"] == "job_due_date_set" and history[-1]["actor"] == "ops1"


def test_jobs_are_ops_only_and_bad_input_is_4xx(client, uow_factory):
    user = bearer(uow_factory, "p11", "province:11:reviewer")
    ops = bearer(uow_factory, "ops1", "ops")
    assert_error(client.get("/api/v1/jobs", headers=user), 403, "forbidden")
    assert_error(client.put("/api/v1/jobs/x/due", json={"due_at": "2027-01-01T00:00:00Z"},
                            headers=user), 403)
    assert_error(client.put("/api/v1/jobs/x/due", json={"due_at": "2027-01-01T00:00:00Z"},
                            headers=ops), 404)
    assert_error(client.put("/api/v1/jobs/x/due", json={"due_at": "2027-01-01T00:00"},
                            headers=ops), 422)
