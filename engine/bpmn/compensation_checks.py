"""Deploy-time checks of compensation: what engine.bpmn.compensation cannot run, and why."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from engine.bpmn.compensation_parser import (
    COMPENSATE,
    COMPENSATES,
    B,
    handlers,
    is_compensation_boundary,
    is_handler,
    scope_of,
)

Finding = tuple[etree._Element, str]  # the node to name, and why it is refused
SUBPROCESSES = (f"{B}subProcess", f"{B}transaction")


def check_compensation(root: etree._Element) -> Iterator[Finding]:
    """Every compensation construct that cannot run as Camunda 7 runs it."""
    handler_of = handlers(root)
    ids = {n.get("id"): n for n in root.iter() if isinstance(n.tag, str) and n.get("id")}
    for definition in root.iter(COMPENSATE):
        event = definition.getparent()
        if event is None:
            continue
        local = etree.QName(event).localname
        if local == "boundaryEvent":
            yield from _check_boundary(event, handler_of, ids)
        elif local in ("intermediateThrowEvent", "endEvent"):
            yield from _check_throw(event, definition, handler_of, ids)
        elif local == "startEvent":
            yield (event, "a compensation event subprocess must sit in an embedded "
                          "subprocess that lies directly in the process (Camunda 7 allows "
                          "none at process level; VocFlow none deeper)")
        else:
            yield (event, f"a compensation {local} is not supported")
    for node in root.iter():
        if is_handler(node):
            yield from _check_handler(node)


def _check_boundary(event: etree._Element, handler_of: dict[str, str],
                    ids: dict[str | None, etree._Element]) -> Iterator[Finding]:
    activity = ids.get(event.get("attachedToRef"))
    handler = ids.get(handler_of.get(event.get("attachedToRef") or ""))
    if handler is None or not is_handler(handler):
        yield (event, "the compensation boundary event has no handler: connect it by an "
                      'association to an activity with isForCompensation="true"')
        return
    if activity is None:
        return
    mi = activity.find(f"{B}multiInstanceLoopCharacteristics") is not None
    if mi and activity.tag in (*SUBPROCESSES, f"{B}callActivity"):
        yield (event, "compensating each instance of a multi-instance subprocess or call "
                      "activity is not supported (a multi-instance task is)")


def _check_throw(event: etree._Element, definition: etree._Element,
                 handler_of: dict[str, str],
                 ids: dict[str | None, etree._Element]) -> Iterator[Finding]:
    scope: etree._Element | None = scope_of(event)
    handlers_around = [a for a in event.iterancestors() if is_handler(a)]
    allowed = scope is not None and bool(scope.get(COMPENSATES))  # its nearest scope
    if handlers_around and not (allowed and handlers_around[0] is scope):
        yield (event, "throwing compensation inside a compensation handler is not supported "
                      "(only directly in a compensation event subprocess)")
        return
    if scope is not None and scope.get(COMPENSATES):
        scope = ids.get(scope.get(COMPENSATES))  # it compensates its subprocess's work
    elif scope is not None and scope.get("triggeredByEvent", "false").lower() == "true":
        scope = scope_of(scope)  # an event subprocess compensates the scope it is in
    ref = definition.get("activityRef")
    if ref is None:
        return
    target = ids.get(ref)
    if target is None or scope_of(target) is not scope:
        yield (event, f"activityRef '{ref}' names no activity of the throw event's own "
                      "scope (Camunda compensates only activities of the same scope)")
        return
    inner = any(is_compensation_boundary(n) for n in target.iter(f"{B}boundaryEvent"))
    if ref not in handler_of and not (target.tag in SUBPROCESSES and inner):
        yield (event, f"activityRef '{ref}' names an activity without a compensation "
                      "boundary event (or, for a subprocess, without compensable work)")


def _check_handler(node: etree._Element) -> Iterator[Finding]:
    scope = scope_of(node)
    flows = [] if scope is None else [f for f in scope.iterchildren(f"{B}sequenceFlow")
                                      if f.get("sourceRef") == node.get("id")]
    if flows:
        yield (node, "a compensation handler has no outgoing sequence flow (Camunda 7 "
                     "refuses one)")
    if node.tag in SUBPROCESSES and scope is not None and scope.tag != f"{B}process":
        yield (node, "a compensation handler that is a subprocess must lie directly in the "
                     "process (VocFlow runs handlers of nested subprocesses only as tasks)")
    if node.find(f"{B}multiInstanceLoopCharacteristics") is not None:
        yield (node, "a multi-instance compensation handler is not supported")
