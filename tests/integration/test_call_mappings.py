"""camunda:in / camunda:out on a call activity (Camunda 7's variable passing) and signal
start events (a broadcast starts an instance of each process that starts on it)."""

from __future__ import annotations

from engine import service
from engine.service import SYSTEM_ACTOR
from tests.factories import FIXTURES, NOW, deploy_fixture, open_tasks, show, start


def test_the_callee_gets_only_what_camunda_in_passes_and_returns_only_camunda_out(
        uow_factory):
    deploy_fixture(uow_factory, "compat_call_mapping_child.bpmn",
                   "compat_call_mapping_parent.bpmn")
    instance = start(uow_factory, "compat_call_mapping_parent", raw_score=40, weight=0.75,
                     business_key="2026-ZJ-01")
    assert [t.element_id for t in open_tasks(uow_factory, instance.id)] == ["Task_Confirm"]
    values = show(uow_factory, instance.id).variables
    assert values["final_score"] == 60.0  # points 40 * factor (0.75 * 2)
    assert values["raw_score"] == 40 and values["weight"] == 0.75  # the caller keeps its own
    for child_only in ("points", "factor", "total", "scratch", "leaked"):
        assert child_only not in values, child_only


def test_the_callee_saw_none_of_the_caller_s_other_variables(uow_factory):
    deploy_fixture(uow_factory, "compat_call_mapping_child.bpmn",
                   "compat_call_mapping_parent.bpmn")
    xml_out = '<camunda:out source="total" target="final_score" />'
    extra = '\n        <camunda:out source="leaked" target="leaked" />'
    text = (FIXTURES / "compat_call_mapping_parent.bpmn").read_text().replace(
        xml_out, xml_out + extra)
    with uow_factory() as uow:
        service.deploy(uow, {"parent.bpmn": text.encode()}, SYSTEM_ACTOR, NOW)
    instance = start(uow_factory, "compat_call_mapping_parent", raw_score=40, weight=0.75)
    assert show(uow_factory, instance.id).variables["leaked"] == []


def test_a_signal_starts_each_process_with_a_signal_start_event_for_it(uow_factory):
    deploy_fixture(uow_factory, "compat_signal_start.bpmn")
    with uow_factory() as uow:
        started = service.broadcast_signal(uow, "assessment-year", SYSTEM_ACTOR, NOW,
                                           variables={"year": 2026})
    [instance_id] = started
    assert [t.element_id for t in open_tasks(uow_factory, instance_id)] == ["Task_Report"]
    assert show(uow_factory, instance_id).variables["year"] == 2026
    with uow_factory() as uow:
        assert service.broadcast_signal(uow, "another-signal", SYSTEM_ACTOR, NOW) == []


def test_a_process_that_calls_itself_stops_at_the_depth_limit_as_an_incident(uow_factory):
    """Camunda's JVM ends such a call with a StackOverflowError; here the step stops at
    MAX_CALL_DEPTH nested processes with an incident at the call activity, in bounded time,
    and the instance's lock is free again."""
    from engine.bpmn.call_mappings import MAX_CALL_DEPTH

    deploy_fixture(uow_factory, "compat_self_call.bpmn")
    instance = start(uow_factory, "compat_self_call")
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "running"
    [incident] = detail.incidents
    assert incident.element_id == "Call_Self"
    assert f"at most {MAX_CALL_DEPTH}" in incident.message and "call itself" in incident.message
    second = start(uow_factory, "compat_self_call")  # the engine is free for the next step
    assert show(uow_factory, second.id).incidents[0].element_id == "Call_Self"
