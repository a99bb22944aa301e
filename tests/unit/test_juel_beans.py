"""JUEL over registered beans and a task listener's `task` (no database)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine import expressions


class Mailer:
    sender = "ops@example.cn"

    def send(self, to: str) -> str:
        return f"sent to {to}"

    def _secret(self) -> str:
        return "hidden"


@pytest.fixture
def mailer() -> Iterator[None]:
    expressions.register_bean("mailer", Mailer())
    yield
    expressions.unregister_bean("mailer")


def test_bean_methods_and_properties_evaluate(mailer):
    assert expressions.evaluate("${mailer.send(who)}", {"who": "li"}, "text") == "sent to li"
    assert expressions.evaluate("from ${mailer.sender}", {}, "text") == "from ops@example.cn"


@pytest.mark.parametrize(("expr", "reason"), [
    ("${mailer.nope(1)}", "bean 'mailer' has no public method 'nope'"),
    ("${mailer.sender()}", "bean 'mailer' has no public method 'sender'"),
    ("${mailer.send}", "bean 'mailer' has no public property 'send'"),
    ("${mailer._secret()}", "names starting with '_' are private"),
    ("${ghost.send(1)}", "'ghost' is not a registered bean; registered beans: mailer"),
])
def test_unknown_beans_and_members_are_refused_when_checked(mailer, expr, reason):
    with pytest.raises(expressions.ExpressionError) as refused:
        expressions.check_expression(expr, "text")
    assert reason in str(refused.value)


def test_a_compiled_bean_call_is_recompiled_when_the_registry_changes(mailer):
    assert expressions.evaluate("${mailer.send('a')}", {}, "text") == "sent to a"
    expressions.unregister_bean("mailer")
    with pytest.raises(expressions.ExpressionError):
        expressions.check_expression("${mailer.send('a')}", "text")
    expressions.register_bean("mailer", Mailer())


def test_task_properties_getters_and_set_variable_in_juel():
    task = expressions.DelegateTask({"id": "t1", "name": "审核", "assignee": "li",
                                     "eventName": "assignment",
                                     "taskDefinitionKey": "Task_Review"}, {"n": 2})
    text = "${task.assignee}/${task.getName()}/${task.eventName}/${task.getVariable('n')}"
    assert expressions.evaluate(text, {"task": task}, "text") == "li/审核/assignment/2"
    expressions.evaluate("${task.setVariable('seen', task.getTaskDefinitionKey())}",
                         {"task": task}, "text")
    assert task.changes() == {"seen": "Task_Review"}
    with pytest.raises(ValueError, match="invalid variable name"):
        task.setVariable("_private", 1)


def test_execution_set_variable_goes_to_the_scopes_change_list():
    changes: dict = {}
    expressions.evaluate("${execution.setVariable('k', execution.processBusinessKey)}",
                         {"business_key": "bk-1", "_vf_set": changes}, "text")
    assert changes == {"k": "bk-1"}


def test_bean_names_must_be_identifiers():
    with pytest.raises(ValueError, match="must be an identifier"):
        expressions.register_bean("my-bean", object())
