"""Generated task forms in the engine: deploy-time refusals naming element, line and field;
the form as JSON Schema on the task's form view; a ${var} default of an unset variable."""

from __future__ import annotations

import pytest

from engine import service
from engine.errors import ProcessDefinitionError
from engine.service import SYSTEM_ACTOR, scopes
from tests.factories import FIXTURES, NOW, deploy_fixture, open_tasks, start


def _broken() -> bytes:
    """generated_forms.bpmn with an unknown field type and a min constraint of "abc"."""
    text = (FIXTURES / "generated_forms.bpmn").read_text()
    for good, bad in (('type="boolean" />', 'type="money" />'),
                      ('name="min" config="1"', 'name="min" config="abc"')):
        assert good in text
        text = text.replace(good, bad)
    return text.encode()


def test_an_unknown_type_and_a_bad_constraint_config_are_refused_at_deploy(uow_factory):
    files = {"generated_form_bad.bpmn": _broken()}
    with pytest.raises(ProcessDefinitionError) as refused, uow_factory() as uow:
        service.deploy(uow, files, SYSTEM_ACTOR, NOW)
    message = refused.value.message
    assert ("line 28, element 'Task_Fill': form field 'approved': unknown type 'money'"
            in message), message
    assert ("line 24, element 'Task_Fill': form field 'amount': constraint 'min' needs a "
            "number as its config, not 'abc'" in message), message


def test_the_task_form_is_the_generated_form_as_json_schema(uow_factory):
    deploy_fixture(uow_factory, "generated_forms.bpmn")
    instance = start(uow_factory, "generated_forms", province_code="11", requester="Wang Wu",
                     amount=42)
    [task] = open_tasks(uow_factory, instance.id)
    with uow_factory() as uow:
        form = scopes.task_form(uow, task.id, SYSTEM_ACTOR)
    schema = form.form_schema
    assert schema is not None and schema["title"] == "Fill in the request"
    assert schema["required"] == ["amount"]
    props = schema["properties"]
    assert list(props) == ["amount", "approved", "kind", "comment", "due", "requester"]
    assert props["amount"] == {"title": "Amount", "type": "integer", "x-camunda-type": "long",
                               "minimum": 1, "maximum": 1000, "default": 42}
    assert props["kind"]["enum"] == ["a", "b"]
    assert props["kind"]["x-enum-labels"] == {"a": "Option A", "b": "Option B"}
    assert props["comment"]["minLength"] == 3 and props["comment"]["maxLength"] == 20
    assert props["due"]["format"] == "date" and props["due"]["default"] == "2026-12-15"
    assert props["requester"]["readOnly"] is True
    assert props["requester"]["default"] == "Wang Wu"


def test_a_default_naming_an_unset_variable_leaves_the_field_empty(uow_factory):
    deploy_fixture(uow_factory, "generated_forms.bpmn")
    instance = start(uow_factory, "generated_forms", province_code="11")
    [task] = open_tasks(uow_factory, instance.id)
    with uow_factory() as uow:
        form = scopes.task_form(uow, task.id, SYSTEM_ACTOR)
    assert form.form_schema is not None
    assert "default" not in form.form_schema["properties"]["requester"]
