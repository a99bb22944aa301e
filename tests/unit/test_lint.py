"""`vocflow lint`: what would run, what becomes an external task, what is refused (no DB)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from api.cli import cli
from tests.factories import FIXTURES


def lint(*names: str, as_json: bool = True):
    args = (["--json"] if as_json else []) + ["lint", *(str(FIXTURES / n) for n in names)]
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def test_lint_lists_runs_topics_and_warnings():
    result = lint("compat_delegates.bpmn", "compat_gateway_true.bpmn")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["runs"] == ["compat_delegates.bpmn: process 'compat_delegates'",
                              "compat_gateway_true.bpmn: process 'compat_gateway_true'"]
    assert [line.split("topic ")[1].split(" ")[0] for line in report["external"]] == [
        "'ChargeCardDelegate'", "'mailBean'", "'ledger.book'"]
    assert any("'Flow_Any'" in w for w in report["warnings"])
    assert report["refused"] == []


def test_lint_refusal_exits_1_and_names_the_elements():
    result = lint("compat_refused.bpmn", as_json=False)
    assert result.exit_code == 1
    assert "拒绝部署 / refused:" in result.output
    assert "element 'Script_Groovy'" in result.output
    assert "element 'StartEvent_1'" in result.output


def test_lint_loads_the_operators_handler_modules(monkeypatch):
    """`vocflow lint` knows the handlers the worker will run (VOCFLOW_WORKER_HANDLERS), so a
    class listener with a registered handler is not refused; without the module it is."""
    from engine import external

    external.unregister_handler("AuditListener")
    before = json.loads(lint("compat_refused.bpmn").stdout)["refused"]
    assert any("AuditListener" in line for line in before)
    monkeypatch.setenv("VOCFLOW_WORKER_HANDLERS", "tests.listener_handlers")
    monkeypatch.delitem(__import__("sys").modules, "tests.listener_handlers", raising=False)
    try:
        after = json.loads(lint("compat_refused.bpmn").stdout)["refused"]
    finally:
        external.unregister_handler("AuditListener")
    assert not any("AuditListener" in line for line in after)
    assert any("Script_Groovy" in line for line in after)  # the rest is still refused


def test_lint_of_a_refused_set_still_lists_what_runs_alone():
    """One refused file refuses a deploy of the set; lint still says what the others do."""
    result = lint("compat_refused.bpmn", "compat_delegates.bpmn")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["runs"] == ["compat_delegates.bpmn: process 'compat_delegates'"]
    assert any("'ChargeCardDelegate'" in line for line in report["external"])
    assert any("element 'Script_Groovy'" in line for line in report["refused"])
    assert not any("compat_delegates" in line for line in report["refused"])
