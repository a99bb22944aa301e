"""Camunda's camunda:calledElementBinding: which version of a called process runs.

A call activity binds its callee when it is reached, as Camunda 7 does: `latest` (the
default) takes the newest version deployed at that moment, `deployment` the version deployed
with the caller, `version` the numbered one (camunda:calledElementVersion) and `versionTag`
the newest with that camunda:versionTag. A callee missing when reached is an incident there.

A definition's `calls` column lists each callee: its key (latest) or a rule
{"key", "binding", "version", "versionTag"}.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from engine.bpmn.checks import B, C, Problem

BINDINGS = ("latest", "deployment", "version", "versionTag")


@dataclass(frozen=True)
class CallRule:
    key: str
    binding: str = "latest"
    version: int | None = None
    version_tag: str | None = None

    def stored(self) -> str | dict[str, Any]:
        if self.binding == "latest":
            return self.key
        return {"key": self.key, "binding": self.binding, "version": self.version,
                "versionTag": self.version_tag}


def rule_of(entry: str | dict[str, Any]) -> CallRule:
    """A stored `calls` entry (a key, or a rule written by call_rules) as a CallRule."""
    if isinstance(entry, str):
        return CallRule(entry)
    return CallRule(str(entry["key"]), str(entry.get("binding") or "latest"),
                    entry.get("version"), entry.get("versionTag"))


def call_rules(file: str, process: etree._Element, deployed: set[str],
               in_deployment: set[str]) -> tuple[list[CallRule], list[Problem], list[Problem]]:
    """(rules, problems, warnings) of the process's call activities."""
    rules: list[CallRule] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for call in process.iter(f"{B}callActivity"):
        target = (call.get("calledElement") or "").strip()
        binding = call.get(f"{C}calledElementBinding") or "latest"

        def refuse(message: str, node: etree._Element = call) -> None:
            problems.append(Problem(file, node.get("id"), node.sourceline, message))

        if binding not in BINDINGS:
            refuse(f"camunda:calledElementBinding '{binding}' is not one of "
                   f"{', '.join(BINDINGS)}")
            continue
        version = call.get(f"{C}calledElementVersion")
        tag = call.get(f"{C}calledElementVersionTag")
        if binding == "version" and not (version or "").strip().isdigit():
            refuse("camunda:calledElementBinding 'version' needs a number in "
                   "camunda:calledElementVersion")
            continue
        if binding == "versionTag" and not (tag or "").strip():
            refuse("camunda:calledElementBinding 'versionTag' needs "
                   "camunda:calledElementVersionTag")
            continue
        if binding == "deployment" and target not in in_deployment:
            refuse(f"call activity binds '{target}' from its own deployment, which has no "
                   "such process")
            continue
        if target not in deployed | in_deployment:
            warnings.append(Problem(file, call.get("id"), call.sourceline, (
                f"call activity calls process '{target}', which is not deployed yet: it is "
                "looked up when the call activity is reached (an incident there if still "
                "missing)")))
        rules.append(CallRule(target, binding, int(version) if binding == "version" and version
                              else None, tag.strip() if binding == "versionTag" and tag
                              else None))
    return rules, problems, warnings


def version_tag(process_xml: str, key: str) -> str | None:
    """camunda:versionTag of process `key` in a stored definition's XML."""
    root = etree.fromstring(process_xml.encode("utf-8"),
                            etree.XMLParser(resolve_entities=False, no_network=True))
    for process in root.iter(f"{B}process"):
        if process.get("id") == key:
            tag = process.get(f"{C}versionTag")
            return None if tag is None else str(tag)
    return None


# resolver(key, bound so far) -> (callee definition id, {key: spec, **embedded}) or None
Resolver = Callable[[str, dict[str, str]], "tuple[str, dict[str, Any]] | None"]


class LateSpecs(dict[str, Any]):
    """A workflow's subprocess specs that bind a called process the first time it is asked for.

    SpiffWorkflow asks `key in workflow.subprocess_specs` when a call activity starts; the
    resolver (set by the service for each unit of work) finds the callee by its rule and
    returns its definition id and specs, or None (the call activity then fails there).
    `bound` keeps what was bound so, for the instance row.
    """

    resolver: Resolver | None = None

    def __init__(self, specs: dict[str, Any]) -> None:
        super().__init__(specs)
        self.bound: dict[str, str] = {}

    def _resolve(self, key: str) -> Any:
        if self.resolver is None:
            return None
        found = self.resolver(key, self.bound)
        if not found:
            return None
        definition_id, specs = found
        self.bound[key] = definition_id
        self.update(specs)
        return specs.get(key)

    def __missing__(self, key: str) -> Any:
        found = self._resolve(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or (isinstance(key, str)
                                                and self._resolve(key) is not None)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default


def bind_late(workflow: Any, resolver: Resolver) -> None:
    """Give the workflow's subprocess specs a resolver for callees not bound yet."""
    specs = workflow.subprocess_specs
    if not isinstance(specs, LateSpecs):
        specs = LateSpecs(specs or {})  # a copy: the shared cached dict stays untouched
        workflow.subprocess_specs = specs
    specs.resolver = resolver


def late_bound(workflow: Any) -> dict[str, str]:
    """Callee key -> definition id of every call bound while the workflow ran."""
    specs = workflow.subprocess_specs
    return dict(specs.bound) if isinstance(specs, LateSpecs) else {}


def keys_of(entries: Iterable[str | dict[str, Any]]) -> list[str]:
    return [rule_of(e).key for e in entries]
