"""The diagrams pass bpmnlint with the rules Camunda Modeler shows in its problems panel
(`.bpmnlintrc`: bpmnlint:recommended + camunda-compat/camunda-platform-7-22), with no errors.

Needs Node.js. Uses the repository's node_modules when present; otherwise installs the
locked packages (`npm ci`) into a temporary copy. Skips, saying why, when Node.js is missing
or the packages cannot be installed (e.g. offline)."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BPMN_FILES = sorted((ROOT / "processes").glob("*.bpmn"))


def _run(cmd, cwd, timeout):
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def lint_dir(tmp_path_factory):
    if shutil.which("node") is None or shutil.which("npx") is None or shutil.which("npm") is None:
        pytest.skip("Node.js (node, npm, npx) is not on PATH: bpmnlint cannot run")
    if (ROOT / "node_modules" / "bpmnlint-plugin-camunda-compat").is_dir() and \
            (ROOT / "node_modules" / "bpmnlint").is_dir():
        return ROOT
    work = tmp_path_factory.mktemp("bpmnlint")
    for name in ("package.json", "package-lock.json", ".bpmnlintrc"):
        shutil.copy(ROOT / name, work / name)
    shutil.copytree(ROOT / "processes", work / "processes")
    try:
        result = _run(["npm", "ci", "--no-audit", "--no-fund"], work, timeout=300)
    except subprocess.TimeoutExpired:
        pytest.skip("`npm ci` for bpmnlint timed out (no registry access?)")
    if result.returncode != 0:
        pytest.skip("`npm ci` for bpmnlint failed (no registry access?): "
                    + (result.stderr.strip().splitlines() or ["?"])[-1])
    return work


@pytest.mark.slow
def test_bpmnlint_reports_no_errors(lint_dir):
    assert BPMN_FILES, "no diagrams in processes/"
    files = [str(p.relative_to(ROOT)) for p in BPMN_FILES]
    result = _run(["npx", "--no-install", "bpmnlint", *files], lint_dir, timeout=120)
    output = result.stdout + result.stderr
    error_lines = [line for line in output.splitlines() if "  error  " in line]
    assert result.returncode == 0 and not error_lines, "bpmnlint found errors:\n" + output
    # bpmnlint prints nothing at all for clean files; warnings are shown but do not fail
    print(output or "bpmnlint: no problems")
