"""Facts read from a deployed process's XML: its call activities, start form, conditional,
message and signal start events."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from engine.bpmn.checks import B, C
from engine.bpmn.parser import safe_xml


@dataclass(frozen=True)
class StartForm:
    """camunda:formKey / camunda:formRef of the process's none start event (None: none)."""

    form_key: str | None
    form_ref: str | None


@lru_cache(maxsize=256)
def _process(xml: str, key: str) -> etree._Element | None:
    root = safe_xml(xml.encode("utf-8"))
    for process in root.iterchildren(f"{B}process"):
        if process.get("id") == key:
            return process
    return None


def call_activities(xml: str, key: str) -> dict[str, list[str]]:
    """Called process key -> the ids of the call activities naming it (any depth)."""
    process = _process(xml, key)
    found: dict[str, list[str]] = {}
    for call in process.iter(f"{B}callActivity") if process is not None else ():
        target = call.get("calledElement")
        if target and "${" not in target and "#{" not in target:
            found.setdefault(target, []).append(call.get("id") or "")
    return found


def start_form(xml: str, key: str) -> StartForm:
    """The form of the process's none start event (the one REST and the Tasklist start)."""
    process = _process(xml, key)
    for start in process.iterchildren(f"{B}startEvent") if process is not None else ():
        if any(isinstance(child.tag, str) and child.tag.endswith("EventDefinition")
               for child in start):
            continue
        return StartForm(start.get(f"{C}formKey"), start.get(f"{C}formRef"))
    return StartForm(None, None)


def conditional_starts(xml: str, key: str) -> list[str]:
    """The ids of the process's conditional start events (Camunda's POST /condition)."""
    process = _process(xml, key)
    return [start.get("id") or "" for start in (
        process.iterchildren(f"{B}startEvent") if process is not None else ())
        if start.find(f"{B}conditionalEventDefinition") is not None]


def signal_starts(xml: str, key: str) -> list[str]:
    """The signal names the process's signal start events start it on (Camunda's broadcast
    starts an instance of each)."""
    process = _process(xml, key)
    if process is None:
        return []
    root = process.getroottree().getroot()
    names = {s.get("id"): s.get("name") for s in root.iterchildren(f"{B}signal")}
    found = []
    for start in process.iterchildren(f"{B}startEvent"):
        signal = start.find(f"{B}signalEventDefinition")
        if signal is not None and names.get(signal.get("signalRef")):
            found.append(str(names[signal.get("signalRef")]))
    return found


def event_start_ids(xml: str, key: str, kind: str, name: str) -> list[str]:
    """The ids of the process's `kind` ("message" or "signal") start events for `name`."""
    process = _process(xml, key)
    if process is None:
        return []
    root = process.getroottree().getroot()
    names = {m.get("id"): m.get("name") for m in root.iterchildren(f"{B}{kind}")}
    return [start.get("id") or "" for start in process.iterchildren(f"{B}startEvent")
            if (found := start.find(f"{B}{kind}EventDefinition")) is not None
            and names.get(found.get(f"{kind}Ref")) == name]
