"""Deploying BPMN and DMN files: versions, duplicate filtering, and version binding."""

from __future__ import annotations

from pathlib import Path

from engine import service
from engine.service import SYSTEM_ACTOR, Actor
from tests.factories import FIXTURES, NOW, deploy_files, open_tasks, start

STAFF = Actor("staff_member", frozenset({"staff"}))


def _deploy(uow_factory, files: dict[str, bytes]) -> service.DeploymentResult:
    with uow_factory() as uow:
        return service.deploy(uow, files, SYSTEM_ACTOR, NOW)


def _bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _counts(uow_factory) -> tuple[int, int]:
    with uow_factory() as uow:
        return len(uow.definitions.list_deployments(10_000)), len(uow.definitions.list())


def test_single_bpmn_file_becomes_version_one(uow_factory):
    result = _deploy(uow_factory, {"review.bpmn": _bytes("review.bpmn")})
    [definition] = result.definitions
    assert (definition.key, definition.version, definition.kind) == ("simple_review", 1, "process")
    assert definition.deployment_id == result.deployment.id and not result.duplicate
    with uow_factory() as uow:
        assert uow.definitions.latest("simple_review").id == definition.id


def test_bpmn_and_dmn_together_and_several_files(uow_factory):
    names = ["score_band.dmn", "rule_score.bpmn", "gateways.bpmn", "call_child.bpmn",
             "call_parent.bpmn"]
    result = _deploy(uow_factory, {n: _bytes(n) for n in names})
    kinds = {(d.kind, d.key) for d in result.definitions}
    assert kinds == {("decision", "score_band"), ("process", "rule_score"),
                     ("process", "gateways"), ("process", "call_child"),
                     ("process", "call_parent")}
    assert {d.deployment_id for d in result.definitions} == {result.deployment.id}
    call_parent = next(d for d in result.definitions if d.key == "call_parent")
    assert call_parent.calls == ["call_child"]


def test_same_bytes_again_is_a_no_op_returning_existing_definitions(uow_factory):
    files = {"gateways.bpmn": _bytes("gateways.bpmn")}
    first = _deploy(uow_factory, files)
    before = _counts(uow_factory)
    again = _deploy(uow_factory, files)
    assert again.duplicate
    assert again.deployment.id == first.deployment.id
    assert [d.id for d in again.definitions] == [d.id for d in first.definitions]
    assert _counts(uow_factory) == before


def test_changed_bytes_make_next_version_and_running_instances_stay(uow_factory):
    [v1] = _deploy(uow_factory, {"loop_review.bpmn": _bytes("loop_review.bpmn")}).definitions
    old = start(uow_factory, "loop_review", done=False)
    changed = _bytes("loop_review.bpmn").replace("修改材料".encode(), "修改材料（新）".encode())
    [v2] = _deploy(uow_factory, {"loop_review.bpmn": changed}).definitions
    assert (v1.key, v1.version, v2.key, v2.version) == ("loop_review", 1, "loop_review", 2)
    new = start(uow_factory, "loop_review", done=False)
    assert (old.definition_id, new.definition_id) == (v1.id, v2.id)
    [old_task] = open_tasks(uow_factory, old.id)
    [new_task] = open_tasks(uow_factory, new.id)
    assert (old_task.name, new_task.name) == ("修改材料", "修改材料（新）")
    with uow_factory() as uow:
        service.complete_task(uow, old_task.id, {"done": False}, STAFF, NOW)
    [old_again] = open_tasks(uow_factory, old.id)
    assert old_again.name == "修改材料"


def _child_version(uow_factory, instance_id: str) -> int:
    [task] = open_tasks(uow_factory, instance_id)
    assert task.element_id == "Task_Child"
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {}, STAFF, NOW)
        return int(service.show_instance(uow, instance_id, SYSTEM_ACTOR).variables["child_version"])


def test_call_activity_is_bound_at_start_to_newest_called_version(uow_factory, tmp_path: Path):
    _deploy(uow_factory, {n: _bytes(n) for n in ("call_child.bpmn", "call_parent.bpmn")})
    early = start(uow_factory, "call_parent")
    child_v2 = tmp_path / "call_child.bpmn"
    child_v2.write_bytes(_bytes("call_child.bpmn").replace(b"child_version = 1",
                                                           b"child_version = 2"))
    [v2] = deploy_files(uow_factory, child_v2)
    assert v2.version == 2
    late = start(uow_factory, "call_parent")
    with uow_factory() as uow:
        assert uow.instances.get(late.id).bindings == {"call_child": v2.id}
        assert uow.instances.get(early.id).bindings["call_child"] != v2.id
    assert _child_version(uow_factory, early.id) == 1
    assert _child_version(uow_factory, late.id) == 2
