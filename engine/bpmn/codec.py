"""Serialization of specs (once per definition) and instance state (without the spec)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter, EventConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import WorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers.spec import EventDefinitionConverter
from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.bpmn.specs import data_spec, defaults
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.specs.event_definitions import timer
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG

from engine.bpmn import (
    call_mappings,
    compensation,
    cron_cycles,
    data_objects,
    pass_through,
    receive_wait,
)
from engine.bpmn.activity_log import OPEN, seed, start_recording
from engine.bpmn.compensation import CompensateEndEvent, CompensateThrowEvent
from engine.bpmn.dmn import DmnBusinessRuleTask
from engine.bpmn.event_subprocess_starts import prepare_triggers, use_scoped_events
from engine.bpmn.prune import PENDING
from engine.bpmn.scripting import make_script_engine

_CONFIG = dict(CAMUNDA_CONFIG)
_CONFIG[ServiceTask] = BpmnTaskSpecConverter  # Spiff's default config forgets service tasks
_CONFIG[DmnBusinessRuleTask] = BpmnTaskSpecConverter  # its decision table is in extensions
_CONFIG[CompensateThrowEvent] = EventConverter  # what it compensates is in extensions
_CONFIG[CompensateEndEvent] = EventConverter
for _manual, _passing in ((defaults.NoneTask, pass_through.NoneTask),
                          (defaults.ManualTask, pass_through.ManualTask)):
    _CONFIG[_passing] = _CONFIG.pop(_manual)  # same typename: stored specs restore passing
_CONFIG[data_objects.DataObject] = _CONFIG.pop(data_spec.DataObject)  # the same, lenient
# Parsed cycles are SpiffWorkflow's class; registered after it under the same typename,
# every cycle restores (and so runs) as the one that also reads a Quartz cron.
_CONFIG[cron_cycles.CycleTimerEventDefinition] = _CONFIG[timer.CycleTimerEventDefinition]
# The same for call activities (and the subprocesses stored under their typename): each
# restores as the one that passes variables by its camunda:in / camunda:out.
_CONFIG[call_mappings.CallActivity] = _CONFIG[defaults.CallActivity]
# A receive task without a message waits to be signalled (engine.bpmn.receive_wait).
_CONFIG[receive_wait.TriggerEventDefinition] = EventDefinitionConverter
_REGISTRY = BpmnWorkflowSerializer.configure(_CONFIG)
SERIALIZER = BpmnWorkflowSerializer(_REGISTRY)
SERIALIZER_VERSION: str = SERIALIZER.VERSION
_ENCODER = SERIALIZER._encoder_cls
_SCRIPT_ENGINE = make_script_engine()
PENDING_KEY = "vocflow_pruned"  # activities pruned from the tree, not yet in the table
LEDGER_KEY = "vocflow_compensation"  # completed compensable work (engine.bpmn.compensation)
OPEN_KEY = "vocflow_open_runs"  # activity instances the history has open (activity_log)


def _workflow_converter() -> Any:
    # The registry keeps partial(_obj_to_dict, typename, converter.to_dict); we need the
    # converter itself to reuse its pieces without converting the spec every step.
    typename = _REGISTRY.typenames[BpmnWorkflow]
    return _REGISTRY.convert_to_dict[typename].args[1].__self__


_WF_CONVERTER = _workflow_converter()


def dump_spec(spec: BpmnProcessSpec) -> dict[str, Any]:
    """A process spec as a JSON-ready dict (stored once per definition)."""
    _REGISTRY._encoder_mode = True
    try:
        result: dict[str, Any] = json.loads(json.dumps(_REGISTRY.convert(spec), cls=_ENCODER))
    finally:
        _REGISTRY._encoder_mode = False
    return result


def load_spec(dct: dict[str, Any]) -> BpmnProcessSpec:
    spec: BpmnProcessSpec = _REGISTRY.restore(json.loads(json.dumps(dct)))
    compensation.arm(spec)  # completions of compensable work go to the ledger
    prepare_triggers(spec)
    return spec


def dump_state(workflow: BpmnWorkflow) -> str:
    """Instance state as JSON: tasks, data, subprocesses and events, but not the specs."""
    _REGISTRY._encoder_mode = True
    try:
        dct = WorkflowConverter.to_dict(_WF_CONVERTER, workflow)
        dct["subprocesses"] = _WF_CONVERTER.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = _REGISTRY.convert(workflow.bpmn_events)
        dct[SERIALIZER.VERSION_KEY] = SERIALIZER_VERSION
        if records := workflow.__dict__.get(PENDING):
            dct[PENDING_KEY] = records
        if book := compensation.stored_ledger(workflow):
            dct[LEDGER_KEY] = book
        if (runs := workflow.__dict__.get(OPEN)) is not None:
            dct[OPEN_KEY] = runs
        return json.dumps(dct, cls=_ENCODER)
    finally:
        _REGISTRY._encoder_mode = False


def load_state(
    state: str, spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]
) -> BpmnWorkflow:
    """Rebuild a workflow from stored state and the (cached, shared) specs of its definition."""
    dct = json.loads(state, cls=SERIALIZER.json_decoder_cls)
    version = dct.pop(SERIALIZER.VERSION_KEY)
    records = dct.pop(PENDING_KEY, None)
    book = dct.pop(LEDGER_KEY, None)
    runs = dct.pop(OPEN_KEY, None)
    if version != SERIALIZER_VERSION and version in MIGRATIONS:
        MIGRATIONS[version](dct)
    workflow = BpmnWorkflow(spec, subprocess_specs, deserializing=True)
    use_scoped_events(workflow)
    workflow.tasks = _WF_CONVERTER.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
    workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
    _WF_CONVERTER.set_default_attributes(workflow, dct)
    _WF_CONVERTER.subprocesses_from_dict(dct["subprocesses"], workflow)
    workflow.bpmn_events = _REGISTRY.restore(dct.pop("bpmn_events", []))
    workflow.script_engine = _SCRIPT_ENGINE
    if records:
        workflow.__dict__[PENDING] = records
    compensation.restore_ledger(workflow, book)
    if runs is not None:
        workflow.__dict__[OPEN] = runs
    else:
        seed(workflow)  # stored before activity history: what it holds, as it is now
    return workflow


def new_workflow(
    spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]
) -> BpmnWorkflow:
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=_SCRIPT_ENGINE)
    use_scoped_events(workflow)
    start_recording(workflow)
    return workflow
