"""Event subprocesses as Camunda 7 runs them: a message, signal or error starts one while
the instance runs; an interrupting one cancels the rest of its scope, a non-interrupting
one runs beside it as often as its event comes; an error start waits for its error."""

from __future__ import annotations

from typing import Any

import pytest

from engine import bpmn, service
from engine.errors import MessageNotCorrelated
from engine.service import SYSTEM_ACTOR, Actor, external_protocol
from tests.factories import NOW, activity_states, deploy_fixture, make_user, open_tasks, show, start

KEY = "compat_esp_interrupting"


def _elements(uow_factory: Any, instance_id: str) -> list[str]:
    return sorted(t.element_id for t in open_tasks(uow_factory, instance_id))


def _correlate(uow_factory: Any, name: str, **variables: Any) -> list[str]:
    with uow_factory() as uow:
        return service.correlate_message(uow, name, SYSTEM_ACTOR, NOW, variables=variables)


def _complete(uow_factory: Any, instance_id: str, element_id: str, actor: Actor) -> None:
    """Complete one open task of that element (the first, if a subprocess ran twice)."""
    task = next(t for t in open_tasks(uow_factory, instance_id) if t.element_id == element_id)
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {}, actor, NOW)


def _subscribed(uow_factory: Any, instance_id: str) -> list[tuple[str, str]]:
    with uow_factory() as uow:
        return sorted((s.kind, s.name) for s in
                      uow.events.subscriptions(instance_id, None, None, 50))


@pytest.fixture
def ops(uow_factory: Any) -> Actor:
    return make_user(uow_factory, "esp_admin", "admin")


def test_a_running_instance_can_be_found_by_its_event_subprocess_messages(uow_factory):
    deploy_fixture(uow_factory, "compat_esp_interrupting.bpmn")
    instance = start(uow_factory, KEY)
    assert _subscribed(uow_factory, instance.id) == [("message", "remind"),
                                                      ("message", "withdraw")]


def test_a_non_interrupting_one_runs_beside_the_flow_each_time_its_message_comes(
        uow_factory, ops):
    deploy_fixture(uow_factory, "compat_esp_interrupting.bpmn")
    instance = start(uow_factory, KEY)
    assert _correlate(uow_factory, "remind") == [instance.id]
    assert _correlate(uow_factory, "remind") == [instance.id]
    assert _elements(uow_factory, instance.id) == ["Task_Budget", "Task_Plan",
                                                   "Task_Remind", "Task_Remind"]
    for element in ("Task_Plan", "Task_Budget", "Task_Remind"):
        _complete(uow_factory, instance.id, element, ops)
    assert show(uow_factory, instance.id).instance.status == "running"  # one reply open
    _complete(uow_factory, instance.id, "Task_Remind", ops)
    assert show(uow_factory, instance.id).instance.status == "completed"


def test_an_interrupting_one_cancels_every_other_branch_and_event_subprocess(uow_factory, ops):
    deploy_fixture(uow_factory, "compat_esp_interrupting.bpmn")
    instance = start(uow_factory, KEY)
    _correlate(uow_factory, "remind")
    _correlate(uow_factory, "withdraw", reason="单位撤回")
    assert _elements(uow_factory, instance.id) == ["Task_Archive"]
    states = activity_states(show(uow_factory, instance.id))
    for cancelled in ("Task_Plan", "Task_Budget", "Task_Remind"):
        assert states[cancelled] == {"CANCELLED"}, cancelled
    assert _subscribed(uow_factory, instance.id) == []  # no other event subprocess may start
    with pytest.raises(MessageNotCorrelated):
        _correlate(uow_factory, "remind")
    bpmn.WORKFLOWS.clear()  # the rest runs from the stored state
    _complete(uow_factory, instance.id, "Task_Archive", ops)
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert detail.variables["reason"] == "单位撤回"


def test_an_error_event_subprocess_waits_for_its_error(uow_factory):
    deploy_fixture(uow_factory, "compat_esp_error.bpmn")
    instance = start(uow_factory, "compat_esp_error")
    assert _elements(uow_factory, instance.id) == ["Task_Plan"]


def test_a_worker_s_bpmn_error_starts_it_and_the_rest_of_the_process_is_cancelled(
        uow_factory, ops):
    deploy_fixture(uow_factory, "compat_esp_error.bpmn")
    instance = start(uow_factory, "compat_esp_error")
    with uow_factory() as uow:
        [locked] = service.fetch_and_lock(
            uow, "w", [{"topicName": "check-material", "lockDuration": 60000}], 5, NOW,
            actor=SYSTEM_ACTOR)
    with uow_factory() as uow:
        external_protocol.bpmn_error(uow, locked.id, "w", "MATERIAL_MISSING", "缺少附件",
                           {"missing": ["建设方案"]}, actor=SYSTEM_ACTOR, now=NOW)
    assert _elements(uow_factory, instance.id) == ["Task_Supplement"]
    with uow_factory() as uow:
        assert service.fetch_and_lock(
            uow, "w", [{"topicName": "check-material", "lockDuration": 60000}], 5, NOW,
            actor=SYSTEM_ACTOR) == []
    _complete(uow_factory, instance.id, "Task_Supplement", ops)
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert detail.variables["missing"] == ["建设方案"]
    assert activity_states(detail)["Task_Plan"] == {"CANCELLED"}


def test_a_start_in_one_instance_leaves_the_next_instance_as_deployed(uow_factory, ops):
    deploy_fixture(uow_factory, "compat_esp_interrupting.bpmn")
    first = start(uow_factory, KEY)
    _correlate(uow_factory, "remind")
    second = start(uow_factory, KEY)
    assert _elements(uow_factory, second.id) == ["Task_Budget", "Task_Plan"]
    _complete(uow_factory, second.id, "Task_Plan", ops)
    _complete(uow_factory, second.id, "Task_Budget", ops)
    assert show(uow_factory, second.id).instance.status == "completed"
    assert show(uow_factory, first.id).instance.status == "running"


def _signal(uow_factory: Any, name: str) -> None:
    with uow_factory() as uow:
        service.broadcast_signal(uow, name, SYSTEM_ACTOR, NOW)


def test_event_subprocesses_of_an_embedded_subprocess_start_in_it_and_end_with_it(
        uow_factory, ops):
    deploy_fixture(uow_factory, "compat_esp_in_subprocess.bpmn")
    instance = start(uow_factory, "compat_esp_in_subprocess")
    assert _subscribed(uow_factory, instance.id) == [("message", "recall"),
                                                      ("signal", "review-notice")]
    _signal(uow_factory, "review-notice")
    assert _elements(uow_factory, instance.id) == ["Task_Read", "Task_Review"]
    bpmn.WORKFLOWS.clear()
    assert _correlate(uow_factory, "recall") == [instance.id]
    assert _elements(uow_factory, instance.id) == ["Task_Recall"]  # the subprocess interrupted
    _complete(uow_factory, instance.id, "Task_Recall", ops)
    assert _elements(uow_factory, instance.id) == ["Task_Publish"]  # it ended: the flow goes on
    assert _subscribed(uow_factory, instance.id) == []
    _complete(uow_factory, instance.id, "Task_Publish", ops)
    assert show(uow_factory, instance.id).instance.status == "completed"


def test_they_are_not_found_once_their_subprocess_has_ended(uow_factory, ops):
    deploy_fixture(uow_factory, "compat_esp_in_subprocess.bpmn")
    instance = start(uow_factory, "compat_esp_in_subprocess")
    _complete(uow_factory, instance.id, "Task_Review", ops)
    assert _elements(uow_factory, instance.id) == ["Task_Publish"]
    assert _subscribed(uow_factory, instance.id) == []
    with pytest.raises(MessageNotCorrelated):
        _correlate(uow_factory, "recall")


def test_an_event_subprocess_without_an_end_event_ends_where_its_flow_does(uow_factory, ops):
    """Camunda 7 runs an event subprocess whose last task has no end event after it
    (SpiffWorkflow refused it: "A SubWorkflow Must contain an End event")."""
    deploy_fixture(uow_factory, "compat_esp_without_end.bpmn")
    instance = start(uow_factory, "compat_esp_without_end")
    assert _correlate(uow_factory, "note") == [instance.id]  # non-interrupting, process level
    _complete(uow_factory, instance.id, "Task_Note", ops)
    assert _elements(uow_factory, instance.id) == ["Task_Check"]
    task = next(t for t in open_tasks(uow_factory, instance.id))
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {"missing": True}, ops, NOW)
    assert _elements(uow_factory, instance.id) == ["Task_Supplement"]  # the error is caught
    _complete(uow_factory, instance.id, "Task_Supplement", ops)
    assert _elements(uow_factory, instance.id) == ["Task_Archive"]  # its scope ended with it
    _complete(uow_factory, instance.id, "Task_Archive", ops)
    assert show(uow_factory, instance.id).instance.status == "completed"
