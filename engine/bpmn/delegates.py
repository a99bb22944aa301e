"""Camunda 7 Java delegates and connectors as external-task topics: which name a task gets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from engine.bpmn import io_values

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
C = f"{{{CAMUNDA_NS}}}"
B = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
_LEADING_NAME = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")
DELEGATE_KINDS = ("class", "delegateExpression", "expression")


@dataclass(frozen=True)
class Delegate:
    """What a Camunda 7 engine would call, and the topic a VocFlow worker serves it under."""

    kind: str  # class | delegateExpression | expression | connector
    source: str  # the attribute's text or the connector id
    topic: str
    connector: dict[str, Any] | None = None


def topic_for(kind: str, source: str) -> str:
    """The topic of a delegate, documented for designers and worker authors.

    camunda:class="org.acme.SendMailDelegate" -> "SendMailDelegate" (the simple class name);
    camunda:delegateExpression="${mailBean}" -> "mailBean" (the bean);
    camunda:expression="${mailer.send(execution)}" -> "mailer.send" (bean and method);
    a camunda:connector -> its connectorId (e.g. "http-connector").
    """
    text = source.strip()
    if kind == "class":
        return text.replace("$", ".").rsplit(".", 1)[-1] or text
    if kind in ("delegateExpression", "expression"):
        body = text
        if body[:2] in ("${", "#{") and body.endswith("}"):
            body = body[2:-1].strip()
        found = _LEADING_NAME.match(body)
        return found.group(0) if found else body
    return text


def _connector(node: etree._Element) -> Delegate | None:
    found = node.find(f"{B}extensionElements/{C}connector")
    if found is None:
        return None
    connector_id = (found.findtext(f"{C}connectorId") or "").strip()
    params: dict[str, Any] = {"inputParameters": {}, "outputParameters": {}}
    io = found.find(f"{C}inputOutput")
    for kind in ("inputParameter", "outputParameter"):
        for param in (io.iterchildren(f"{C}{kind}") if io is not None else ()):
            params[f"{kind}s"][param.get("name")] = io_values.parameter_value(param)
    return Delegate("connector", connector_id, connector_id or "connector", params)


def delegate_of(node: etree._Element) -> Delegate | None:
    """The Java delegate or connector of a service-like task, None for external/plain ones."""
    if node.get(f"{C}type") == "external":
        return None
    for kind in DELEGATE_KINDS:
        value = node.get(f"{C}{kind}")
        if value is not None and value.strip():
            return Delegate(kind, value, topic_for(kind, value))
    return _connector(node)


def delegates_in(root: etree._Element) -> list[tuple[str | None, Delegate]]:
    """(element id, delegate) of every service task in a document that runs a delegate."""
    found = []
    for node in root.iter(f"{B}serviceTask"):
        delegate = delegate_of(node)
        if delegate is not None:
            found.append((node.get("id"), delegate))
    return found
