"""PUT /api/v1/tasks/{id}/due: the owner's supervisor or ops moves a due date, with history."""

from __future__ import annotations

import pytest

from engine import service
from engine.service import SYSTEM_ACTOR
from tests.api.conftest import assert_error, bearer
from tests.factories import NOW, deploy_fixture, open_tasks, start

DUE = "2026-12-15T23:59:00+08:00"
NEW_DUE = "2026-12-20T18:00:00+08:00"


def _set_supervisor(uow_factory, username: str, supervisor: str) -> None:
    with uow_factory() as uow:
        service.accounts.update_user(uow, username, SYSTEM_ACTOR, NOW, supervisor=supervisor)


@pytest.fixture
def task(uow_factory):
    deploy_fixture(uow_factory, "review.bpmn")
    instance = start(uow_factory, "simple_review", province_code="11", review_due=DUE)
    [row] = open_tasks(uow_factory, instance.id)
    return row


def _put(client, task_id, headers, due=NEW_DUE, reason="专家组延期 / panel postponed"):
    return client.put(f"/api/v1/tasks/{task_id}/due", json={"due_at": due, "reason": reason},
                      headers=headers)


def test_supervisor_of_assignee_changes_due_and_history_keeps_it(client, uow_factory, task):
    wang = bearer(uow_factory, "wang", "province:11:reviewer")
    boss = bearer(uow_factory, "boss", "province:11:admin")
    _set_supervisor(uow_factory, "wang", "boss")
    # In his province's scope (the task carries its province), but nobody he supervises
    # holds it yet: refused.
    assert_error(_put(client, task.id, boss), 403, "forbidden")
    assert client.post(f"/api/v1/tasks/{task.id}/claim", headers=wang).status_code == 200
    assert_error(_put(client, task.id, wang), 403, "forbidden")  # not one's own supervisor
    changed = _put(client, task.id, boss)
    assert changed.status_code == 200, changed.json
    assert changed.json["due_at"] == "2026-12-20T10:00:00+00:00"
    with uow_factory() as uow:
        [event] = [h for h in uow.history.for_instance(task.instance_id)
                   if h.action == "task_due_changed"]
    assert event.actor == "boss" and event.data["reason"].startswith("专家组延期")
    assert event.data["from"].startswith("2026-12-15T15:59")
    assert event.data["to"].startswith("2026-12-20T10:00")


def test_supervisor_outside_scope_of_a_candidate_user(client, uow_factory):
    deploy_fixture(uow_factory, "review.bpmn")
    instance = start(uow_factory, "simple_review", province_code="44", review_due=DUE)
    [row] = open_tasks(uow_factory, instance.id)
    with uow_factory() as uow:
        uow.tasks.get(row.id).candidate_users = ["li"]
    bearer(uow_factory, "li", "province:44:reviewer")
    chief = bearer(uow_factory, "chief", "ministry:KT05")
    other = bearer(uow_factory, "other", "ministry:KT05")
    _set_supervisor(uow_factory, "li", "chief")
    assert _put(client, row.id, chief, due=None).json["due_at"] is None
    assert_error(_put(client, row.id, other), 404, "not_found")  # out of scope: no leak


def test_ops_and_bad_input(client, uow_factory, task):
    ops = bearer(uow_factory, "ops1", "ops")
    assert _put(client, task.id, ops).status_code == 200
    assert_error(_put(client, task.id, ops, reason=""), 422)
    assert_error(_put(client, task.id, ops, due="2026-12-20T18:00:00"), 422)
    assert_error(_put(client, task.id, ops, due="tomorrow"), 422)
    assert_error(client.put(f"/api/v1/tasks/{task.id}/due", json={"due_at": NEW_DUE},
                            headers=ops), 422)
    assert_error(_put(client, "no-such-task", ops), 404)
