"""Which activity instances a save starts or ends: the rows of Camunda's activity history.

Each SpiffWorkflow task of a BPMN element is one activity instance. The workflow keeps,
stored with it, the runs the history has open (task id -> what their end row needs), and a
task whose end the history has gets an ENDED mark in its internal_data. A save therefore
finds what changed from the tasks alone, with no query: an active task not open started, a
finished task not marked ended (started too if it was not open: it ran within the step),
an open run whose task left the tree (a token moved away) was canceled.

A workflow saved before activity history existed has no open map: when it is loaded, the
tasks it holds are taken as they are (start of an active task, end of a finished one: the
time of its last state change; the start of a finished one is not known and stays empty),
and its next save writes them with what the step changed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.activity_tree import DEEP, activity_type, element_of, scope_task
from engine.bpmn.event_subprocesses import armed_only
from engine.bpmn.juel_scripts import placed_for

MARK = "vocflow_ended"  # in task.internal_data once the history has the task's end
SEEDED = "_vocflow_seeded_runs"  # workflow.__dict__: runs found when an old state loaded
OPEN = "_vocflow_open_runs"  # workflow.__dict__: task id -> [element, name, type, parent,
# user task, start ms]; stored by the codec, absent in workflows saved before history
_ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
_ENDED = TaskState.COMPLETED | TaskState.CANCELLED
# Not an activity instance while it waits (Camunda has none): only once it fires or passes.
_ON_COMPLETION = ("BoundaryEvent", "ParallelGateway", "InclusiveGateway", "ExclusiveGateway",
                  "EventBasedGateway")
_END_KINDS = {"Error": "errorEndEvent", "Terminate": "terminateEndEvent",
              "Message": "messageEndEvent", "Signal": "signalEndEvent",
              "Escalation": "escalationEndEvent", "Cancel": "cancelEndEvent",
              "Compensat": "compensationEndEvent"}
_START_KINDS = {"Message": "messageStartEvent", "Signal": "signalStartEvent",
                "Timer": "startTimerEvent", "TimeDate": "startTimerEvent",
                "Duration": "startTimerEvent", "Cycle": "startTimerEvent",
                "Error": "errorStartEvent", "Escalation": "escalationStartEvent",
                "Conditional": "conditionalStartEvent"}
_BOUNDARY_KINDS = {"Message": "boundaryMessage", "Signal": "boundarySignal",
                   "Timer": "boundaryTimer", "TimeDate": "boundaryTimer",
                   "Duration": "boundaryTimer", "Cycle": "boundaryTimer",
                   "Error": "boundaryError", "Escalation": "boundaryEscalation",
                   "Conditional": "boundaryConditional", "Cancel": "cancelBoundaryCatch",
                   "Compensat": "compensationBoundaryCatch"}
_THROW_KINDS = {"Message": "intermediateMessageThrowEvent", "Signal": "intermediateSignalThrow",
                "Escalation": "intermediateEscalationThrowEvent",
                "Compensat": "intermediateCompensationThrowEvent"}


@dataclass(frozen=True)
class ActivityRun:
    """One activity instance as this save leaves it (ended_at None: still running)."""

    task_id: str
    element_id: str
    name: str | None
    type: str
    parent: str | None  # the enclosing scope (subprocess, multi-instance body); None: top
    user_task: bool
    started_at: datetime | None
    ended_at: datetime | None
    canceled: bool
    complete_scope: bool
    occurrence: int  # orders runs that started at the same millisecond (tree order)


def history_type(spec: Any) -> str:
    """Camunda's activityType, events told apart by their event definition."""
    name = type(spec).__name__
    table = {"EndEvent": _END_KINDS, "StartEvent": _START_KINDS,
             "BoundaryEvent": _BOUNDARY_KINDS, "IntermediateThrowEvent": _THROW_KINDS}.get(name)
    if table is None:
        return activity_type(spec)
    kind = type(getattr(spec, "event_definition", None)).__name__
    for prefix, camunda in table.items():
        if kind.startswith(prefix):
            return camunda
    return {"BoundaryEvent": "boundaryEvent",
            "IntermediateThrowEvent": "intermediateNoneThrowEvent"}.get(name, activity_type(spec))


def start_recording(workflow: BpmnWorkflow) -> None:
    """A new workflow: every activity it runs is recorded from its start."""
    workflow.__dict__[OPEN] = {}


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _at(ms: int | None) -> datetime | None:
    return datetime.fromtimestamp(ms / 1000, UTC) if ms is not None else None


def _parent(task: Task) -> str | None:
    parent = scope_task(task)
    if parent is None or parent.task_spec.bpmn_id is None:
        return None
    return f"{element_of(parent.task_spec)}:{parent.id}"


def _waits_silently(task: Task) -> bool:
    if type(task.task_spec).__name__ in _ON_COMPLETION or armed_only(task):
        return True  # an event subprocess starts when its event comes, not when armed
    parent = task.parent
    return parent is not None and type(parent.task_spec).__name__ == "EventBasedGateway"


def _describe(task: Task) -> list[Any]:
    spec = task.task_spec
    kind = history_type(spec)
    return [element_of(spec), spec.bpmn_name, kind, _parent(task),
            bool(spec.manual and kind == "userTask"), None]


def _run(task_id: str, about: list[Any], started: int | None, ended: int | None,
         occurrence: int, canceled: bool = False, complete_scope: bool = False
         ) -> ActivityRun:
    element_id, name, kind, parent, user_task, _start = about
    return ActivityRun(task_id=task_id, element_id=element_id, name=name, type=kind,
                       parent=parent, user_task=user_task, started_at=_at(started),
                       ended_at=_at(ended), canceled=canceled, complete_scope=complete_scope,
                       occurrence=occurrence)


class _Save:
    """One save's look at the tasks: the open map it updates and the runs it reports."""

    def __init__(self, workflow: BpmnWorkflow, now_ms: int, fresh: bool = False) -> None:
        self.fresh = fresh
        self.open: dict[str, list[Any]] = workflow.__dict__.setdefault(OPEN, {})
        self.now = now_ms
        self.seen: set[str] = set()
        self.runs: list[ActivityRun] = []

    @property
    def occurrence(self) -> int:
        """The save's time, then the walk's order (a task after the one it follows)."""
        return self.now * 1000 + len(self.runs)

    def observe(self, task: Task) -> None:
        spec = task.task_spec
        if spec.bpmn_id is None or MARK in task.internal_data or placed_for(spec):
            return  # a placed mapping or listener script is part of its element (Camunda)
        state, key = task.state, str(task.id)
        if state & _ACTIVE:
            self.seen.add(key)
            if key not in self.open and not _waits_silently(task):
                about = _describe(task)
                about[5] = int(task.last_state_change * 1000) if self.fresh else self.now
                self.open[key] = about
                self.runs.append(_run(key, about, about[5], None, self.occurrence))
        elif state & _ENDED:
            self._ended(task, key)

    def _ended(self, task: Task, key: str) -> None:
        about = self.open.pop(key, None)
        canceled = task.state == TaskState.CANCELLED
        if about is None and canceled:
            return  # never reached (predicted, then cut off) or a silent wait that ended
        task.internal_data[MARK] = True
        if about is None:
            about = _describe(task)
            if self.fresh:  # ended before activity history: its start is not known
                self.runs.append(_run(key, about, None, int(task.last_state_change * 1000),
                                      self.occurrence))
                return
            about[5] = self.now
        complete = (not canceled and about[2].endswith("EndEvent")
                    and bool(task.workflow.is_completed()))
        self.runs.append(_run(key, about, about[5], self.now, self.occurrence, canceled,
                                  complete))

    def vanished(self) -> None:
        """Open runs whose task is gone from the tree without ending: canceled now."""
        for key in [k for k in self.open if k not in self.seen]:
            about = self.open.pop(key)
            self.runs.append(_run(key, about, about[5], self.now, self.occurrence,
                                  canceled=True))


def seed(workflow: BpmnWorkflow) -> None:
    """A workflow stored before activity history, as it was loaded (before any change):
    its active tasks are open runs since their last state change, its finished ones runs
    that ended then (start unknown). The runs wait for the next save to write them."""
    if OPEN in workflow.__dict__:
        return
    first = _Save(workflow, int(time.time() * 1000), fresh=True)
    for task in workflow.get_tasks(max_depth=DEEP):
        first.observe(task)
    workflow.__dict__[SEEDED] = first.runs


def changed_runs(workflow: BpmnWorkflow, tasks: list[Task], dropped: list[Task],
                 now: datetime) -> list[ActivityRun]:
    """Runs this save starts or ends: of the tasks held (`tasks`, one walk of the tree) and
    of those pruned since the last save (`dropped`: ended, perhaps not yet recorded).

    One run per activity instance: the latest word on each (a run seeded at load and ended
    by this step is its end)."""
    seed(workflow)  # not loaded from a stored state: a workflow built some other way
    save = _Save(workflow, _ms(now))
    for task in dropped:
        save.observe(task)
    for task in tasks:
        save.observe(task)
    save.vanished()
    latest = {run.task_id: run for run in (*workflow.__dict__.pop(SEEDED, []), *save.runs)}
    return list(latest.values())
