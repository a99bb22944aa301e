"""Camunda's admin: members of `admin` may claim, assign and complete any task, recorded as
an override; everyone else still acts only on what is assigned or offered to them."""

from __future__ import annotations

import pytest

from engine import service
from engine.errors import Forbidden, NotFound
from tests.api.conftest import bearer
from tests.factories import NOW, deploy_fixture, make_user, open_tasks, start

GOOD = {"decision": "approve", "score": 80}


@pytest.fixture
def task(uow_factory):
    deploy_fixture(uow_factory, "form_review.bpmn")
    instance = start(uow_factory, "form_review", province_code="11")
    [row] = open_tasks(uow_factory, instance.id)
    return row


def _actions(uow_factory, instance_id):
    with uow_factory() as uow:
        return [(e.action, e.actor, e.data) for e in uow.history.for_instance(instance_id)
                if e.action.startswith("task_")]


def test_admin_completes_a_task_not_offered_to_them(uow_factory, task):
    admin = make_user(uow_factory, "root", "admin")
    with uow_factory() as uow:
        service.claim_task(uow, task.id, admin, NOW)
    with uow_factory() as uow:
        service.complete_task(uow, task.id, GOOD, admin, NOW)
    actions = _actions(uow_factory, task.instance_id)
    assert [(a, who) for a, who, _ in actions] == [("task_claimed", "root"),
                                                    ("task_completed", "root")]
    assert actions[0][2].get("admin_override") is True
    # Claimed by root, it is root's now: completing it is no override any more.
    assert "admin_override" not in actions[1][2]


def test_admin_completes_unclaimed_and_the_history_says_override(uow_factory, task):
    admin = make_user(uow_factory, "root", "admin")
    with uow_factory() as uow:
        service.complete_task(uow, task.id, GOOD, admin, NOW)
    [(_, who, data)] = _actions(uow_factory, task.instance_id)
    assert who == "root" and data["admin_override"] is True


def test_others_still_need_the_task_offered(uow_factory, task):
    ops = make_user(uow_factory, "ops1", "ops")  # sees everything, may repair, not work
    designer = make_user(uow_factory, "d1", "designer")
    with pytest.raises(Forbidden), uow_factory() as uow:
        service.complete_task(uow, task.id, GOOD, ops, NOW)
    with pytest.raises(NotFound), uow_factory() as uow:
        service.claim_task(uow, task.id, designer, NOW)


def test_admin_over_engine_rest_and_api(client, uow_factory, task, basic):
    make_user(uow_factory, "root", "admin", password="s3cret-pass")
    answer = client.post(f"/engine-rest/task/{task.id}/complete", headers=basic("root"),
                         json={"variables": {"decision": {"value": "approve"},
                                             "score": {"value": 80}}})
    assert answer.status_code == 204, answer.get_data(as_text=True)
    deploy_fixture(uow_factory, "form_review.bpmn")
    second = open_tasks(uow_factory, start(uow_factory, "form_review",
                                           province_code="44").id)[0]
    headers = bearer(uow_factory, "root2", "admin")
    done = client.post(f"/api/v1/tasks/{second.id}/complete", json={"data": GOOD},
                       headers=headers)
    assert done.status_code == 200, done.get_data(as_text=True)
