"""Pruning: an instance pruned (and restored) at every state behaves as one never pruned:
the product diagrams, the test fixtures and the practice corpus (../shared, when present);
same tasks, same data, same history (what was pruned plus what is left = the whole tree)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from engine import bpmn
from engine.bpmn.prune import prunable
from tests.compat.conftest import CORPUS, corpus_entries
from tests.factories import FIXTURES, PROCESSES

START = {"province_code": "11", "unit_id": "u1", "max_revision_rounds": 2, "counter": 0,
         "amount": 50, "urgent": False, "done": False, "missing": False, "weight": 2,
         "period_start_year": 2026, "period_end_year": 2030, "year": 2026,
         "review_due": "2026-12-01T00:00:00+00:00"}
DECISIONS = ("return", "approve", "reject", "approve", "confirm", "return", "confirm")
STEPS = 80
# A cron start timer is fired by the engine's start-timer job, not by SpiffWorkflow.
CRON_STARTS = {"start_cron.bpmn"}
# Unpruned, these loops sink below SpiffWorkflow's iteration depth and stalls (the reason
# pruning runs inside advance()); test_a_loop_past_the_iteration_depth covers it.
SKIPPED = {*CRON_STARTS, "long_loop.bpmn", "script_pingpong_gw.bpmn"}


def _parsed(files: dict[str, bytes]) -> dict[str, tuple[Any, dict[str, Any]]]:
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


def _cases() -> list[tuple[str, str, tuple[str, ...]]]:
    product = tuple(sorted(p.name for p in [*PROCESSES.glob("*.bpmn"), *PROCESSES.glob("*.dmn")]))
    cases = [("processes", key, product) for key in _keys(PROCESSES, product)]
    groups = {"call_parent.bpmn": ("call_parent.bpmn", "call_child.bpmn"),
              "rule_score.bpmn": ("rule_score.bpmn", "score_band.dmn")}
    for path in sorted(FIXTURES.glob("*.bpmn")):
        if path.name in SKIPPED:
            continue
        names = groups.get(path.name, (path.name,))
        cases += [("fixtures", key, names) for key in _keys(FIXTURES, names)]
    for local in corpus_entries():
        cases += [("corpus", key, (local,)) for key in _keys(CORPUS, (local,))]
    return cases


def _keys(folder: Any, names: tuple[str, ...]) -> list[str]:
    try:
        return sorted(_parsed(_files(folder, names)))
    except bpmn.DeploymentRefused:
        return []


def _files(folder: Any, names: tuple[str, ...]) -> dict[str, bytes]:
    return {n.rsplit("/", 1)[-1]: (folder / n).read_bytes() for n in names}


def _history(records: list[Any], workflow: Any) -> Counter[tuple[str, str, str]]:
    """Every activity with its state: the pruned ones and those still in the tree."""
    shown = [(a.element_id, a.type, a.state) for a in records]
    shown += [(a["element_id"], a["type"], a["state"]) for a in bpmn.activity_states(workflow)]
    return Counter(shown)


def _data(i: int) -> dict[str, Any]:
    return {"decision": DECISIONS[i % len(DECISIONS)], "approved": i % 2 == 0, "score": 70,
            "recommended": i % 3 != 1, "acknowledged": True, "done": i >= 5, "weighted": 1}


def _act(workflow: Any, i: int, prune: bool) -> str | None:
    """One step of a fixed policy; the same policy drives both copies."""
    if (errored := bpmn.errored_tasks(workflow)):
        task = min(errored, key=lambda t: t.task_spec.bpmn_id)
        bpmn.skip_task(workflow, str(task.id), {})
        return f"skip {task.task_spec.bpmn_id}"
    if (users := sorted(bpmn.ready_user_tasks(workflow), key=lambda v: v.element_id)):
        bpmn.complete_user_task(workflow, users[0].id, _data(i))
        return f"user {users[0].element_id}"
    if (external := sorted(bpmn.started_external_tasks(workflow), key=lambda v: v.element_id)):
        bpmn.complete_external_task(workflow, external[0].id, {"sent": True})
        return f"external {external[0].element_id}"
    if (timers := bpmn.waiting_timers(workflow)):
        due = min(t.due_at for t in timers)
        with time_machine.travel(due + timedelta(seconds=1), tick=False):
            bpmn.refresh_timers(workflow)
            bpmn.advance(workflow, prune=prune)
        return f"timer {due.isoformat()}"
    if (subscriptions := bpmn.waiting_subscriptions(workflow)):
        sub = min(subscriptions, key=lambda s: (s.kind, s.name))
        bpmn.deliver(workflow, sub.kind, sub.name, {"n": i})
        return f"{sub.kind} {sub.name}"
    return None


def _outcome(workflow: Any, i: int, prune: bool) -> str | None:
    """_act, or the error it raised (a corpus diagram may fail on our policy's data)."""
    try:
        return _act(workflow, i, prune)
    except Exception as exc:  # noqa: BLE001 - both copies must fail the same way
        return f"raised {type(exc).__name__}"


def _seen(workflow: Any) -> dict[str, Any]:
    """Everything the engine reads from a workflow, by element (task ids differ per copy)."""
    return {
        "ready": sorted((v.element_id, repr(sorted(v.data.items()))) for v in
                        bpmn.ready_user_tasks(workflow)),
        "external": sorted(v.element_id for v in bpmn.started_external_tasks(workflow)),
        "timers": sorted((t.element_id, t.due_at) for t in bpmn.waiting_timers(workflow)),
        "subscriptions": sorted((s.kind, s.name, s.element_id)
                                for s in bpmn.waiting_subscriptions(workflow)),
        "errored": sorted(t.task_spec.bpmn_id for t in bpmn.errored_tasks(workflow)),
        "variables": repr(sorted(bpmn.variables(workflow).items())),
        "completed": bpmn.is_completed(workflow), "stall": bpmn.stall_reason(workflow),
    }


def _restore(workflow: Any) -> Any:
    return bpmn.load_state(bpmn.dump_state(workflow), workflow.spec, workflow.subprocess_specs)


CASES = _cases()
BASES = {"processes": PROCESSES, "fixtures": FIXTURES, "corpus": CORPUS}


# Two policies (offsets into DECISIONS) for our diagrams, one for the corpus.
RUNS = [(*case, offset) for case in CASES
        for offset in ((0,) if case[0] == "corpus" else (0, 3))]


@pytest.mark.parametrize(("folder", "key", "names", "offset"), RUNS,
                         ids=lambda v: "+".join(v) if isinstance(v, tuple) else str(v))
def test_pruned_instance_behaves_as_never_pruned(folder, key, names, offset):
    spec, subprocesses = _parsed(_files(BASES[folder], names))[key]
    with time_machine.travel("2026-03-02T02:00:00+00:00", tick=False):
        whole = bpmn.new_workflow(spec, subprocesses)
        bpmn.set_start_variables(whole, dict(START))
        bpmn.advance(whole, prune=False)
    pruned = _restore(whole)
    records: list[Any] = []
    for i in range(offset, offset + STEPS):
        records += bpmn.prune(pruned)
        if i % 2 == 0:  # every other state: through the stored form, else kept in memory
            pruned = _restore(pruned)
        whole = _restore(whole)
        assert _seen(pruned) == _seen(whole), (key, i)
        assert _history(records, pruned) == _history([], whole), (key, i)
        with time_machine.travel("2026-03-02T02:00:00+00:00", tick=False):
            action = _outcome(whole, i, False)
            assert _outcome(pruned, i, True) == action, (key, i)
            if action is None or action.startswith("raised"):
                break
            bpmn.advance(whole, prune=False)
            bpmn.advance(pruned)
    records += bpmn.prune(pruned)
    assert _seen(pruned) == _seen(whole)
    assert _history(records, pruned) == _history([], whole)
    assert len(pruned.tasks) <= len(whole.tasks)
    if not prunable(spec):
        assert not records


def test_a_long_loop_keeps_a_small_tree():
    spec, subprocesses = _parsed({"loop_review.bpmn": (FIXTURES / "loop_review.bpmn")
                                  .read_bytes()})["loop_review"]
    workflow = bpmn.new_workflow(spec, subprocesses)
    bpmn.set_start_variables(workflow, {"done": False})
    bpmn.advance(workflow)
    sizes = []
    for _ in range(300):
        [view] = bpmn.ready_user_tasks(workflow)
        bpmn.complete_user_task(workflow, view.id, {"done": False})
        bpmn.advance(workflow)
        bpmn.prune(workflow)
        workflow = _restore(workflow)
        sizes.append(len(bpmn.dump_state(workflow)))
    assert sizes[-1] <= sizes[0] * 1.1 and len(workflow.tasks) < 15


def test_a_loop_past_the_iteration_depth_runs_on_when_pruned_while_it_runs():
    spec, subprocesses = _parsed({"long_loop.bpmn": (FIXTURES / "long_loop.bpmn")
                                  .read_bytes()})["long_loop"]
    stalled = bpmn.new_workflow(spec, subprocesses)
    assert bpmn.advance(stalled, prune=False) is None
    assert "iteration limit" in (bpmn.stall_reason(stalled) or "")
    workflow = bpmn.new_workflow(spec, subprocesses)
    assert bpmn.advance(workflow) is None
    assert bpmn.is_completed(workflow) and bpmn.variables(workflow)["counter"] == 1000
    assert len(workflow.tasks) < 2 * 200
    steps = [a for a in bpmn.prune(workflow) if a.element_id == "Script_Step"]
    assert len(steps) == 1000 - sum(1 for t in workflow.tasks.values()
                                    if t.task_spec.name == "Script_Step")
