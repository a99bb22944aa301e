"""Raw SpiffWorkflow in memory: deserialize, complete the user task, run, serialize.

SpiffWorkflow's own BpmnWorkflowSerializer (Camunda config) and a plain CamundaParser spec: the
same diagram as the engine runs (its `${done}` condition unwrapped to Python), the same data.
Its JSON holds the spec, as SpiffWorkflow's serializer writes it (the engine keeps the spec
once per definition).
"""

from __future__ import annotations

import time
from typing import Any

from _step_cases import LOOP, Case, median_ms
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.util.task import TaskState


def raw_setup(case: Case, history: int) -> tuple[BpmnWorkflowSerializer, str]:
    parser = CamundaParser()
    # Raw SpiffWorkflow evaluates conditions as Python: the same diagram, condition unwrapped.
    xml = case.path.read_bytes().replace(b"${done}", b"done")
    parser.add_bpmn_xml(etree.fromstring(xml), filename=case.file)
    workflow = BpmnWorkflow(parser.get_spec(case.key))
    workflow.get_tasks(state=TaskState.READY)[0].data.update(case.variables)
    workflow.do_engine_steps()
    for _ in range(history):
        raw_complete(workflow)
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG))
    return serializer, serializer.serialize_json(workflow)


def raw_complete(workflow: BpmnWorkflow) -> None:
    task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
    task.data.update({"done": False})
    task.run()
    workflow.do_engine_steps()


def raw_step(serializer: BpmnWorkflowSerializer, state: str, script_engine: Any = None) -> str:
    workflow = serializer.deserialize_json(state)
    if script_engine is not None:
        workflow.script_engine = script_engine
    raw_complete(workflow)
    return str(serializer.serialize_json(workflow))


def bench_raw(history: int, reps: int) -> float:
    serializer, state = raw_setup(LOOP, history)
    samples = []
    for _ in range(reps):
        started = time.perf_counter()
        raw_step(serializer, state)
        samples.append(time.perf_counter() - started)
    return median_ms(samples)
