"""The diagrams pass bpmnlint with the rules Camunda Modeler shows in its problems panel
(`.bpmnlintrc`: bpmnlint:recommended + camunda-compat/camunda-platform-7-22), with no errors:
the product diagrams in processes/ and the test fixtures in tests/fixtures/ (except the
deliberately broken ones listed in FIXTURE_EXEMPT; tests/processes/test_fixture_diagrams.py
checks their BPMNDI).

Needs Node.js. Uses the repository's node_modules when present; otherwise installs the
locked packages (`npm ci`) into a temporary copy. Skips, saying why, when Node.js is missing
or the packages cannot be installed (e.g. offline)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BPMN_FILES = sorted((ROOT / "processes").glob("*.bpmn"))
FIXTURES = ROOT / "tests" / "fixtures"
# Fixtures that are deliberately not valid Camunda diagrams, file name -> reason. None today:
# the refusal tests (tests/integration/test_refusals.py, test_message_throw.py, test_cli.py,
# tests/api/test_definitions.py, tests/api/engine_rest/test_rest_modeler.py) build their
# broken XML in code, from a valid fixture or from scratch, and never from a file here.
FIXTURE_EXEMPT: dict[str, str] = {
    # Camunda 7 runs what these draw and bpmnlint flags; tests/integration/test_compat.py
    # checks that VocFlow runs them as Camunda does.
    "compat_gateway_true.bpmn": "a gateway flow without a condition (Camunda: true)",
    "compat_implicit.bpmn": "implicit start, end and split (Camunda runs them)",
    "compat_no_start.bpmn": "a process without a start event (BPMN 10.5.2: every node "
                            "without an incoming flow starts)",
    "mi_loop_data_input.bpmn": "BPMN's loopDataInputRef naming a variable, as Camunda 7's "
                               "engine tests write it (bpmnlint wants a dataInput id)",
    "compat_undeclared_error.bpmn": "an errorRef naming no bpmn:error, which Camunda 7 throws "
                                    "and catches as the error code itself",
    "compat_esp_without_end.bpmn": "event subprocesses without an end event (implicit ends, "
                                   "as Camunda 7's engine tests draw them)",
    "compat_qname_refs.bpmn": "messageRef/signalRef written as QNames (tns:Message_Order), "
                              "which Camunda 7 resolves and bpmn-moddle does not",
}
FIXTURE_FILES = sorted(p for p in FIXTURES.glob("*.bpmn") if p.name not in FIXTURE_EXEMPT)
# Warnings the fixtures keep on purpose, (file, rule) -> why. Any other warning fails.
FIXTURE_WARNINGS = {
    ("gateways.bpmn", "no-inclusive-gateway"): "the fixture tests inclusive gateways",
    ("loop_review.bpmn", "fake-join"): "a join gateway would add a task per round and change "
                                       "what bench/engine_step.py measures",
    ("loop_review_script.bpmn", "fake-join"): "loop_review.bpmn plus a script task, for the "
                                              "same bench",
    ("script_pingpong_gw.bpmn", "fake-join"): "the loop back is the point of the fixture",
    ("compat_take_listeners.bpmn", "fake-join"): "two flows into one end event, as Camunda "
                                                "users draw it: the process end listener "
                                                "must lead both through",
}


def _run(cmd, cwd, timeout):
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          check=False)


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
    shutil.copytree(FIXTURES, work / "tests" / "fixtures")
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


def _problems(output: str) -> list[tuple[str, str, str, str]]:
    """bpmnlint's text report as (file name, element id, level, rule) rows."""
    rows, current = [], ""
    for line in output.splitlines():
        if line.endswith(".bpmn") and not line.startswith(" "):
            current = Path(line.strip()).name
        elif line.startswith("  ") and current:
            parts = re.split(r"\s{2,}", line.strip())
            if len(parts) >= 4 and parts[1] in ("error", "warning", "info"):
                rows.append((current, parts[0], parts[1], parts[-1]))
    return rows


def test_fixture_exemptions_name_existing_files():
    names = {p.name for p in FIXTURES.glob("*.bpmn")}
    assert set(FIXTURE_EXEMPT) <= names
    assert {f for f, _ in FIXTURE_WARNINGS} <= names - set(FIXTURE_EXEMPT)


@pytest.mark.slow
def test_bpmnlint_reports_no_errors_in_fixtures(lint_dir):
    assert FIXTURE_FILES, "no diagrams in tests/fixtures/"
    files = [str(p.relative_to(ROOT)) for p in FIXTURE_FILES]
    result = _run(["npx", "--no-install", "bpmnlint", *files], lint_dir, timeout=120)
    output = result.stdout + result.stderr
    rows = _problems(output)
    errors = [r for r in rows if r[2] == "error"]
    assert result.returncode == 0 and not errors, "bpmnlint found errors:\n" + output
    unexpected = [r for r in rows if (r[0], r[3]) not in FIXTURE_WARNINGS]
    assert not unexpected, "new bpmnlint warnings in fixtures:\n" + output
    assert {(r[0], r[3]) for r in rows} == set(FIXTURE_WARNINGS), "stale FIXTURE_WARNINGS"
