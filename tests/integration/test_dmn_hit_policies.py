"""DMN tables saved by Camunda Modeler, one per hit policy, run by business rule tasks."""

from __future__ import annotations

from typing import Any

import pytest

from engine import service
from engine.errors import ProcessDefinitionError
from engine.service import SYSTEM_ACTOR, Actor
from tests.factories import FIXTURES, NOW, deploy_fixture, start
from tests.factories import activity_states as _states
from tests.factories import show as _detail

OPS = Actor("ops_member", frozenset({"ops"}))


def _run(uow_factory, name: str, **variables: Any) -> service.InstanceDetail:
    deploy_fixture(uow_factory, f"{name}.dmn", f"{name}.bpmn")
    instance = start(uow_factory, f"{name}_process", **variables)
    return _detail(uow_factory, instance.id)


def _done(detail: service.InstanceDetail) -> dict[str, Any]:
    assert detail.instance.status == "completed", detail.incidents
    return detail.variables


def _incident(detail: service.InstanceDetail, element_id: str) -> str:
    [incident] = [i for i in detail.incidents if i.resolved_at is None]
    assert incident.element_id == element_id
    assert _states(detail)[element_id] == {"ERROR"}
    return incident.message


@pytest.mark.parametrize(("amount", "category", "level"), [
    (50, "food", "low"), (100, "food", "medium"), (999, "tools", "tools-tools"),
    (2000, "drink", "high"), (50, "tools", None),
])
def test_unique_single_match_gives_single_entry(uow_factory, amount, category, level):
    variables = _done(_run(uow_factory, "dmn_unique", amount=amount, category=category))
    assert variables["level"] == level


def test_unique_with_two_matches_is_an_incident_naming_the_decision(uow_factory):
    detail = _run(uow_factory, "dmn_unique", amount=2000, category="tools")
    message = _incident(detail, "Rule_Level")
    assert "dmn_unique" in message and "UNIQUE" in message
    assert "'Rule_High' (row 3)" in message and "'Rule_Tools' (row 4)" in message
    assert "level" not in detail.variables


def test_the_incident_is_repaired_by_fixing_the_data_and_retrying(uow_factory):
    detail = _run(uow_factory, "dmn_unique", amount=2000, category="tools")
    [incident] = detail.incidents
    with uow_factory() as uow:
        service.set_variables(uow, detail.instance.id, {"category": "drink"}, OPS, NOW,
                              reason="category was wrong")
    with uow_factory() as uow:
        service.retry_incident(uow, incident.id, OPS, NOW)
    assert _done(_detail(uow_factory, detail.instance.id))["level"] == "high"


@pytest.mark.parametrize(("score", "result"), [
    (95, {"grade": "A", "note": "excellent, 95"}),
    (85, {"grade": "B"}),  # an empty output entry is left out, as in Camunda
    ("70", {"grade": "C", "note": "below 80"}),  # typeRef integer reads form text
])
def test_first_takes_the_first_matching_rule_as_single_result(uow_factory, score, result):
    assert _done(_run(uow_factory, "dmn_first", score=score))["grade_result"] == result


@pytest.mark.parametrize(("age", "group"), [(30, "adult"), (70, "adult"), (5, "minor")])
def test_any_accepts_several_matches_with_equal_outputs(uow_factory, age, group):
    assert _done(_run(uow_factory, "dmn_any", age=age))["group"] == group


def test_any_with_different_outputs_is_an_incident(uow_factory):
    message = _incident(_run(uow_factory, "dmn_any", age=101), "Rule_Group")
    assert "dmn_any" in message and "ANY" in message and "'Rule_Centenarian'" in message


@pytest.mark.parametrize(("debt", "late", "risk"), [
    (20000, 5, "high"), (20000, 0, "medium"), (0, 4, "high"), (0, 0, "low"),
])
def test_priority_picks_the_output_value_listed_first(uow_factory, debt, late, risk):
    variables = _done(_run(uow_factory, "dmn_priority", debt=debt, late_payments=late))
    assert variables["risk"] == risk


@pytest.mark.parametrize(("since", "total", "codes"), [
    ("2019-05-01", 150.0, ["LOYAL", "BIG", "WELCOME"]),
    ("2026-12-15", 20.0, ["WINTER", "WELCOME"]),
    ("2024-03-01", 100.0, ["WELCOME"]),
])
def test_rule_order_lists_every_match_in_rule_order(uow_factory, since, total, codes):
    variables = _done(_run(uow_factory, "dmn_rule_order", member_since=since, total=total))
    assert variables["codes"] == codes


@pytest.mark.parametrize(("department", "notify"), [
    ("it", [{"group": "it-staff", "mail": True}, {"group": "office", "mail": False}]),
    ("hr", [{"group": "office", "mail": False}, {"group": "hr-staff", "mail": True}]),
    ("sales", []),
])
def test_collect_gives_a_result_list(uow_factory, department, notify):
    assert _done(_run(uow_factory, "dmn_collect", department=department))["notify"] == notify


@pytest.mark.parametrize(("size", "fees"), [
    (7, {"sum": 30, "min": 10, "max": 20, "count": 2}),
    (12, {"sum": 60, "min": 10, "max": 30, "count": 3}),
    (1, {"sum": None, "min": None, "max": None, "count": 0}),
])
def test_collect_aggregators_sum_min_max_count(uow_factory, size, fees):
    variables = _done(_run(uow_factory, "dmn_collect_aggregate", size=size))
    assert {k: variables[f"fee_{k}"] for k in fees} == fees


def _run_text(uow_factory, name: str, old: str, new: str, **variables: Any) -> Any:
    bpmn = (FIXTURES / f"{name}.bpmn").read_text(encoding="utf-8")
    assert old in bpmn
    files = {f"{name}.dmn": (FIXTURES / f"{name}.dmn").read_bytes(),
             f"{name}.bpmn": bpmn.replace(old, new).encode("utf-8")}
    with uow_factory() as uow:
        service.deploy(uow, files, SYSTEM_ACTOR, NOW)
    return _detail(uow_factory, start(uow_factory, f"{name}_process", **variables).id)


@pytest.mark.parametrize(("mapping", "words"), [
    ("singleEntry", "singleEntry needs at most one matching rule"),
    ("singleResult", "singleResult needs at most one matching rule"),
    ("collectEntries", "collectEntries needs one output per rule"),
])
def test_a_result_the_mapping_cannot_hold_is_an_incident(uow_factory, mapping, words):
    detail = _run_text(uow_factory, "dmn_collect", 'camunda:mapDecisionResult="resultList"',
                       f'camunda:mapDecisionResult="{mapping}"', department="it")
    message = _incident(detail, "Rule_Notify")
    assert words in message and "dmn_collect" in message


def test_without_result_variable_nothing_is_stored_as_in_camunda(uow_factory):
    detail = _run_text(uow_factory, "dmn_first", ' camunda:resultVariable="grade_result"', "",
                       score=95)
    assert set(_done(detail)) == {"score", "initiator"}


def test_default_mapping_is_result_list(uow_factory):
    detail = _run_text(uow_factory, "dmn_first", ' camunda:mapDecisionResult="singleResult"', "",
                       score=85)
    assert _done(detail)["grade_result"] == [{"grade": "B"}]


def test_an_unknown_mapping_is_refused_at_deploy(uow_factory):
    bpmn = (FIXTURES / "dmn_first.bpmn").read_text(encoding="utf-8").replace(
        "singleResult", "firstValue")
    message, _ = _refused(uow_factory, {"dmn_first.dmn": (FIXTURES / "dmn_first.dmn").read_text(
        encoding="utf-8"), "dmn_first.bpmn": bpmn})
    assert "mapDecisionResult 'firstValue'" in message and "Rule_Grade" in message


@pytest.mark.parametrize(("month", "guests", "dish"), [
    (12, 4, "stew"), (1, 10, "roast"), (7, 3, "salad for 3"), (4, 2, "salad for 2"),
])
def test_a_required_decision_is_evaluated_first_and_its_output_is_an_input(
        uow_factory, month, guests, dish):
    assert _done(_run(uow_factory, "dmn_drd", month=month, guests=guests))["dish"] == dish


def test_required_decisions_in_a_cycle_are_refused(uow_factory):
    text = (FIXTURES / "dmn_drd.dmn").read_text(encoding="utf-8").replace(
        '<decision id="dmn_drd_season" name="季节">',
        '<decision id="dmn_drd_season" name="季节"><informationRequirement id="Req_Back">'
        '<requiredDecision href="#dmn_drd_dish" /></informationRequirement>')
    bpmn = (FIXTURES / "dmn_drd.bpmn").read_text(encoding="utf-8")
    message, _ = _refused(uow_factory, {"drd.dmn": text, "drd.bpmn": bpmn})
    assert "cycle: dmn_drd_dish -> dmn_drd_season -> dmn_drd_dish" in message


def test_juel_and_python_entries_run_in_the_checked_sandbox(uow_factory):
    text = (FIXTURES / "dmn_first.dmn").read_text(encoding="utf-8")
    text = text.replace('<inputEntry id="UnaryTests_Rule_A_1">\n          <text>&gt;= 90</text>',
                        '<inputEntry id="UnaryTests_Rule_A_1" expressionLanguage="juel">\n'
                        "          <text>${cellInput &gt;= 90}</text>")
    text = text.replace('<inputEntry id="UnaryTests_Rule_B_1">\n          <text>&gt;= 80</text>',
                        '<inputEntry id="UnaryTests_Rule_B_1" expressionLanguage="python">\n'
                        "          <text>cellInput &gt;= 80</text>")
    text = text.replace('<inputEntry id="UnaryTests_Rule_C_1">',
                        '<inputEntry id="UnaryTests_Rule_C_1" expressionLanguage="juel">')
    assert text.count("expressionLanguage") == 3
    bpmn = (FIXTURES / "dmn_first.bpmn").read_text(encoding="utf-8")
    files = {"first.dmn": text.encode("utf-8"), "first.bpmn": bpmn.encode("utf-8")}
    with uow_factory() as uow:
        service.deploy(uow, files, SYSTEM_ACTOR, NOW)
    for score, grade in ((95, "A"), (85, "B"), (10, "C")):
        detail = _detail(uow_factory, start(uow_factory, "dmn_first_process", score=score).id)
        assert _done(detail)["grade_result"]["grade"] == grade
    sneaky = text.replace("cellInput &gt;= 80", "().__class__")
    message, _ = _refused(uow_factory, {"first.dmn": sneaky, "first.bpmn": bpmn})
    assert "Rule_B" in message and "__class__" in message


def _refused(uow_factory, files: dict[str, str]) -> tuple[str, list[dict[str, Any]]]:
    payload = {k: v.encode("utf-8") for k, v in files.items()}
    with pytest.raises(ProcessDefinitionError) as caught, uow_factory() as uow:
        service.deploy(uow, payload, SYSTEM_ACTOR, NOW)
    return caught.value.message, caught.value.details["problems"]


def test_an_entry_that_is_not_feel_is_refused_at_deploy_naming_the_rule(uow_factory):
    text = (FIXTURES / "dmn_first.dmn").read_text(encoding="utf-8")
    bad = text.replace("<text>&gt;= 80</text>", "<text>&gt;&gt; 80</text>")
    line = bad[:bad.index("&gt;&gt; 80")].count("\n") + 1
    bpmn = (FIXTURES / "dmn_first.bpmn").read_text(encoding="utf-8")
    message, problems = _refused(uow_factory, {"first.dmn": bad, "first.bpmn": bpmn})
    [problem] = problems
    where = (problem["file"], problem["element_id"], problem["line"])
    assert where == ("first.dmn", "Rule_B", line)
    assert "dmn_first" in problem["message"] and "'Rule_B' (row 2)" in problem["message"]
    assert f"first.dmn line {line}, element 'Rule_B'" in message


def test_unknown_function_hit_policy_and_aggregation_are_refused(uow_factory):
    text = (FIXTURES / "dmn_collect_aggregate.dmn").read_text(encoding="utf-8")
    bad = (text.replace('aggregation="MIN"', 'aggregation="AVG"')
           .replace('hitPolicy="COLLECT" aggregation="MAX"', 'hitPolicy="SOMETIMES"')
           .replace("<text>20</text>", "<text>fee(20)</text>", 1))
    message, problems = _refused(uow_factory, {"agg.dmn": bad})
    found = {(p["element_id"], p["message"].split(": ", 1)[0]) for p in problems}
    assert ("DecisionTable_dmn_collect_min", "decision 'dmn_collect_min'") in found
    assert ("DecisionTable_dmn_collect_max", "decision 'dmn_collect_max'") in found
    assert ("Rule_Sum_Medium", "decision 'dmn_collect_sum'") in found
    assert "aggregation 'AVG'" in message and "hit policy 'SOMETIMES'" in message
    assert "unknown function 'fee'" in message
