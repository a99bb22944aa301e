"""Prune a workflow's finished past: keep only the live part of each task tree (issue 12)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

_SHOWN = TaskState.DEFINITE_MASK | TaskState.FINISHED_MASK
_PRUNABLE = "_vocflow_prunable"
_STASH = "_vocflow_pruned"  # dropped activities not yet handed out by prune()
PENDING = "_vocflow_pending"  # handed out, kept in the stored state, not yet written
_DROPPED = "_vocflow_dropped"  # dropped BPMN tasks, for the activity history of this save


@dataclass(frozen=True)
class PrunedActivity:
    """A visible BPMN activity dropped from the tree, as activity_states() showed it."""

    task_id: str
    element_id: str
    name: str | None
    type: str
    state: str
    ended_at: datetime

    def as_record(self) -> dict[str, Any]:
        """JSON-ready, as kept in the stored state until written to activity_records."""
        return {"task_id": self.task_id, "element_id": self.element_id, "name": self.name,
                "type": self.type, "state": self.state, "ended_at": self.ended_at.isoformat()}


def pending(workflow: BpmnWorkflow) -> list[dict[str, Any]]:
    """Pruned activities kept with the workflow (and its stored state) not yet written out.

    Written in batches, so that a step does not pay an INSERT for the few tasks it drops.
    """
    records: list[dict[str, Any]] = workflow.__dict__.setdefault(PENDING, [])
    return records


def shown(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records shaped as activity_states() entries."""
    return [{k: r[k] for k in ("task_id", "element_id", "name", "type", "state")}
            for r in records]


def prunable(spec: Any) -> bool:
    """False if the process spec has a parallel or inclusive join that lies on a cycle."""
    cached = spec.__dict__.get(_PRUNABLE)
    if cached is None:
        cached = not any(isinstance(ts, UnstructuredJoin) and _on_cycle(ts)
                         for ts in spec.task_specs.values())
        setattr(spec, _PRUNABLE, cached)
    return bool(cached)


def _on_cycle(start: Any) -> bool:
    seen: set[str] = set()
    stack = list(start.outputs)
    while stack:
        spec = stack.pop()
        if spec is start:
            return True
        if spec.name not in seen:
            seen.add(spec.name)
            stack.extend(spec.outputs)
    return False


def prune(workflow: BpmnWorkflow) -> list[PrunedActivity]:
    """Drop what no live task needs, in the top workflow and its subprocesses.

    SpiffWorkflow keeps every task it ever created. What a live task still reads is below
    the nearest common ancestor of the live tasks (joins look at their siblings' parents,
    boundary events at their split, multi-instance children at their parent, a task
    inherits its parent's data), so the tree is cut one finished task above that ancestor:
    the new root keeps its full data (the serializer stores a root's data whole). Kept
    whole: a workflow whose spec has a parallel or inclusive join on a cycle (such a join
    counts finished copies from earlier rounds, so dropping them would change when it
    fires). Finished branches of a cycle timer stay too (they hang below the live timer).

    Returns the dropped visible activities, with those dropped by earlier runs (advance)
    that were not yet handed out.
    """
    return [*workflow.__dict__.pop(_STASH, []), *_shown(_prune(workflow, running=False))]


def prune_in_run(workflow: BpmnWorkflow) -> bool:
    """Prune in the middle of a run; keep what was dropped for the next prune(). Any?"""
    dropped = _prune(workflow, running=True)
    workflow.__dict__.setdefault(_STASH, []).extend(_shown(dropped))
    return bool(dropped)


def _prune(workflow: BpmnWorkflow, running: bool) -> list[Task]:
    dropped: list[Task] = []
    for sub in [workflow, *workflow.subprocesses.values()]:
        if prunable(sub.spec):
            dropped += _prune_tree(sub, running)
    dropped += _drop_orphans(workflow)
    manager = workflow.event_manager
    for task in dropped:
        manager.tasks.pop(task.id, None)
    workflow.__dict__.setdefault(_DROPPED, []).extend(
        task for task in dropped if task.task_spec.bpmn_id is not None)
    return dropped


def take_dropped(workflow: BpmnWorkflow) -> list[Task]:
    """The BPMN tasks pruned since the last call (in memory only: one unit of work)."""
    dropped: list[Task] = workflow.__dict__.pop(_DROPPED, [])
    return dropped


def _shown(dropped: list[Task]) -> list[PrunedActivity]:
    return [_activity(task) for task in dropped
            if task.task_spec.bpmn_id is not None and task.state & _SHOWN]


def _prune_tree(workflow: Any, running: bool) -> list[Task]:
    """Cut one tree. Outside a run, a READY automatic task means the run stalled at the
    iteration depth: the tree stays whole, so that the stall stays visible and reported."""
    tasks = workflow.tasks
    keep = [t for t in tasks.values() if t.state & TaskState.NOT_FINISHED_MASK]
    if not running and any(t.state == TaskState.READY and not t.task_spec.manual
                           for t in keep):
        return []
    if workflow.last_task is not None and workflow.last_task.id in tasks:
        keep.append(workflow.last_task)
    if not keep:
        return []
    top = _common_ancestor(keep)
    root = top.parent or top
    if root is workflow.task_tree:
        return []
    kept = {task.id for task in _subtree(root)}
    dropped = [task for task_id, task in tasks.items() if task_id not in kept]
    for task in dropped:
        del tasks[task.id]
    root._parent = None
    workflow.task_tree = root
    return dropped


def _common_ancestor(tasks: list[Task]) -> Task:
    path = _ancestors(tasks[0])  # tasks[0] first, the root last
    depth = {task.id: i for i, task in enumerate(path)}
    best = 0
    for task in tasks[1:]:
        node: Task | None = task
        while node is not None and node.id not in depth:
            node = node.parent
        if node is None:  # not in one tree: keep everything
            return path[-1]
        best = max(best, depth[node.id])
    return path[best]


def _ancestors(task: Task) -> list[Task]:
    path = []
    node: Task | None = task
    while node is not None:
        path.append(node)
        node = node.parent
    return path


def _subtree(root: Task) -> list[Task]:
    result, stack = [], [root]
    tasks = root.workflow.tasks
    while stack:
        task = stack.pop()
        result.append(task)
        stack.extend(tasks[c] for c in task._children if c in tasks)
    return result


def _drop_orphans(workflow: BpmnWorkflow) -> list[Task]:
    """Subprocesses whose calling task was pruned (finished call activities of the past)."""
    subs = workflow.subprocesses
    alive: set[Any] = set()
    owners = [workflow]
    while owners:
        owner = owners.pop()
        found = [task_id for task_id in subs if task_id not in alive and task_id in owner.tasks]
        alive.update(found)
        owners.extend(subs[task_id] for task_id in found)
    dropped: list[Task] = []
    for task_id in [t for t in subs if t not in alive]:
        dropped += list(subs.pop(task_id).tasks.values())
    return dropped


def _activity(task: Task) -> PrunedActivity:
    spec = task.task_spec
    return PrunedActivity(
        task_id=str(task.id), element_id=spec.bpmn_id, name=spec.bpmn_name,
        type=type(spec).__name__, state=TaskState.get_name(task.state),
        ended_at=datetime.fromtimestamp(task.last_state_change, UTC),
    )
