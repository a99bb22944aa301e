"""bpmn.snapshot's one walk finds exactly what the separate get_tasks queries find."""

from __future__ import annotations

from typing import Any

import pytest

from engine import bpmn
from engine.bpmn.snapshot import snapshot
from tests.unit.test_runner import _roundtrip, _specs

CASES = [
    ("simple_review", ("review.bpmn",),
     {"province_code": "11", "review_due": "2026-12-15T23:59:00+08:00", "approved": True}),
    ("timer_boundary", ("timer_boundary.bpmn",), {"unit_id": "u1"}),
    ("timer_date", ("timer_date.bpmn",), {"fire_at": "2099-01-01T00:00:00+08:00"}),
    ("timer_duration", ("timer_duration.bpmn",), {}),
    ("external_score", ("external_score.bpmn",), {"base": 1}),
    ("msg_wait", ("msg_wait.bpmn",), {}),
    ("signal_wait", ("signal_wait.bpmn",), {}),
    ("call_parent", ("call_parent.bpmn", "call_child.bpmn"), {}),
    ("gateways", ("gateways.bpmn",), {"amount": 5, "urgent": True}),
    ("events_inner", ("events_inner.bpmn",), {}),
    ("subprocess_error", ("subprocess_error.bpmn",), {}),
    ("loop_review", ("loop_review.bpmn",), {"done": False}),
]


def assert_same_as_queries(workflow: Any) -> None:
    snap = snapshot(workflow)
    assert snap.user_tasks == bpmn.ready_user_tasks(workflow)
    assert snap.timers == bpmn.waiting_timers(workflow)
    assert snap.external_tasks == bpmn.started_external_tasks(workflow)
    assert snap.subscriptions == bpmn.waiting_subscriptions(workflow)
    assert snap.variables() == bpmn.variables(workflow)
    assert snap.is_completed() == bpmn.is_completed(workflow)
    assert snap.stall_reason() == bpmn.stall_reason(workflow)


@pytest.mark.parametrize(("key", "files", "variables"), CASES, ids=[c[0] for c in CASES])
def test_snapshot_matches_queries_at_every_step(key: str, files: tuple[str, ...],
                                                variables: dict[str, Any]) -> None:
    spec, subprocesses = _specs(*files)[key]
    workflow = bpmn.new_workflow(spec, subprocesses)
    bpmn.set_start_variables(workflow, variables)
    steps = 0
    while True:
        bpmn.advance(workflow)
        workflow = _roundtrip(workflow)
        assert_same_as_queries(workflow)
        views = bpmn.ready_user_tasks(workflow)
        if not views or steps == 4:
            break
        bpmn.complete_user_task(workflow, views[0].id, dict(variables))
        steps += 1
    assert steps or snapshot(workflow).timers or snapshot(workflow).subscriptions or (
        snapshot(workflow).external_tasks or bpmn.errored_tasks(workflow)
        or bpmn.is_completed(workflow))


def test_snapshot_reports_the_depth_trap_like_stall_reason() -> None:
    """Past SpiffWorkflow's 1000-task iteration limit the snapshot falls back to the query."""
    spec, subprocesses = _specs("loop_review.bpmn")["loop_review"]
    workflow = bpmn.new_workflow(spec, subprocesses)
    bpmn.set_start_variables(workflow, {"done": False})
    bpmn.advance(workflow)
    for _ in range(600):  # each round adds two tasks; the trap springs near 500
        views = bpmn.ready_user_tasks(workflow)
        if not views:
            break
        bpmn.complete_user_task(workflow, views[0].id, {"done": False})
        bpmn.advance(workflow, prune=False)  # the whole tree, as a kept-whole diagram has
    snap = snapshot(workflow)
    assert snap.visited > 1000
    assert snap.stall_reason() == bpmn.stall_reason(workflow)
    assert snap.stall_reason() is not None and "1000" in str(snap.stall_reason())
    assert snap.user_tasks == bpmn.ready_user_tasks(workflow)
