"""Every kind of bad diagram is refused with file, element id and line, changing nothing."""

from __future__ import annotations

from typing import Any

import pytest

from engine import service
from engine.errors import ProcessDefinitionError
from engine.service import SYSTEM_ACTOR
from tests.factories import FIXTURES, NOW

HEADER = (FIXTURES / "review.bpmn").read_text(encoding="utf-8").split("<bpmn:process")[0]
END = '<bpmn:endEvent id="End"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>'


def _diagram(element: str, extra: str = "", head: str = HEADER) -> str:
    """A start event, the element under test (incoming F1, outgoing F2) and an end event."""
    return (
        f'{head}{extra}<bpmn:process id="bad_process" name="坏流程" isExecutable="true">\n'
        '    <bpmn:startEvent id="Start"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>\n'
        f"    {element}\n"
        f"    {END}\n"
        '    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Bad" />\n'
        '    <bpmn:sequenceFlow id="F2" sourceRef="Bad" targetRef="End" />\n'
        "  </bpmn:process>\n</bpmn:definitions>\n"
    )


def _task(tag: str, attrs: str = "", body: str = "", ext: str = "") -> str:
    return (f'<bpmn:{tag} id="Bad" name="坏元素" {attrs}>{ext}<bpmn:incoming>F1</bpmn:incoming>'
            f"<bpmn:outgoing>F2</bpmn:outgoing>{body}</bpmn:{tag}>")


def _line_of(text: str, needle: str) -> int:
    index = text.index(needle)
    return text[:index].count("\n") + 1


def _rows(uow_factory) -> tuple[int, ...]:
    with uow_factory() as uow:
        return (len(uow.definitions.list_deployments(10_000)), len(uow.definitions.list()),
                uow.instances.count(), len(uow.history.for_instance(None)))  # type: ignore[arg-type]


def _refuse(uow_factory, files: dict[str, str | bytes]) -> tuple[str, list[dict[str, Any]]]:
    before = _rows(uow_factory)
    payload = {k: v.encode("utf-8") if isinstance(v, str) else v for k, v in files.items()}
    with pytest.raises(ProcessDefinitionError) as caught, uow_factory() as uow:
        service.deploy(uow, payload, SYSTEM_ACTOR, NOW)
    assert _rows(uow_factory) == before
    return caught.value.message, caught.value.details["problems"]


def _assert_names(uow_factory, text: str, element_id: str | None, line: int,
                  words: str, file: str = "bad.bpmn") -> None:
    message, problems = _refuse(uow_factory, {file: text})
    problem = next(p for p in problems if p["element_id"] == element_id)
    assert (problem["file"], problem["line"]) == (file, line), problems
    assert words in problem["message"], problem
    assert file in message and f"line {line}" in message and words in message
    if element_id:
        assert f"'{element_id}'" in message


def test_malformed_xml(uow_factory):
    text = _diagram(_task("userTask")).replace('<bpmn:endEvent id="End">', "<bpmn:endEvent id=>")
    _assert_names(uow_factory, text, None, _line_of(text, "<bpmn:endEvent id=>"), "malformed")


def test_schema_error(uow_factory):
    text = _diagram(_task("userTask", body="<bpmn:notAnElement />"))
    _assert_names(uow_factory, text, "Bad", _line_of(text, "notAnElement"), "schema")


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE d [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
])
def test_doctype_and_entity_declarations(uow_factory, doctype):
    head = HEADER.replace("?>\n", f"?>\n{doctype}\n", 1)
    text = _diagram(_task("userTask", attrs='camunda:assignee="&c;"'.replace(
        "&c;", "&xxe;" if "xxe" in doctype else "&c;")), head=head)
    _assert_names(uow_factory, text, None, 2, "DOCTYPE")


@pytest.mark.parametrize(("element", "words"), [
    ('<bpmn:complexGateway id="Bad" name="复杂网关"><bpmn:incoming>F1</bpmn:incoming>'
     "<bpmn:outgoing>F2</bpmn:outgoing></bpmn:complexGateway>", "complex gateways"),
    (_task("userTask", ext='<bpmn:extensionElements><camunda:taskListener class="a.B" '
           'event="create" /></bpmn:extensionElements>'), "taskListener"),
    (_task("serviceTask", attrs='camunda:type="connector"'), "camunda:type"),
])
def test_unsupported_constructs(uow_factory, element, words):
    text = _diagram(element)
    needle = "camunda:taskListener" if words == "taskListener" else 'id="Bad"'
    _assert_names(uow_factory, text, "Bad", _line_of(text, needle), words)


def _gateway(flow_body: str, default: str = "") -> str:
    return (
        f'<bpmn:exclusiveGateway id="Bad" name="判断" {default}>'
        "<bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>"
        "<bpmn:outgoing>F3</bpmn:outgoing></bpmn:exclusiveGateway>\n"
        '    <bpmn:endEvent id="End2"><bpmn:incoming>F3</bpmn:incoming></bpmn:endEvent>\n'
        f'    <bpmn:sequenceFlow id="F3" sourceRef="Bad" targetRef="End2">{flow_body}'
        "</bpmn:sequenceFlow>"
    )


def _condition(text: str) -> str:
    return ('<bpmn:conditionExpression xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:type="bpmn:tFormalExpression">{text}'
            "</bpmn:conditionExpression>")


@pytest.mark.parametrize(("expression", "words"), [
    ("${a &amp;&amp;}", "cannot be evaluated"),
    ("${x.__class__}", "cannot be evaluated"),
])
def test_conditions_that_cannot_compile_or_are_forbidden(uow_factory, expression, words):
    text = _diagram(_gateway(_condition(expression), default='default="F2"'))
    _assert_names(uow_factory, text, "F3", _line_of(text, "conditionExpression"), words)


def test_bad_timer_literal(uow_factory):
    body = ('<bpmn:timerEventDefinition id="TimerDef"><bpmn:timeDuration>P1X'
            "</bpmn:timeDuration></bpmn:timerEventDefinition>")
    element = (f'<bpmn:intermediateCatchEvent id="Bad" name="等待"><bpmn:incoming>F1'
               f"</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>{body}"
               "</bpmn:intermediateCatchEvent>")
    text = _diagram(element)
    _assert_names(uow_factory, text, "TimerDef", _line_of(text, "P1X"), "P1X")


@pytest.mark.parametrize(("script", "words"), [
    ("x = 1\ny = __import__('os')", "__import__"),
    ("x = data._secret", "_secret"),
    ("x = (", "script cannot run"),
])
def test_scripts_that_cannot_compile_or_are_forbidden(uow_factory, script, words):
    text = _diagram(_task("scriptTask", attrs='scriptFormat="python"',
                          body=f"<bpmn:script>{script}</bpmn:script>"))
    last_line = _line_of(text, "<bpmn:script>") + script.count("\n")
    message, problems = _refuse(uow_factory, {"bad.bpmn": text})
    [problem] = problems
    assert (problem["file"], problem["element_id"]) == ("bad.bpmn", "Bad")
    assert problem["line"] == last_line and words in problem["message"]
    assert "bad.bpmn" in message and "'Bad'" in message


def test_call_activity_to_a_process_not_deployed_yet_is_a_warning(uow_factory):
    # Camunda looks the callee up when the call activity is reached: it deploys, warned.
    text = _diagram(_task("callActivity", attrs='calledElement="no_such_process"'))
    with uow_factory() as uow:
        result = service.deploy(uow, {"bad.bpmn": text.encode()}, SYSTEM_ACTOR, NOW)
    line = _line_of(text, 'id="Bad"')
    assert [w for w in result.warnings if f"line {line}, element 'Bad'" in w
            and "'no_such_process'" in w and "not deployed yet" in w]


def test_business_rule_task_with_unknown_decision(uow_factory):
    text = _diagram(_task("businessRuleTask", attrs='camunda:decisionRef="no_such_table"'))
    _assert_names(uow_factory, text, "Bad", _line_of(text, 'id="Bad"'), "no_such_table")


def test_business_rule_task_without_a_decision_or_implementation(uow_factory):
    text = _diagram(_task("businessRuleTask"))
    _assert_names(uow_factory, text, "Bad", _line_of(text, 'id="Bad"'),
                  "needs camunda:decisionRef")


def test_exclusive_gateway_flow_without_condition_or_default_is_a_warning(uow_factory):
    # Camunda 7 takes such a flow as `true`: it deploys, with a warning naming the flow.
    text = _diagram(_gateway(""))
    with uow_factory() as uow:
        result = service.deploy(uow, {"bad.bpmn": text.encode()}, SYSTEM_ACTOR, NOW)
    line = _line_of(text, 'id="F3"')
    assert [w for w in result.warnings if f"line {line}, element 'F3'" in w
            and "no condition" in w]


def test_one_good_and_one_bad_file_changes_nothing(uow_factory):
    bad = _diagram(_task("businessRuleTask", attrs='camunda:decisionRef="no_such_table"'))
    good = (FIXTURES / "gateways.bpmn").read_bytes()
    message, problems = _refuse(uow_factory, {"gateways.bpmn": good, "bad.bpmn": bad})
    assert [p["file"] for p in problems] == ["bad.bpmn"]
    with uow_factory() as uow:
        assert uow.definitions.latest("gateways") is None
