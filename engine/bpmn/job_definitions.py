"""The timers of a process diagram: what Camunda calls its job definitions.

Read from the deployed XML (the process and its subprocesses; a called process has its
own definition): each intermediate timer, boundary timer and timer start event is one.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_TYPES = {"intermediateCatchEvent": "timer-intermediate-transition",
          "boundaryEvent": "timer-transition", "startEvent": "timer-start-event"}
_KINDS = {"timeDate": "DATE", "timeDuration": "DURATION", "timeCycle": "CYCLE"}


@dataclass(frozen=True)
class TimerDefinition:
    element_id: str
    job_type: str
    configuration: str  # Camunda's form: "DURATION: PT10M"


def timer_definitions(source_xml: str, process_key: str) -> list[TimerDefinition]:
    """The timers of process `process_key` in a BPMN file, in document order."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(source_xml.encode(), parser)
    found = []
    for process in root.iter(f"{{{BPMN}}}process"):
        if process.get("id") != process_key:
            continue
        for timer in process.iter(f"{{{BPMN}}}timerEventDefinition"):
            owner = timer.getparent()
            kind = etree.QName(owner).localname if owner is not None else ""
            if kind not in _TYPES or not owner.get("id"):
                continue
            config = ""
            for child in timer:
                name = etree.QName(child).localname
                if name in _KINDS:
                    config = f"{_KINDS[name]}: {(child.text or '').strip()}"
            found.append(TimerDefinition(str(owner.get("id")), _TYPES[kind], config))
    return found
