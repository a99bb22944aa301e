"""Task listeners at assignment, delete and timeout, as Camunda 7 fires them (both databases)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import time_machine

from engine import clock, external, jobs, service
from engine.config import Settings
from engine.errors import ProcessDefinitionError, ScriptError
from engine.service import SYSTEM_ACTOR
from tests.factories import FIXTURES, NOW, deploy_fixture, make_user, open_tasks, show, start

SETTINGS = Settings(job_lease_seconds=60)
KEY = "compat_task_events"


def run_at(uow_factory, moment: datetime) -> list[jobs.JobOutcome]:
    with time_machine.travel(moment, tick=False):
        return jobs.run_until_idle(uow_factory, SETTINGS, "test-worker", now=clock.now)


def started(uow_factory, **variables):
    deploy_fixture(uow_factory, f"{KEY}.bpmn")
    with time_machine.travel(NOW, tick=False):
        return start(uow_factory, KEY, NOW, **variables)


def test_assignee_expression_fires_assignment_after_create_and_claims_fire_it_again(
        uow_factory):
    ops = make_user(uow_factory, "op1", "ops")
    make_user(uow_factory, "bob", "ops")
    instance = started(uow_factory, starter="ann")
    [task] = open_tasks(uow_factory, instance.id)
    assert task.assignee == "ann"
    variables = show(uow_factory, instance.id).variables
    assert variables["assignments"] == ["ann@assignment"]
    assert variables["last_assignee"] == "ann"
    assert variables["task_seen"] == task.id
    with uow_factory() as uow:
        service.assign_task(uow, task.id, "bob", ops, NOW)
    with uow_factory() as uow:
        service.unclaim_task(uow, task.id, ops, NOW)
    with uow_factory() as uow:
        service.claim_task(uow, task.id, ops, NOW)
    with uow_factory() as uow:
        service.claim_task(uow, task.id, ops, NOW)  # no change: no event
    variables = show(uow_factory, instance.id).variables
    assert variables["assignments"] == [
        "ann@assignment", "bob@assignment", "null@assignment", "op1@assignment"]
    assert variables["last_assignee"] == "op1"


def test_timeout_listener_is_a_timer_job_that_fires_without_ending_the_task(uow_factory):
    instance = started(uow_factory, starter="ann")
    with uow_factory() as uow:
        due = sorted((j.element_id, j.due_at) for j in uow.jobs.for_instance(instance.id))
    assert due == [("Boundary_Escalate", NOW + timedelta(hours=2)),
                   ("Task_Review_timeoutListener3", NOW + timedelta(hours=1))]
    assert run_at(uow_factory, NOW + timedelta(minutes=59)) == []
    fired = run_at(uow_factory, NOW + timedelta(hours=1, seconds=1))
    assert [o.result for o in fired] == ["fired"]
    [task] = open_tasks(uow_factory, instance.id)
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "running"
    assert detail.variables["reminded"] == "Task_Review:timeout"
    assert "deleted_task" not in detail.variables


def test_an_interrupting_boundary_event_fires_the_delete_listener(uow_factory):
    instance = started(uow_factory, starter="ann")
    run_at(uow_factory, NOW + timedelta(hours=1, seconds=1))
    run_at(uow_factory, NOW + timedelta(hours=2, seconds=1))
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert open_tasks(uow_factory, instance.id) == []
    assert detail.variables["deleted_task"] == "审核"


def test_completion_is_no_delete_but_cancelling_the_instance_is(uow_factory):
    ops = make_user(uow_factory, "op2", "ops")
    done = started(uow_factory, starter="op2")
    [task] = open_tasks(uow_factory, done.id)
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {}, ops, NOW)
    assert "deleted_task" not in show(uow_factory, done.id).variables
    with time_machine.travel(NOW, tick=False):
        cancelled = start(uow_factory, KEY, NOW, starter="op2")
    with uow_factory() as uow:
        service.terminate_instance(uow, cancelled.id, SYSTEM_ACTOR, NOW)
    with uow_factory() as uow:
        state = uow.instances.get(cancelled.id)
        assert state.status == "terminated"
        assert '"deleted_task"' in state.state_json


def test_a_failing_assignment_listener_refuses_the_claim_and_changes_nothing(uow_factory):
    ops = make_user(uow_factory, "op3", "ops")
    xml = (FIXTURES / f"{KEY}.bpmn").read_text()
    xml = xml.replace('task.setVariable("last_assignee", task.assignee)',
                      'task.setVariable("last_assignee", 1 / 0)')
    with uow_factory() as uow:
        service.deploy(uow, {"broken.bpmn": xml.encode()}, SYSTEM_ACTOR, NOW)
    instance = start(uow_factory, KEY, NOW, starter="")  # no assignee, no event yet
    [task] = open_tasks(uow_factory, instance.id)
    with pytest.raises(ScriptError) as failed, uow_factory() as uow:
        service.claim_task(uow, task.id, ops, NOW)
    assert "task listener 'assignment' #2 of user task 'Task_Review'" in failed.value.message
    [task] = open_tasks(uow_factory, instance.id)
    assert task.assignee is None


@pytest.mark.parametrize(("listener", "reason"), [
    ('<camunda:taskListener event="delete"><camunda:script scriptFormat="python">'
     "x = ().__class__</camunda:script></camunda:taskListener>", "script line 1 cannot run"),
    ('<camunda:taskListener event="assignment" expression="${task.assignee.(}" />',
     "cannot be evaluated"),
    ('<camunda:taskListener event="assignment" class="org.acme.AssignMail" />',
     "unknown Java code"),
    # a listener with its own id (as Camunda's engine tests write it) is still named by
    # the user task it belongs to, the element a designer can click
    ('<camunda:taskListener id="timeout-friendly" event="timeout" class="org.acme.Remind">'
     "<bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration>"
     "</bpmn:timerEventDefinition></camunda:taskListener>", "element 'Task_Review': "
     "camunda:taskListener (event 'timeout') class 'org.acme.Remind' is unknown Java code"),
])
def test_a_listener_that_cannot_run_is_refused_at_deploy_naming_the_task(
        uow_factory, listener, reason):
    xml = (FIXTURES / f"{KEY}.bpmn").read_text().replace(
        '<camunda:taskListener expression="${task.setVariable(&#39;deleted_task&#39;, '
        'task.name)}" event="delete" />', listener)
    with pytest.raises(ProcessDefinitionError) as refused, uow_factory() as uow:
        service.deploy(uow, {"bad.bpmn": xml.encode()}, SYSTEM_ACTOR, NOW)
    assert "'Task_Review'" in refused.value.message
    assert reason in refused.value.message


@pytest.fixture
def listener_handler() -> Iterator[list[dict]]:
    calls: list[dict] = []

    def run(ctx: external.HandlerContext) -> dict:
        calls.append(dict(ctx.variables))
        return {"listened": len(calls)}

    external.register_handler("AuditListener", run)
    yield calls
    external.unregister_handler("AuditListener")


def test_a_class_listener_runs_the_handler_registered_under_its_simple_name(
        uow_factory, listener_handler):
    ops = make_user(uow_factory, "op4", "ops")
    xml = (FIXTURES / "compat_listeners.bpmn").read_text().replace(
        '<camunda:taskListener event="complete">',
        '<camunda:taskListener class="org.acme.AuditListener" event="complete" />'
        '<camunda:taskListener event="complete">')
    with uow_factory() as uow:
        service.deploy(uow, {"class.bpmn": xml.encode()}, SYSTEM_ACTOR, NOW)
    instance = start(uow_factory, "compat_listeners", NOW)
    [task] = open_tasks(uow_factory, instance.id)
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {"ok": True}, ops, NOW)
    jobs.run_until_idle(uow_factory, SETTINGS, "w1", now=lambda: NOW)
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert [c["ok"] for c in listener_handler] == [True]
    assert detail.variables["listened"] == 1


def test_a_class_listener_without_a_handler_is_refused_naming_the_element(uow_factory):
    external.unregister_handler("AuditListener")
    content = (FIXTURES / "compat_refused.bpmn").read_bytes()
    with pytest.raises(ProcessDefinitionError) as refused, uow_factory() as uow:
        service.deploy(uow, {"compat_refused.bpmn": content}, SYSTEM_ACTOR, NOW)
    assert "element 'StartEvent_1'" in refused.value.message
    assert "no handler named 'AuditListener'" in refused.value.message


def test_a_create_listener_sets_the_assignee_and_assignment_follows_it(uow_factory):
    xml = (FIXTURES / f"{KEY}.bpmn").read_text().replace(
        '<camunda:taskListener event="assignment">',
        '<camunda:taskListener event="create"><camunda:script scriptFormat="python">'
        'task.setAssignee("carol")</camunda:script></camunda:taskListener>'
        '<camunda:taskListener event="assignment">', 1)
    with uow_factory() as uow:
        service.deploy(uow, {"create.bpmn": xml.encode()}, SYSTEM_ACTOR, NOW)
    instance = start(uow_factory, KEY, NOW, starter="ann")
    [task] = open_tasks(uow_factory, instance.id)
    assert task.assignee == "carol"  # the listener's, not the assignee expression's
    assert show(uow_factory, instance.id).variables["assignments"] == ["carol@assignment"]
