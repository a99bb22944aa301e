"""A process variable deleted while the instance waits at a catch event stays deleted when
the event comes: SpiffWorkflow has the waiting token inherit its parent's data each time it
is looked at, so the delete removes it there too."""

from __future__ import annotations

from engine import bpmn, service
from engine.service import Actor
from engine.service.rest_runtime import delete_variables
from engine.service.runtime import load_workflow
from tests.factories import NOW, deploy_fixture, start

OPS = Actor("ops_member", frozenset({"ops"}))


def test_a_deleted_variable_is_not_brought_back_by_the_catch_event(uow_factory):
    deploy_fixture(uow_factory, "msg_wait.bpmn")
    instance = start(uow_factory, "msg_wait", note="x", kept="y")
    with uow_factory() as uow:
        assert delete_variables(uow, instance.id, ["note"], actor=OPS, now=NOW) == ["note"]
    with uow_factory() as uow:
        service.correlate_message(uow, "reply_received", OPS, NOW,
                                  process_instance_id=instance.id,
                                  variables={"answer": "yes"})
    with uow_factory() as uow:
        row = uow.instances.get(instance.id)
        assert row is not None and row.status == "completed"
        values = bpmn.variables(load_workflow(uow, row))
    assert values["kept"] == "y" and values["answer"] == "yes"
    assert "note" not in values
