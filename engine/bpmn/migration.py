"""Move a running BpmnWorkflow onto another version of its spec (Spiff's diff + migrate)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.diff import SpecDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.codec import _REGISTRY
from engine.bpmn.workflow import DEEP

ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
# Reset and re-predict these after the switch (what spiff-arena does); their ids are kept.
RESET_MASK = TaskState.READY | TaskState.WAITING | TaskState.STARTED
# Changes to these keys only move the arrows around a task: the reset re-predicts them.
STRUCTURAL = frozenset({"inputs", "outputs"})


@dataclass
class MigrationPlan:
    """What maps between the versions, what does not, and what blocks the migration."""

    mapped: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    blocking: list[dict[str, Any]] = field(default_factory=list)
    kept_tasks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.blocking


def _ids(spec: Any) -> set[str]:
    return {ts.bpmn_id for ts in spec.task_specs.values() if ts.bpmn_id is not None}


def _all_ids(spec: Any, subprocess_specs: dict[str, Any]) -> set[str]:
    result = _ids(spec)
    for sub in subprocess_specs.values():
        result |= _ids(sub)
    return result


def element_ids(spec: Any, subprocess_specs: dict[str, Any]) -> set[str]:
    """The BPMN ids of a version's flow nodes (its subprocesses' too): what maps by id."""
    return _all_ids(spec, subprocess_specs)


def _describe(task: Task, reason: str) -> dict[str, Any]:
    spec = task.task_spec
    return {"task_id": str(task.id), "element_id": spec.bpmn_id or spec.name,
            "state": TaskState.get_name(task.state), "reason": reason}


def _check_diff(diff: Any, spec_changes: dict[Any, list[str]], plan: MigrationPlan) -> None:
    """Active tokens on removed or (non-structurally) changed activities block migration."""
    for task in diff.changed:
        if task.has_state(ACTIVE):
            attrs = sorted(set(spec_changes.get(task.task_spec, [])) - STRUCTURAL)
            target = diff.alignment.get(task)
            if target is not None and target.bpmn_id != task.task_spec.bpmn_id:
                plan.blocking.append(_describe(
                    task, f"activity removed in the target version (Spiff would align it "
                    f"with {target.bpmn_id}; element ids must stay stable)"))
            elif attrs:
                plan.blocking.append(_describe(
                    task, "activity changed in the target version: " + ", ".join(attrs)))
    for task in diff.removed:
        if task.has_state(ACTIVE) and task.task_spec.bpmn_id:
            plan.blocking.append(_describe(task, "activity removed in the target version"))


def plan_and_migrate(
    workflow: BpmnWorkflow, new_spec: Any, new_subs: dict[str, Any]
) -> MigrationPlan:
    """Diff the workflow against the new specs and, when nothing blocks, switch it over.

    The caller decides whether to keep the result (save) or drop it (dry run). Tasks keep
    their ids: Spiff resets ready/waiting tasks in place and re-predicts what follows.
    """
    old_ids = _all_ids(workflow.spec, workflow.subprocess_specs)
    new_ids = _all_ids(new_spec, new_subs)
    plan = MigrationPlan(mapped=sorted(old_ids & new_ids), added=sorted(new_ids - old_ids),
                         removed=sorted(old_ids - new_ids))
    top, subs = diff_workflow(_REGISTRY, workflow, new_spec, new_subs)
    _record_changes(workflow, new_spec, new_subs, plan, top, subs)
    if not plan.ok:
        return plan
    migrate_workflow(top, workflow, new_spec, reset_mask=RESET_MASK)
    for sp_id, sp_diff in subs.items():
        sub = workflow.subprocesses[sp_id]
        migrate_workflow(sp_diff, sub, new_subs[sub.spec.name], reset_mask=RESET_MASK)
    workflow.subprocess_specs = new_subs
    _check_orphans(workflow, plan)
    plan.kept_tasks = [
        {"task_id": str(t.id), "element_id": t.task_spec.bpmn_id,
         "state": TaskState.get_name(t.state)}
        for t in workflow.get_tasks(state=ACTIVE, max_depth=DEEP) if t.task_spec.bpmn_id
    ]
    return plan


def _record_changes(workflow: BpmnWorkflow, new_spec: Any, new_subs: dict[str, Any],
                    plan: MigrationPlan, top: Any, subs: dict[Any, Any]) -> None:
    pairs: list[tuple[Any, Any, Any]] = [(workflow, new_spec, top)]
    for sp_id, sp_diff in subs.items():
        sub = workflow.subprocesses[sp_id]
        if sp_diff is None:
            for task in sub.get_tasks(state=ACTIVE, max_depth=DEEP):
                plan.blocking.append(_describe(
                    task, f"subprocess {sub.spec.name} is not part of the target version"))
            continue
        pairs.append((sub, new_subs[sub.spec.name], sp_diff))
    for wf, spec, wf_diff in pairs:
        spec_diff = SpecDiff(_REGISTRY, wf.spec, spec)
        for old_spec, attrs in spec_diff.changed.items():
            if old_spec.bpmn_id is not None:
                plan.changed[old_spec.bpmn_id] = sorted(attrs)
        _check_diff(wf_diff, spec_diff.changed, plan)


def _check_orphans(workflow: BpmnWorkflow, plan: MigrationPlan) -> None:
    """A task left pointing at a spec the target lacks could never be loaded again."""
    for wf in [workflow, *workflow.subprocesses.values()]:
        for task in wf.tasks.values():
            if wf.spec.task_specs.get(task.task_spec.name) is not task.task_spec:
                reason = ("a completed activity was removed in the target version"
                          if task.has_state(TaskState.FINISHED_MASK)
                          else "activity has no counterpart in the target version")
                plan.blocking.append(_describe(task, reason))
