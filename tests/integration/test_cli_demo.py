"""`vocflow demo` on a fresh embedded database: every stage exists, and a rerun is harmless."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from api.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def test_demo_loads_every_stage_and_reruns_cleanly(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VOCFLOW_DATABASE_URL", raising=False)
    monkeypatch.setenv("VOCFLOW_PROCESS_DIR", str(ROOT / "processes"))
    runner = CliRunner()
    first = runner.invoke(cli, ["demo"], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert (tmp_path / "var" / "vocflow.db").exists()
    assert "ops" in first.output and "reviewer44" in first.output
    listed = json.loads(runner.invoke(cli, ["--json", "instances"]).stdout)
    keys = {row["process"] for row in listed}
    assert {"unit_registration", "key_task_project"} <= keys
    stuck = json.loads(runner.invoke(cli, ["--json", "instances", "--stuck"]).stdout)
    assert any("incident" in json.dumps(row, ensure_ascii=False) for row in stuck)
    second = runner.invoke(cli, ["demo"], catch_exceptions=False)
    assert second.exit_code == 0 and "already loaded" in second.output
    again = json.loads(runner.invoke(cli, ["--json", "instances"]).stdout)
    assert len(again) == len(listed)
