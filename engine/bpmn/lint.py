"""What deploying these files would do, without a database: runs, topics, refusals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from engine.bpmn import delegates
from engine.bpmn.deployment import DeploymentRefused, parse_deployment
from engine.bpmn.normalize import normalize
from engine.bpmn.parser import safe_xml


@dataclass
class LintReport:
    runs: list[str] = field(default_factory=list)  # "file: process KEY"
    external: list[str] = field(default_factory=list)  # "file, element 'X': topic 'T' (...)"
    warnings: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def lint_files(files: Mapping[str, bytes]) -> LintReport:
    """Check files as one deployment; call activities may call processes among them.

    A refused set is checked again file by file, so that what would run on its own is
    still listed beside the refusals (a deploy of the set would refuse it all)."""
    try:
        return _lint_set(files)
    except DeploymentRefused as refused:
        problems = [str(p) for p in refused.problems]
    report = LintReport(refused=problems)
    if len(files) > 1:
        for name in files:
            try:
                alone = _lint_set({name: files[name]})
            except DeploymentRefused:
                continue  # its problems are among the set's
            report.runs += alone.runs
            report.external += alone.external
            report.warnings += alone.warnings
    return report


def _lint_set(files: Mapping[str, bytes]) -> LintReport:
    report = LintReport()
    parsed = parse_deployment(files, {}, set())
    report.runs = [f"{p.resource_name}: process '{p.key}'" for p in parsed.processes]
    report.runs += [f"{d.resource_name}: decision '{d.key}'" for d in parsed.decisions]
    report.warnings = [str(w) for w in parsed.warnings if "runs as external task" not in w.message]
    for name, content in files.items():
        if not name.endswith((".bpmn", ".bpmn20.xml")):
            continue
        root = safe_xml(content)
        normalize(root)
        for element_id, delegate in delegates.delegates_in(root):
            report.external.append(f"{name}, element '{element_id}': topic '{delegate.topic}' "
                                   f"(camunda:{delegate.kind} '{delegate.source}')")
    return report
