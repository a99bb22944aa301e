"""camunda:calledElementBinding: a callee deployed later is bound when the call is reached;
deployment / version / versionTag bind as Camunda does; bad bindings are refused at deploy."""

from __future__ import annotations

import pytest

from engine import service
from engine.errors import ProcessDefinitionError
from engine.service import SYSTEM_ACTOR, Actor
from tests.factories import FIXTURES, NOW, open_tasks, show, start

STAFF = Actor("staff_member", frozenset({"staff"}))
CALL = b'calledElement="call_child"'


def parent(attrs: str = "") -> bytes:
    return (FIXTURES / "call_parent.bpmn").read_bytes().replace(
        CALL, CALL + (" " + attrs).encode() if attrs else CALL)


def child(version: int, tag: str | None = None) -> bytes:
    xml = (FIXTURES / "call_child.bpmn").read_bytes().replace(
        b"child_version = 1", f"child_version = {version}".encode())
    if tag:
        xml = xml.replace(b'id="call_child"', f'id="call_child" camunda:versionTag="{tag}"'
                          .encode())
    return xml


def deploy(uow_factory, files: dict[str, bytes], name: str = "d") -> service.DeploymentResult:
    with uow_factory() as uow:
        return service.deploy(uow, files, SYSTEM_ACTOR, NOW, name=name)


def run_child(uow_factory, instance_id: str) -> int:
    [task] = open_tasks(uow_factory, instance_id)
    assert task.element_id == "Task_Child"
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {}, STAFF, NOW)
    return int(show(uow_factory, instance_id).variables["child_version"])


def test_a_callee_deployed_later_is_bound_when_the_call_activity_is_reached(uow_factory):
    result = deploy(uow_factory, {"call_parent.bpmn": parent()})
    assert any("'Call_Child'" in w and "not deployed yet" in w for w in result.warnings)
    instance = start(uow_factory, "call_parent")
    with uow_factory() as uow:
        [incident] = uow.incidents.open_for(instance.id)
    assert incident.element_id == "Call_Child" and "call_child" in incident.message
    deploy(uow_factory, {"call_child.bpmn": child(7)}, name="child")
    with uow_factory() as uow:
        service.retry_incident(uow, incident.id, SYSTEM_ACTOR, NOW)
    assert run_child(uow_factory, instance.id) == 7
    with uow_factory() as uow:
        bound = uow.instances.get(instance.id).bindings["call_child"]
        assert uow.definitions.get(bound).version == 1


def test_version_binding_runs_the_numbered_version(uow_factory):
    deploy(uow_factory, {"call_child.bpmn": child(1)}, name="c1")
    deploy(uow_factory, {"call_child.bpmn": child(2)}, name="c2")
    deploy(uow_factory, {"call_parent.bpmn": parent(
        'camunda:calledElementBinding="version" camunda:calledElementVersion="1"')})
    assert run_child(uow_factory, start(uow_factory, "call_parent").id) == 1


def test_version_tag_binding_runs_the_newest_version_with_that_tag(uow_factory):
    deploy(uow_factory, {"call_child.bpmn": child(1, "2025")}, name="c1")
    deploy(uow_factory, {"call_child.bpmn": child(2, "2026")}, name="c2")
    deploy(uow_factory, {"call_child.bpmn": child(3, "2025")}, name="c3")
    deploy(uow_factory, {"call_child.bpmn": child(4)}, name="c4")
    deploy(uow_factory, {"call_parent.bpmn": parent(
        'camunda:calledElementBinding="versionTag" camunda:calledElementVersionTag="2026"')})
    assert run_child(uow_factory, start(uow_factory, "call_parent").id) == 2


def test_deployment_binding_runs_the_callee_deployed_with_the_caller(uow_factory):
    deploy(uow_factory, {"call_child.bpmn": child(1),
                         "call_parent.bpmn": parent('camunda:calledElementBinding="deployment"')})
    deploy(uow_factory, {"call_child.bpmn": child(2)}, name="newer child")
    assert run_child(uow_factory, start(uow_factory, "call_parent").id) == 1


def test_latest_binds_the_newest_version_at_the_instance_start(uow_factory):
    deploy(uow_factory, {"call_child.bpmn": child(1), "call_parent.bpmn": parent()})
    deploy(uow_factory, {"call_child.bpmn": child(2)}, name="newer child")
    assert run_child(uow_factory, start(uow_factory, "call_parent").id) == 2


@pytest.mark.parametrize(("attrs", "reason"), [
    ('camunda:calledElementBinding="deployment"', "from its own deployment"),
    ('camunda:calledElementBinding="version"', "needs a number"),
    ('camunda:calledElementBinding="version" camunda:calledElementVersion="${v}"',
     "needs a number"),
    ('camunda:calledElementBinding="versionTag"', "needs camunda:calledElementVersionTag"),
    ('camunda:calledElementBinding="newest"', "is not one of"),
])
def test_bad_bindings_are_refused_naming_the_call_activity(uow_factory, attrs, reason):
    with pytest.raises(ProcessDefinitionError) as refused:
        deploy(uow_factory, {"call_parent.bpmn": parent(attrs)})
    assert "'Call_Child'" in refused.value.message and reason in refused.value.message
