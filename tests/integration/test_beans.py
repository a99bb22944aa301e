"""Registered beans called from JUEL: juel scripts, delegates, conditions, listeners."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import expressions, service
from engine.errors import ProcessDefinitionError
from engine.service import SYSTEM_ACTOR
from tests.factories import FIXTURES, NOW, activity_states, deploy_fixture, show, start

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus-practice"
BEAN_ACCESS = "camunda-bpm-platform/ScriptBeanAccessTest.testConfigurationBeanAccess.bpmn20.xml"


class Pricing:
    currency = "CNY"

    def quote(self, amount: Any) -> int:
        return int(amount) * 2

    def record(self, execution: expressions.Execution) -> str:
        execution.setVariable("recorded_for", execution.getProcessBusinessKey())
        return f"receipt-{execution.getVariable('price')}"

    def cheap(self, price: int) -> bool:
        return price < 100


class Auditor:
    def execute(self, execution: expressions.Execution) -> None:
        execution.setVariable("audited", execution.getVariable("receipt"))

    def notify(self, execution: expressions.Execution) -> None:
        execution.setVariable("notified", execution["eventName"] or "end")


@pytest.fixture
def beans() -> Iterator[None]:
    expressions.register_bean("pricing", Pricing())
    expressions.register_bean("auditor", Auditor())
    yield
    expressions.unregister_bean("pricing")
    expressions.unregister_bean("auditor")


@pytest.mark.parametrize(("amount", "end"), [(10, "EndEvent_Cheap"), (90, "EndEvent_Dear")])
def test_bean_methods_run_in_scripts_delegates_conditions_and_listeners(
        uow_factory, beans, amount, end):
    deploy_fixture(uow_factory, "compat_beans.bpmn")
    instance = start(uow_factory, "compat_beans", NOW, business_key=f"bk-{amount}",
                     amount=amount)
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert detail.variables["price"] == amount * 2
    assert detail.variables["receipt"] == f"receipt-{amount * 2}"
    assert detail.variables["audited"] == f"receipt-{amount * 2}"
    assert detail.variables["currency"] == "CNY"
    assert detail.variables["recorded_for"] == f"bk-{amount}"
    ended = {k for k, v in activity_states(detail).items() if k.startswith("EndEvent")
             and "COMPLETED" in v}
    assert ended == {end}


def test_without_the_beans_the_juel_script_is_refused_naming_element_and_bean(uow_factory):
    content = (FIXTURES / "compat_beans.bpmn").read_bytes()
    with pytest.raises(ProcessDefinitionError) as refused, uow_factory() as uow:
        service.deploy(uow, {"compat_beans.bpmn": content}, SYSTEM_ACTOR, NOW)
    assert "'Task_Quote'" in refused.value.message
    assert "'pricing' is not a registered bean" in refused.value.message


def test_an_unknown_method_of_a_known_bean_is_refused(uow_factory, beans):
    content = (FIXTURES / "compat_beans.bpmn").read_text().replace(
        "pricing.cheap(price)", "pricing.cheapest(price)").encode()
    with pytest.raises(ProcessDefinitionError) as refused, uow_factory() as uow:
        service.deploy(uow, {"compat_beans.bpmn": content}, SYSTEM_ACTOR, NOW)
    assert "bean 'pricing' has no public method 'cheapest'" in refused.value.message


@pytest.mark.skipif(not (CORPUS / BEAN_ACCESS).exists(), reason="no practice corpus here")
def test_the_corpus_bean_access_script_runs_once_a_bean_of_that_name_is_registered(
        uow_factory):
    """#{myBean} names a bean of Camunda's test configuration: without one (and without a
    variable of that name) the script task is an incident in Camunda's words."""
    content = (CORPUS / BEAN_ACCESS).read_bytes()
    with uow_factory() as uow:
        service.deploy(uow, {"bean.bpmn20.xml": content}, SYSTEM_ACTOR, NOW)
    missing = show(uow_factory, start(uow_factory, "ScriptBeanAccess", NOW).id)
    [incident] = missing.incidents
    assert incident.element_id == "theScriptTaskWithExistingProcessVariableName"
    assert "Cannot resolve identifier 'myBean'" in incident.message
    expressions.register_bean("myBean", "a configured value")
    try:
        instance = start(uow_factory, "ScriptBeanAccess", NOW)
        assert show(uow_factory, instance.id).variables["myVariable"] == "a configured value"
    finally:
        expressions.unregister_bean("myBean")


def test_a_juel_script_reads_a_process_variable_by_its_name(uow_factory):
    """Camunda resolves a juel script's names as variables first, then beans: #{opinion}
    is the variable (before, it was refused at deploy as an unregistered bean)."""
    deploy_fixture(uow_factory, "compat_juel_variable.bpmn")
    copied = show(uow_factory, start(uow_factory, "compat_juel_variable", NOW,
                                     opinion="同意推荐").id)
    assert copied.variables["copied"] == "同意推荐"
    assert not copied.incidents
    unset = show(uow_factory, start(uow_factory, "compat_juel_variable", NOW).id)
    [incident] = unset.incidents
    assert incident.element_id == "Task_Copy"
    assert "Cannot resolve identifier 'opinion'" in incident.message


def test_a_delegate_expression_listener_calls_the_beans_notify(uow_factory, beans):
    xml = (FIXTURES / "compat_beans.bpmn").read_text().replace(
        '<camunda:executionListener expression=',
        '<camunda:executionListener delegateExpression="${auditor}" event="end" />'
        '<camunda:executionListener expression=')
    with uow_factory() as uow:
        service.deploy(uow, {"notify.bpmn": xml.encode()}, SYSTEM_ACTOR, NOW)
    instance = start(uow_factory, "compat_beans", NOW, amount=1)
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert detail.variables["notified"] == "end"
