"""engine.bpmn on real SpiffWorkflow in memory: parse, advance, complete, persist, repair."""

from __future__ import annotations

from typing import Any

import pytest

from engine import bpmn
from engine.errors import InvalidState, NotFound
from tests.factories import FIXTURES


def _specs(*names: str) -> dict[str, tuple[Any, dict[str, Any]]]:
    files = {n: (FIXTURES / n).read_bytes() for n in names}
    parsed = bpmn.parse_deployment(files, {}, set())
    own = {p.key: (bpmn.load_spec(p.spec_json["spec"]),
                   {k: bpmn.load_spec(v) for k, v in p.spec_json["embedded"].items()})
           for p in parsed.processes}
    result = {}
    for key, (spec, embedded) in own.items():
        merged = dict(embedded)
        for other, (other_spec, other_embedded) in own.items():
            if other != key:
                merged[other] = other_spec
                merged.update(other_embedded)
        result[key] = (spec, merged)
    return result


def _start(key: str, *names: str, **variables: Any) -> Any:
    spec, subprocesses = _specs(*names)[key]
    workflow = bpmn.new_workflow(spec, subprocesses)
    bpmn.set_start_variables(workflow, variables)
    assert bpmn.advance(workflow) is None
    return workflow


def _roundtrip(workflow: Any) -> Any:
    """Persist and restore, as every unit of work does."""
    return bpmn.load_state(bpmn.dump_state(workflow), workflow.spec, workflow.subprocess_specs)


def test_user_task_view_carries_camunda_assignment_attributes():
    workflow = _start("simple_review", "review.bpmn", province_code="11", review_due="x")
    [view] = bpmn.ready_user_tasks(workflow)
    assert (view.element_id, view.name, view.form_key) == ("Task_Review", "省级审核",
                                                          "simple_review")
    assert view.extensions["candidateGroups"] == "province:${province_code}:reviewer"
    assert view.extensions["dueDate"] == "${review_due}" and view.extensions["priority"] == "60"


def test_complete_after_restore_runs_juel_condition_and_scripts():
    workflow = _roundtrip(_start("simple_review", "review.bpmn", province_code="11"))
    [view] = bpmn.ready_user_tasks(workflow)
    bpmn.complete_user_task(workflow, view.id, {"approved": True, "score": 75})
    assert bpmn.advance(workflow) is None
    workflow = _roundtrip(workflow)
    assert bpmn.is_completed(workflow) and bpmn.stall_reason(workflow) is None
    assert bpmn.variables(workflow)["result"] == "approved"
    assert bpmn.variables(workflow)["score_text"] == "75 points"


def test_state_does_not_embed_the_spec():
    workflow = _start("gateways", "gateways.bpmn", amount=1, urgent=False)
    state = bpmn.dump_state(workflow)
    assert '"spec"' not in state and bpmn.SERIALIZER_VERSION in state


def test_completing_unknown_or_finished_task_is_refused():
    workflow = _start("loop_review", "loop_review.bpmn", done=True)
    [view] = bpmn.ready_user_tasks(workflow)
    with pytest.raises(NotFound):
        bpmn.complete_user_task(workflow, "00000000-0000-0000-0000-000000000000", {})
    bpmn.complete_user_task(workflow, view.id, {})
    with pytest.raises(InvalidState):
        bpmn.complete_user_task(workflow, view.id, {})


def test_failing_script_is_a_failure_with_line_then_retry_and_skip():
    workflow = _start("form_review", "form_review.bpmn", province_code="11")
    [view] = bpmn.ready_user_tasks(workflow)
    bpmn.complete_user_task(workflow, view.id, {"score": 3})
    failure = bpmn.advance(workflow)
    assert failure is not None
    assert (failure.element_id, failure.line) == ("Script_Weight", 2)
    assert failure.error_line == "weighted = base / weight" and "weight" in failure.message
    workflow = _roundtrip(workflow)
    [errored] = bpmn.errored_tasks(workflow)
    assert bpmn.stall_reason(workflow) is None
    bpmn.update_active_data(workflow, {"weight": 3})
    bpmn.retry_task(workflow, str(errored.id))
    assert bpmn.advance(workflow) is None
    assert bpmn.variables(workflow)["weighted"] == 100
    [confirm] = bpmn.ready_user_tasks(workflow)
    assert confirm.element_id == "Task_Confirm"
    with pytest.raises(InvalidState):
        bpmn.retry_task(workflow, confirm.id)


def test_skip_failed_task_and_move_token_back():
    workflow = _start("form_review", "form_review.bpmn", province_code="11")
    [view] = bpmn.ready_user_tasks(workflow)
    bpmn.complete_user_task(workflow, view.id, {"score": 3})
    assert bpmn.advance(workflow) is not None
    [errored] = bpmn.errored_tasks(workflow)
    bpmn.skip_task(workflow, str(errored.id), {"weighted": 0})
    assert bpmn.advance(workflow) is None
    [confirm] = bpmn.ready_user_tasks(workflow)
    with pytest.raises(InvalidState):
        bpmn.move_token(workflow, confirm.id, "EndEvent_1")
    bpmn.move_token(workflow, confirm.id, "Task_Review")
    assert bpmn.advance(workflow) is None
    [again] = bpmn.ready_user_tasks(workflow)
    assert again.element_id == "Task_Review" and "score" not in again.data


def test_loop_keeps_going_past_a_hundred_rounds():
    workflow = _start("loop_review", "loop_review.bpmn", done=False)
    for _ in range(120):
        [view] = bpmn.ready_user_tasks(workflow)
        bpmn.complete_user_task(workflow, view.id, {"done": False})
        assert bpmn.advance(workflow) is None
    workflow = _roundtrip(workflow)
    [view] = bpmn.ready_user_tasks(workflow)
    bpmn.complete_user_task(workflow, view.id, {"done": True})
    assert bpmn.advance(workflow) is None
    assert bpmn.is_completed(workflow)


def test_message_and_signal_inside_one_workflow():
    workflow = _start("events_inner", "events_inner.bpmn")
    [view] = bpmn.ready_user_tasks(workflow)
    bpmn.complete_user_task(workflow, view.id, {})
    assert bpmn.advance(workflow) is None
    assert bpmn.is_completed(workflow)
    assert bpmn.variables(workflow)["got_ping"] and bpmn.variables(workflow)["got_go"]
