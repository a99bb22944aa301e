"""camunda:list and camunda:map parameters (nested, keys and values expressions or text)
and camunda:script parameters (JavaScript, Python: the script's last value), as inputs and
outputs of an element without its own mapping and of a user task; a user task's output
parameters are set as it completes, or refuse the completion naming it."""

from __future__ import annotations

import pytest

from engine import service
from engine.errors import ValidationFailed
from engine.service import SYSTEM_ACTOR
from tests.factories import NOW, deploy_fixture, open_tasks, show, start

KEY = "compat_io_structures"


def _started(uow_factory):
    deploy_fixture(uow_factory, f"{KEY}.bpmn")
    return start(uow_factory, KEY, unitName="示范校", yearKey="y2026", year=2026)


def test_list_and_map_inputs_and_outputs_around_a_task(uow_factory):
    instance = _started(uow_factory)
    values = show(uow_factory, instance.id).variables
    assert values["materials"] == {"files": ["申报书", "示范校的建设方案"], "y2026": 2026,
                                   "empty": None}
    assert values["copies"] == [2027, "备案"]  # output, after the task
    assert values["doubleYear"] == 4052  # a JavaScript input, its last value
    [task] = open_tasks(uow_factory, instance.id)
    assert task.element_id == "Task_Review"
    checklist = show(uow_factory, instance.id).variables["checklist"]
    assert checklist == ["申报书", "核对年份 2026"]  # the user task's input
    assert show(uow_factory, instance.id).variables["reviewTitle"] == "示范校（复核）"


def test_a_user_tasks_outputs_read_what_it_completes_with(uow_factory):
    instance = _started(uow_factory)
    [task] = open_tasks(uow_factory, instance.id)
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {"score": 75}, SYSTEM_ACTOR, NOW)
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert detail.variables["verdict"] == {"passed": True, "score": 75}
    assert detail.variables["reviewed"] == "是" and detail.variables["grade"] == "合格"


def test_an_output_that_cannot_be_evaluated_refuses_the_completion(uow_factory):
    instance = _started(uow_factory)
    [task] = open_tasks(uow_factory, instance.id)
    with pytest.raises(ValidationFailed, match="output parameters of Task_Review") as caught:
        with uow_factory() as uow:
            service.complete_task(uow, task.id, {}, SYSTEM_ACTOR, NOW)
    assert "score" in str(caught.value)
    [again] = open_tasks(uow_factory, instance.id)  # nothing lost: the task is still open
    assert again.id == task.id


@pytest.mark.parametrize(("good", "bad", "element"), [
    ("${unitName}的建设方案", "${unitName +}的建设方案", "Task_Prepare"),
    ("${score &gt;= 60}", "${score &gt;=}", "Task_Review"),
])
def test_a_bad_expression_in_a_list_or_map_is_refused_at_deploy(good, bad, element):
    from engine import bpmn
    from tests.factories import FIXTURES

    xml = (FIXTURES / f"{KEY}.bpmn").read_text().replace(good, bad)
    with pytest.raises(bpmn.DeploymentRefused) as refused:
        bpmn.parse_deployment({f"{KEY}.bpmn": xml.encode()}, {}, set())
    [problem] = refused.value.problems
    assert problem.element_id == element and problem.line is not None
    assert bad.replace("&gt;", ">") in problem.message


def test_a_script_parameter_is_checked_at_deploy_like_a_script_task():
    from engine import bpmn
    from tests.factories import FIXTURES

    xml = (FIXTURES / f"{KEY}.bpmn").read_text().replace(
        'unitName + "（复核）"', "import os").replace(
        'scriptFormat="javascript">var twice', 'scriptFormat="groovy">var twice')
    with pytest.raises(bpmn.DeploymentRefused) as refused:
        bpmn.parse_deployment({f"{KEY}.bpmn": xml.encode()}, {}, set())
    found = {(p.element_id, "groovy is not supported" in p.message, "import" in p.message)
             for p in refused.value.problems}
    assert found == {("Task_Prepare", True, False), ("Task_Review", False, True)}


def test_a_failing_input_script_is_an_incident_at_the_user_task(uow_factory, tmp_path):
    from tests.factories import FIXTURES, deploy_files

    xml = (FIXTURES / f"{KEY}.bpmn").read_text().replace(
        'unitName + "（复核）"', 'unitName + missing')
    path = tmp_path / "io_failing_input.bpmn"
    path.write_text(xml.replace(KEY, "io_failing_input"), encoding="utf-8")
    deploy_files(uow_factory, path)
    instance = start(uow_factory, "io_failing_input", unitName="示范校", yearKey="y",
                     year=2026)
    [incident] = show(uow_factory, instance.id).incidents
    assert incident.element_id == "Task_Review" and "missing" in incident.message
