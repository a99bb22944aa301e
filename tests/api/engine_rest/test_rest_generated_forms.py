"""Camunda generated task forms (camunda:formData, legacy formProperty) over /engine-rest:
form-variables, rendered-form, submit-form checked field by field, /complete unchecked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.service import SYSTEM_ACTOR, show_instance
from tests.factories import deploy_fixture, open_tasks, start

R = "/engine-rest"


@pytest.fixture
def fill(uow_factory, user):
    """The Task_Fill task of a started instance, and a reviewer who may complete it."""
    deploy_fixture(uow_factory, "generated_forms.bpmn")
    instance = start(uow_factory, "generated_forms", province_code="11", requester="Wang Wu")
    [task] = open_tasks(uow_factory, instance.id)
    return {"task": task.id, "instance": instance.id,
            "wang": user("wang", "province:11:reviewer")}


def _variables(uow_factory, instance_id):
    with uow_factory() as uow:
        return show_instance(uow, instance_id, SYSTEM_ACTOR).variables


def _submit(client, fill, **values):
    body = {"variables": {k: {"value": v, "type": "String" if isinstance(v, str) else None}
                          for k, v in values.items()}}
    for typed in body["variables"].values():
        if typed["type"] is None:
            del typed["type"]
    return client.post(f"{R}/task/{fill['task']}/submit-form", json=body,
                       headers=fill["wang"])


def test_form_variables_are_typed_by_form_type_with_defaults(client, fill):
    found = client.get(f"{R}/task/{fill['task']}/form-variables", headers=fill["wang"])
    assert found.status_code == 200, found.json
    got = found.json
    assert got["amount"] == {"type": "Long", "value": 10, "valueInfo": {}}
    assert got["approved"] == {"type": "Boolean", "value": None, "valueInfo": {}}
    assert got["kind"] == {"type": "String", "value": "a", "valueInfo": {}}
    assert got["comment"] == {"type": "String", "value": None, "valueInfo": {}}
    assert got["due"] == {"type": "String", "value": "15/12/2026", "valueInfo": {}}
    assert got["requester"]["value"] == "Wang Wu"  # defaultValue="${requester}"
    assert got["province_code"]["value"] == "11"  # the task's other variables follow
    only = client.get(f"{R}/task/{fill['task']}/form-variables?variableNames=amount,kind",
                      headers=fill["wang"]).json
    assert sorted(only) == ["amount", "kind"]
    form = client.get(f"{R}/task/{fill['task']}/form", headers=fill["wang"]).json
    assert form == {"key": None, "contextPath": None, "camundaFormRef": None}


def test_rendered_form_draws_the_generated_fields(client, fill):
    html = client.get(f"{R}/task/{fill['task']}/rendered-form", headers=fill["wang"])
    assert html.status_code == 200 and html.mimetype == "application/xhtml+xml"
    text = html.get_data(as_text=True)
    assert "<h3>Fill in the request</h3>" in text and ">Amount</label>" in text
    assert 'cam-variable-name="amount"' in text and 'cam-variable-type="Long"' in text
    assert 'value="10"' in text and '<option value="b">Option B</option>' in text
    assert 'id="requester" cam-variable-name="requester" readonly="readonly"' in text
    assert 'value="Wang Wu"' in text and 'type="date"' in text


def test_submit_form_converts_types_and_completes(client, fill, uow_factory):
    done = _submit(client, fill, amount="5", approved="true", kind="b", comment="fine",
                   due="01/02/2027")
    assert done.status_code == 204, done.json
    variables = _variables(uow_factory, fill["instance"])
    assert variables["amount"] == 5 and variables["approved"] is True
    assert variables["kind"] == "b" and variables["comment"] == "fine"
    assert variables["due"] == datetime(2027, 2, 1, tzinfo=UTC)
    assert variables["requester"] == "Wang Wu"
    assert [t.element_id for t in open_tasks(uow_factory, fill["instance"])] == [
        "Task_Legacy"]


def test_missing_fields_take_their_defaults(client, fill, uow_factory):
    done = client.post(f"{R}/task/{fill['task']}/submit-form", headers=fill["wang"],
                       json={"variables": {"amount": {"value": 7, "type": "Long"}}})
    assert done.status_code == 204, done.json
    variables = _variables(uow_factory, fill["instance"])
    assert (variables["amount"], variables["kind"]) == (7, "a")
    assert variables["due"] == datetime(2026, 12, 15, tzinfo=UTC)
    assert "approved" not in variables and "comment" not in variables


@pytest.mark.parametrize(("values", "named", "reason"), [
    ({}, "Amount (amount)", "required"),
    ({"amount": "0"}, "Amount (amount)", "less than 1"),
    ({"amount": 5000}, "Amount (amount)", "greater than 1000"),
    ({"amount": "many"}, "Amount (amount)", "integer"),
    ({"amount": 5, "comment": "ab"}, "Comment (comment)", "at least 3 characters"),
    ({"amount": 5, "comment": "x" * 21}, "Comment (comment)", "at most 20 characters"),
    ({"amount": 5, "kind": "c"}, "Kind (kind)", "allowed: a, b"),
    ({"amount": 5, "approved": "yes"}, "Approved? (approved)", "boolean"),
    ({"amount": 5, "due": "2027-13-45"}, "Due date (due)", "date as dd/MM/yyyy"),
    ({"amount": 5, "requester": "Li Si"}, "Requester (requester)", "read-only"),
])
def test_each_constraint_refuses_naming_the_label_and_the_task_stays_open(
        client, fill, uow_factory, values, named, reason):
    refused = _submit(client, fill, **values)
    assert refused.status_code == 400, refused.json
    message = refused.json["message"]
    assert named in message and reason in message, message
    assert client.get(f"{R}/task/{fill['task']}", headers=fill["wang"]).status_code == 200
    variables = _variables(uow_factory, fill["instance"])
    assert variables["requester"] == "Wang Wu" and "amount" not in variables


def test_every_refused_field_is_named_at_once(client, fill):
    refused = _submit(client, fill, amount="0", comment="ab", kind="z")
    message = refused.json["message"]
    assert all(name in message for name in ("Amount (amount)", "Comment (comment)",
                                            "Kind (kind)")), message


def test_complete_neither_checks_the_form_nor_applies_defaults(client, fill, uow_factory):
    done = client.post(f"{R}/task/{fill['task']}/complete", headers=fill["wang"], json={
        "variables": {"amount": {"value": 0, "type": "Long"},
                      "kind": {"value": "zzz", "type": "String"}}})
    assert done.status_code == 204, done.json
    variables = _variables(uow_factory, fill["instance"])
    assert (variables["amount"], variables["kind"]) == (0, "zzz")
    assert "due" not in variables


def test_only_who_may_complete_the_task_submits_its_form(client, fill, user):
    other = user("li", "province:12:reviewer")
    assert _submit(client, {**fill, "wang": other}, amount=5).status_code == 404
    assert client.get(f"{R}/task/{fill['task']}/form-variables",
                      headers=other).status_code == 404


def test_legacy_form_properties(client, fill, uow_factory):
    assert _submit(client, fill, amount=5).status_code == 204
    [legacy] = open_tasks(uow_factory, fill["instance"])
    task = {**fill, "task": legacy.id}
    got = client.get(f"{R}/task/{legacy.id}/form-variables", headers=fill["wang"]).json
    assert got["numberOfDays"] == {"type": "Long", "value": 1, "valueInfo": {}}
    assert got["employeeName"]["value"] == "Wang Wu"
    assert got["vacationApproved"] == {"type": "String", "value": None, "valueInfo": {}}
    refused = _submit(client, task)
    assert refused.status_code == 400
    message = refused.json["message"]
    assert "Do you approve this request? (vacationApproved)" in message
    assert "numberOfDays" not in message  # a legacy required field is met by its default
    assert "Employee" in _submit(client, task, vacationApproved="true",
                                 employeeName="X").json["message"]
    done = _submit(client, task, vacationApproved="true", startDate="24-12-2026")
    assert done.status_code == 204, done.json
    variables = _variables(uow_factory, fill["instance"])
    assert (variables["numberOfDays"], variables["vacationApproved"]) == (1, "true")
    assert variables["startDate"] == datetime(2026, 12, 24, tzinfo=UTC)
    assert variables["employeeName"] == "Wang Wu"


def test_generated_start_form(client, uow_factory, user):
    deploy_fixture(uow_factory, "generated_forms.bpmn")
    designer = user("designer1", "designer", "province:11:reviewer")
    base = f"{R}/process-definition/key/generated_forms"
    got = client.get(f"{base}/form-variables", headers=designer).json
    assert got == {"requester": {"type": "String", "value": None, "valueInfo": {}},
                   "budget": {"type": "Long", "value": 500, "valueInfo": {}}}
    html = client.get(f"{base}/rendered-form", headers=designer).get_data(as_text=True)
    assert ">Requester</label>" in html and 'value="500"' in html
    refused = client.post(f"{base}/submit-form", headers=designer, json={
        "variables": {"requester": {"value": "W", "type": "String"}}})
    assert refused.status_code == 400 and "Requester (requester)" in refused.json["message"]
    started = client.post(f"{base}/submit-form", headers=designer, json={
        "variables": {"requester": {"value": "Wang Wu", "type": "String"},
                      "province_code": {"value": "11", "type": "String"}}})
    assert started.status_code == 200, started.json
    variables = _variables(uow_factory, started.json["id"])
    assert (variables["requester"], variables["budget"]) == ("Wang Wu", 500)
