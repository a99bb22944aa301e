"""The `vocflow` command end to end, on SQLite and PostgreSQL, with real commits."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from api.cli import cli
from tests.conftest import truncate
from tests.factories import FIXTURES

STRONG = "Qiuyue-7-plum-river"  # passes the password rule


@pytest.fixture
def run(db_engine, monkeypatch):
    monkeypatch.setenv("VOCFLOW_DATABASE_URL",
                       db_engine.url.render_as_string(hide_password=False))
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True):
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    yield invoke
    truncate(db_engine)


def _json(result) -> object:
    return json.loads(result.stdout)


def test_deploy_start_claim_complete_show(run):
    deployed = _json(run("--json", "deploy", str(FIXTURES / "review.bpmn")))
    assert [d["key"] for d in deployed] == ["simple_review"]
    again = run("deploy", str(FIXTURES / "review.bpmn"))
    assert "unchanged" in again.output
    run("users", "add", "wang", "--password", STRONG, "--group", "province:11:reviewer")
    started = _json(run("--json", "start", "simple_review", "--var", "province_code=11",
                        "--var", "review_due=2026-12-15T23:59:00+08:00",
                        "--business-key", "B-1", "--user", "wang"))
    assert started["status"] == "running"
    [task] = _json(run("--json", "tasks", "--user", "wang"))
    assert task["due_at"] == "2026-12-15T15:59:00+00:00"
    claimed = _json(run("--json", "claim", task["id"], "--user", "wang"))
    assert claimed["assignee"] == "wang"
    done = _json(run("--json", "complete", task["id"], "--user", "wang",
                     "--data", '{"approved": true, "score": 90}'))
    assert done["status"] == "completed"
    shown = _json(run("--json", "show", started["id"]))
    assert shown["variables"]["result"] == "approved"
    assert [h["action"] for h in shown["history"]] == [
        "instance_started", "task_claimed", "task_completed", "instance_completed"]
    assert shown["history"][1]["actor"] == "wang"
    listed = _json(run("--json", "instances", "--business-key", "B-1"))
    assert [i["status"] for i in listed] == ["completed"]


def test_bad_diagram_is_refused_with_element_and_line(run, tmp_path):
    bad = tmp_path / "bad.bpmn"
    bad.write_text((FIXTURES / "review.bpmn").read_text(encoding="utf-8").replace(
        "${approved &amp;&amp; score &gt;= 60}", "${approved &amp;&amp;}"), encoding="utf-8")
    result = run("deploy", str(bad), ok=False)
    assert result.exit_code == 1
    assert "bad.bpmn" in result.output and "Flow_Approve" in result.output
    assert "line 36" in result.output or ":36" in result.output
    assert _json(run("--json", "definitions")) == []


def test_complete_by_outsider_is_refused(run):
    run("deploy", str(FIXTURES / "review.bpmn"))
    run("users", "add", "li", "--password", STRONG, "--group", "province:44:reviewer")
    run("start", "simple_review", "--var", "province_code=11", "--var", "review_due=")
    assert _json(run("--json", "tasks", "--user", "li")) == []
    [task] = _json(run("--json", "tasks", "--group", "province:11:reviewer"))
    result = run("complete", task["id"], "--user", "li", "--data", "{}", ok=False)
    # Out of scope looks like absent: nothing leaks about what exists.
    assert result.exit_code == 1 and "not_found" in result.output


def test_tasks_by_group_lists_only_that_groups_tasks(run):
    run("deploy", str(FIXTURES / "review.bpmn"))
    for code in ("11", "44"):
        run("start", "simple_review", "--var", f"province_code={code}",
            "--var", "review_due=2026-12-15T23:59:00+08:00")
    [task] = _json(run("--json", "tasks", "--group", "province:44:reviewer"))
    assert task["groups"] == "province:44:reviewer"
    assert _json(run("--json", "tasks", "--group", "province:12:reviewer")) == []
    assert len(_json(run("--json", "tasks"))) == 2
