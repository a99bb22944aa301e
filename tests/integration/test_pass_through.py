"""bpmn:task and bpmn:manualTask pass the token through at once, as in Camunda 7."""

from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine import service
from engine.bpmn import codec
from engine.bpmn.parser import VocFlowParser
from engine.bpmn.scripting import make_script_engine
from engine.bpmn.workflow import complete_user_task
from engine.models import HistoricActivity, HistoricTask, HumanTask
from engine.service import SYSTEM_ACTOR, rest_runtime
from tests.factories import FIXTURES, NOW, deploy_fixture, make_user, open_tasks, show, start

PASSING = {"Task_Note": "task", "Task_Post": "manualTask"}


def test_task_and_manual_task_pass_through_to_the_user_task(uow_factory):
    deploy_fixture(uow_factory, "compat_pass_through.bpmn")
    instance = start(uow_factory, "compat_pass_through")
    [task] = open_tasks(uow_factory, instance.id)
    assert task.element_id == "Task_Check"
    variables = show(uow_factory, instance.id).variables
    assert (variables["noted"], variables["posted"]) == ("yes", True)  # mapping, listener ran
    with uow_factory() as uow:
        runs = {r.element_id: r for r in uow.session.scalars(select(HistoricActivity).where(
            HistoricActivity.instance_id == instance.id))}
        human = uow.session.scalars(select(HumanTask.element_id).where(
            HumanTask.instance_id == instance.id)).all()
        history = uow.session.scalars(select(HistoricTask.element_id).where(
            HistoricTask.instance_id == instance.id)).all()
        tree = rest_runtime.activity_instances(uow, instance.id, actor=SYSTEM_ACTOR)
    for element, kind in PASSING.items():
        run = runs[element]
        assert (run.type, run.started_at, run.ended_at, run.duration_ms) == (kind, NOW, NOW, 0)
        assert not run.canceled
    assert runs["Task_Check"].type == "userTask" and runs["Task_Check"].ended_at is None
    assert human == ["Task_Check"] and history == ["Task_Check"]
    assert [(n.element_id, n.type) for n in tree.children] == [("Task_Check", "userTask")]


def test_the_instance_completes_after_the_user_task(uow_factory):
    ops = make_user(uow_factory, "op3", "ops")
    deploy_fixture(uow_factory, "compat_pass_through.bpmn")
    instance = start(uow_factory, "compat_pass_through")
    [task] = open_tasks(uow_factory, instance.id)
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {}, ops, NOW)
    assert show(uow_factory, instance.id).instance.status == "completed"


def test_a_spec_stored_while_these_waited_restores_passing_through():
    parser = VocFlowParser()
    parser.add_bpmn_file(str(FIXTURES / "compat_pass_through.bpmn"))
    stored = codec.dump_spec(parser.get_spec("compat_pass_through"))
    for name in PASSING:
        assert stored["task_specs"][name]["manual"] is False
        stored["task_specs"][name]["manual"] = True  # as SpiffWorkflow's own classes saved it
    restored = codec.load_spec(stored)
    assert [restored.task_specs[n].manual for n in (*PASSING, "Task_Check")] == [
        False, False, True]


def test_a_task_left_waiting_at_one_of_them_before_can_still_be_completed():
    parser = VocFlowParser()
    parser.add_bpmn_file(str(FIXTURES / "compat_pass_through.bpmn"))
    workflow = BpmnWorkflow(parser.get_spec("compat_pass_through"),
                            script_engine=make_script_engine())
    note = workflow.spec.task_specs["Task_Note"]
    note.manual = True  # as SpiffWorkflow's own class had it when the instance got there
    workflow.do_engine_steps()
    [waiting] = workflow.get_tasks(state=TaskState.READY, manual=True)
    note.manual = False  # the instance loaded after the upgrade
    complete_user_task(workflow, str(waiting.id), {})
    workflow.do_engine_steps()
    [ready] = workflow.get_tasks(state=TaskState.READY)
    assert ready.task_spec.bpmn_id == "Task_Check"
