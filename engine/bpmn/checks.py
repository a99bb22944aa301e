"""Deploy-time checks of one BPMN file: every expression, script and construct, with lines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from engine import expressions
from engine.bpmn import delegates, io_values, javascript, juel_scripts
from engine.bpmn.compensation_checks import check_compensation
from engine.bpmn.generated_forms import form_problems
from engine.bpmn.link_events import link_problems
from engine.bpmn.listeners import check_listener
from engine.bpmn.parser import BPMN_NS, CAMUNDA_NS
from engine.bpmn.scripting import check_script

B = f"{{{BPMN_NS}}}"
C = f"{{{CAMUNDA_NS}}}"
TEXT_ATTRS = ("assignee", "candidateGroups", "candidateUsers", "dueDate", "followUpDate",
              "priority")
ISO_LOOKALIKE = re.compile(r"(R\d*/)?P(T?\d|\d)\w*")
UNSUPPORTED_TAGS = {
    "complexGateway": "complex gateways are not supported",
}
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
HTTP_CONNECTOR = "http-connector"
SCRIPT_FORMATS = ("python", "py", "javascript", "js", "ecmascript", "juel")
GROOVY = ("groovy is not supported (VocFlow has no JVM); rewrite the script in Python or "
          "JavaScript (scriptFormat=\"javascript\")")


@dataclass(frozen=True)
class Problem:
    file: str
    element_id: str | None
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}"
        if self.line:
            where += f" line {self.line}"
        if self.element_id:
            where += f", element '{self.element_id}'"
        return f"{where}: {self.message}"


def _owner(node: etree._Element) -> etree._Element:
    """The nearest ancestor (or self) that has an id: the element a designer would look at.
    What sits in extensionElements (a camunda:taskListener id="...") is no diagram element:
    its owner is the element whose extension it is."""
    current: etree._Element | None = node
    while current is not None and (current.get("id") is None or _in_extensions(current)):
        current = current.getparent()
    return current if current is not None else node


def _in_extensions(node: etree._Element) -> bool:
    if not isinstance(node.tag, str) or not node.tag.startswith(B):
        return True
    return any(True for _ in node.iterancestors(f"{B}extensionElements"))


def _problem(file: str, node: etree._Element, message: str) -> Problem:
    owner = _owner(node)
    return Problem(file, owner.get(juel_scripts.PLACED_FOR_ATTR) or owner.get("id"),
                   node.sourceline, message)


def _expr(file: str, node: etree._Element, text: str, mode: str, what: str) -> Iterator[Problem]:
    try:
        expressions.check_expression(text, mode)
    except expressions.ExpressionError as exc:
        yield _problem(file, node, f"{what} '{text}' cannot be evaluated: {exc.reason}")


def _executable(node: etree._Element) -> bool:
    """False inside a process marked isExecutable="false" (Camunda deploys, never runs it)."""
    for ancestor in node.iterancestors(f"{B}process"):
        return bool(ancestor.get("isExecutable", "true").lower() == "true")
    return True


def check_tree(file: str, root: etree._Element) -> list[Problem]:
    """Every problem in one parsed BPMN document (empty when it can run)."""
    problems: list[Problem] = list(_camunda8(file, root))
    if problems:
        return problems
    for node in root.iter():
        if not isinstance(node.tag, str) or not _executable(node):
            continue
        problems.extend(_check_node(file, node))
    for scope in root.iter(f"{B}process", f"{B}subProcess"):
        problems.extend(_loops_without_gateway(file, scope))
    problems.extend(_unknown_refs(file, root))
    problems.extend(_problem(file, node, message) for node, message in link_problems(root)
                    if _executable(node))
    problems.extend(_problem(file, node, message) for node, message in check_compensation(root)
                    if _executable(node))
    problems.extend(_problem(file, node, message) for node, message in form_problems(root)
                    if _executable(node))
    return problems


_REFS = (("messageEventDefinition", "messageRef", "message"),
         ("signalEventDefinition", "signalRef", "signal"),
         ("escalationEventDefinition", "escalationRef", "escalation"))


def _unknown_refs(file: str, root: etree._Element) -> Iterator[Problem]:
    """A message, signal or escalation reference must name one declared in the file, as
    Camunda 7 requires (an undeclared errorRef is its own error code, see normalize)."""
    for definition_tag, attr, target in _REFS:
        declared = {n.get("id") for n in root.iter(f"{B}{target}")}
        for node in root.iter(f"{B}{definition_tag}"):
            ref = (node.get(attr) or "").strip()
            event = node.getparent()
            if ref and ref not in declared and event is not None and _executable(node):
                yield Problem(file, event.get("id"), node.sourceline,  # the event, as clicked
                              f"{attr} '{ref}' names no bpmn:{target} in this file; declare "
                              f"<bpmn:{target} id=\"{ref}\"> or fix the reference")


def _camunda8(file: str, root: etree._Element) -> Iterator[Problem]:
    """A Camunda 8 (Zeebe) file: refused once, naming the first element and the reason."""
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        zeebe = next((etree.QName(a).localname for a in node.attrib
                      if a.startswith(f"{{{ZEEBE_NS}}}")), None)
        if node.tag.startswith(f"{{{ZEEBE_NS}}}") or zeebe:
            what = etree.QName(node).localname if zeebe is None else zeebe
            yield _problem(file, node, f"a Camunda 8 (Zeebe) diagram (zeebe:{what}); VocFlow "
                                       "runs Camunda 7 diagrams: model it for Camunda 7")
            return


def check_warnings(file: str, root: etree._Element) -> list[Problem]:
    """What deploys but behaves as Camunda 7 does, which a designer may not expect."""
    warnings: list[Problem] = []
    for node in root.iter(f"{B}exclusiveGateway", f"{B}inclusiveGateway"):
        if _executable(node):
            warnings.extend(_gateway_warnings(file, node))
    for element_id, delegate in delegates.delegates_in(root):
        runner = ("VocFlow's built-in http-connector, to the hosts in "
                  "VOCFLOW_HTTP_CONNECTOR_HOSTS" if delegate.topic == HTTP_CONNECTOR
                  else "a registered handler or a Camunda external-task client")
        warnings.append(Problem(file, element_id, None, (
            f"camunda:{delegate.kind} '{delegate.source}' runs as external task topic "
            f"'{delegate.topic}' ({runner})")))
    return warnings


def _loops_without_gateway(file: str, scope: etree._Element) -> Iterator[Problem]:
    """A cycle of sequence flows through no gateway never ends, and SpiffWorkflow recurses
    without bound predicting it (a 500 at start), so it is refused here."""
    nodes = {n.get("id"): n for n in scope if isinstance(n.tag, str) and n.get("id")}
    outgoing: dict[str | None, list[str | None]] = {}
    for flow in scope.iterchildren(f"{B}sequenceFlow"):
        outgoing.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    exits = {b.get("attachedToRef") for b in scope.iterchildren(f"{B}boundaryEvent")}

    def only_next(node_id: str | None) -> str | None:
        node, targets = nodes.get(node_id), outgoing.get(node_id, [])
        if node is None or len(targets) != 1 or node_id in exits:
            return None
        return None if etree.QName(node.tag).localname.endswith("Gateway") else targets[0]

    reported: set[str | None] = set()
    for first in nodes:
        path: list[str | None] = []
        current: str | None = first
        while current is not None and current not in path and current not in reported:
            path.append(current)
            current = only_next(current)
        if current is not None and current in path:
            loop = path[path.index(current):]
            reported.update(loop)
            yield _problem(file, nodes[current], (
                f"the sequence flows {' -> '.join(map(str, [*loop, current]))} form a loop "
                "without a gateway: it can never end; route it through an exclusive gateway "
                "with a way out"))
        reported.update(path)


def _check_node(file: str, node: etree._Element) -> Iterator[Problem]:
    tag = node.tag
    local = etree.QName(tag).localname
    if tag.startswith(B) and local in UNSUPPORTED_TAGS:
        yield _problem(file, node, UNSUPPORTED_TAGS[local])
    elif tag in (f"{C}taskListener", f"{C}executionListener"):
        yield from (_problem(file, node, message) for message in check_listener(node))
    elif tag == f"{B}conditionExpression" or tag == f"{B}completionCondition":
        yield from _check_condition(file, node)
    elif tag in (f"{B}timeDate", f"{B}timeDuration", f"{B}timeCycle"):
        yield from _check_timer(file, node, local)
    elif tag == f"{B}script":
        yield from _check_script(file, node)
    elif tag in (f"{B}scriptTask", f"{B}callActivity"):
        yield from _check_outside_reference(file, node)
    elif tag == f"{B}userTask":
        yield from _check_user_task(file, node)
    elif tag == f"{B}serviceTask":
        yield from _check_service_task(file, node)
    elif tag == f"{B}messageEventDefinition":
        yield from _check_message_definition(file, node)
    elif tag == f"{C}inputParameter" or tag == f"{C}outputParameter":
        yield from _check_parameter(file, node)
    elif tag in (f"{B}loopCardinality", f"{B}multiInstanceLoopCharacteristics"):
        yield from _check_loop(file, node)


def _check_outside_reference(file: str, node: etree._Element) -> Iterator[Problem]:
    """What a script task or call activity refers to that VocFlow cannot run: a script in
    a separate file, a CMMN case."""
    if node.tag == f"{B}scriptTask":
        if node.get(f"{C}resource") and node.find(f"{B}script") is None:
            yield _problem(file, node, f"camunda:resource '{node.get(f'{C}resource')}' (a "
                                       "script in a separate file) is not supported; put the "
                                       "script in the script task itself")
    elif node.get(f"{C}caseRef") and not node.get("calledElement"):
        yield _problem(file, node, f"camunda:caseRef '{node.get(f'{C}caseRef')}' calls a CMMN "
                                   "case: VocFlow runs BPMN processes, not CMMN; model the case "
                                   "as a BPMN process and call it with calledElement")


def _check_loop(file: str, node: etree._Element) -> Iterator[Problem]:
    """A loop cardinality is an expression; a collection names one variable."""
    if node.tag == f"{B}loopCardinality":
        if (node.text or "").strip():
            yield from _expr(file, node, node.text.strip(), "expression", "loop cardinality")
        return
    collection = (node.get(f"{C}collection") or "").strip()
    if collection and not collection.isidentifier():
        yield _problem(file, node, (
            f"camunda:collection '{collection}' must name a variable (or be ${{name}}); "
            "compute the list into a variable first (a script or an input mapping)"))


def _check_condition(file: str, node: etree._Element) -> Iterator[Problem]:
    text = (node.text or "").strip()
    if not text:
        yield _problem(file, node, "the condition is empty")
        return
    language = node.get("language")
    if language and language.lower() == "groovy":
        yield _problem(file, node, f"condition language {GROOVY}")
        return
    if language and language.lower() not in ("python", "juel", "javascript"):
        yield _problem(file, node, f"condition language '{language}' is not supported")
        return
    if text.startswith("="):
        yield _problem(file, node, f"condition '{text}' is a Camunda 8 FEEL expression; "
                                   "Camunda 7 conditions are JUEL, e.g. ${amount > 100}")
        return
    yield from _expr(file, node, text, "expression", "condition")


def _check_timer(file: str, node: etree._Element, kind: str) -> Iterator[Problem]:
    text = (node.text or "").strip()
    if not text:
        yield _problem(file, node, f"the {kind} of the timer is empty")
        return
    try:
        expressions.check_timer(kind, text)
    except expressions.ExpressionError as exc:
        yield _problem(file, node, f"{kind} '{text}' is not a valid timer: {exc.reason}")
        return
    if expressions.timer_kind(text) is None and ISO_LOOKALIKE.fullmatch(text):
        # A bare name is a variable in Python mode, but 'P1X' is a mistyped ISO-8601 value.
        yield _problem(file, node, f"{kind} '{text}' is not a valid ISO-8601 timer value")


def _check_script(file: str, node: etree._Element) -> Iterator[Problem]:
    parent = node.getparent()
    fmt = (parent.get("scriptFormat") or "python").lower() if parent is not None else "python"
    structure = parent is not None and parent.get(juel_scripts.STRUCTURE_ATTR) == "true"
    yield from _script_problems(file, node, fmt, node.text or "", structure)


def _script_problems(file: str, node: etree._Element, fmt: str, source: str,
                     structure: bool = False) -> Iterator[Problem]:
    """Why a script of this format cannot run (its line within the file)."""
    if fmt == "groovy":
        yield _problem(file, node, f"script format {GROOVY}")
        return
    if fmt not in SCRIPT_FORMATS:
        yield _problem(file, node, f"script format '{fmt}' is not supported; write Python "
                                   "or JavaScript")
        return
    if fmt in juel_scripts.FORMATS:
        reason = (juel_scripts.check_structure(source) if structure
                  else juel_scripts.check(source))
        if reason is not None:
            yield _problem(file, node, reason)
        return
    if fmt in javascript.FORMATS:
        result = javascript.check(source)
    else:
        result = check_script(source)
    if result is not None:
        line, reason = result
        base = node.sourceline or 0
        problem = _problem(file, node, f"script cannot run: {reason}")
        yield Problem(problem.file, problem.element_id, base + max((line or 1) - 1, 0),
                      problem.message)


def _check_user_task(file: str, node: etree._Element) -> Iterator[Problem]:
    for attr in TEXT_ATTRS:
        value = node.get(f"{C}{attr}")
        if value:
            yield from _expr(file, node, value, "text", f"camunda:{attr}")


def _check_service_task(file: str, node: etree._Element) -> Iterator[Problem]:
    kind = node.get(f"{C}type")
    delegate = delegates.delegate_of(node)
    if delegate is not None and delegate.topic == HTTP_CONNECTOR and delegate.connector:
        if not delegate.connector["inputParameters"].get("url"):
            yield _problem(file, node, "http-connector needs an input parameter 'url'")
    if delegate is not None:
        return  # an external task named after the delegate (a warning says which topic)
    if kind != "external" or not node.get(f"{C}topic"):
        yield _problem(file, node, 'a service task needs camunda:type="external" and '
                                   "a camunda:topic")


def _gateway_warnings(file: str, node: etree._Element) -> Iterator[Problem]:
    gateway_id = node.get("id")
    default = node.get("default")
    process = node.getparent()
    flows = [] if process is None else [
        f for f in process.iterchildren(f"{B}sequenceFlow") if f.get("sourceRef") == gateway_id
    ]
    if len(flows) < 2:
        return
    for flow in flows:
        if flow.get("id") == default:
            continue
        if flow.find(f"{B}conditionExpression") is None:
            yield Problem(file, flow.get("id"), flow.sourceline,
                          f"flow out of gateway '{gateway_id}' has no condition and is not the "
                          "gateway's default flow: it is always taken (condition true)")


def _in_connector(node: etree._Element) -> bool:
    return any(a.tag == f"{C}connector" for a in node.iterancestors())


def _check_parameter(file: str, node: etree._Element) -> Iterator[Problem]:
    """A parameter is text, a camunda:list or camunda:map (nested) of texts, or a script
    (not in a connector); each text and map key is checked as an expression."""
    connector = _in_connector(node)
    what = f"{'connector ' if connector else ''}parameter '{node.get('name')}'"
    value = io_values.parameter_value(node)
    if io_values.is_script(value):
        script = node.find(f"{C}script")
        if connector:
            yield _problem(file, node, f"{what} is a script: scripts in connector "
                                       "parameters are not supported; use an expression")
        elif value.get("resource"):
            yield _problem(file, node, f"{what}: camunda:script resource "
                                       f"'{value['resource']}' (a script in a separate file) "
                                       "is not supported; put the script in the parameter")
        elif script is not None:
            yield from _script_problems(file, script, str(value[io_values.SCRIPT]).lower()
                                        or "python", str(value.get("text") or ""))
        return
    for text in io_values.texts(value):
        if text:
            yield from _expr(file, node, text, "text", what)


def _check_message_definition(file: str, node: etree._Element) -> Iterator[Problem]:
    """camunda:expression is a thrown message's payload (none is fine: no payload)."""
    event = _owner(node.getparent() if node.getparent() is not None else node)
    found: list[Problem] = []
    for attr in ("class", "delegateExpression", "type"):
        if node.get(f"{C}{attr}") is not None:
            found = [_problem(file, node, f"camunda:{attr} on a message event is not supported; "
                                          'use a service task with camunda:type="external"')]
            break
    text = (node.get(f"{C}expression") or "").strip()
    if text and not found:
        mode = "text" if ("${" in text or "#{" in text) else "expression"
        found = list(_expr(file, node, text, mode, "camunda:expression"))
    for problem in found:  # named after the event the designer clicks, not its definition
        yield Problem(problem.file, event.get("id"), problem.line, problem.message)
