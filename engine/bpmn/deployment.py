"""Turn deployed files into checked process specs and decisions, or a list of problems."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.bpmn import calls, delegates, dmn
from engine.bpmn.checks import B, C, Problem, check_tree, check_warnings
from engine.bpmn.codec import dump_spec
from engine.bpmn.normalize import normalize
from engine.bpmn.parser import VocFlowParser, safe_xml, xsd_errors

DMN_NAMESPACES = (
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
)


@dataclass
class ParsedProcess:
    key: str
    name: str | None
    resource_name: str
    source_xml: str
    sha256: str
    spec_json: dict[str, Any]
    calls: list[str | dict[str, Any]]  # engine.bpmn.calls: a key or a binding rule
    timer_starts: list[dict[str, Any]] = field(default_factory=list)
    message_starts: list[str] = field(default_factory=list)
    external_topics: list[str] = field(default_factory=list)


@dataclass
class ParsedDecision:
    key: str
    name: str | None
    resource_name: str
    source_xml: str
    sha256: str


@dataclass
class ParsedRequirements:
    """A DMN file's <definitions>: Camunda's decision requirements definition (key: its
    id, or the file's name without suffix when it has none). Made, as Camunda makes it,
    only for a file of more than one decision."""

    key: str
    name: str | None
    resource_name: str


@dataclass
class ParsedDeployment:
    processes: list[ParsedProcess]
    decisions: list[ParsedDecision]
    other: list[str]
    warnings: list[Problem] = field(default_factory=list)
    requirements: list[ParsedRequirements] = field(default_factory=list)


class DeploymentRefused(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


_DECLARED_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")


def xml_text(content: bytes, root: etree._Element) -> str:
    """The file as text in the encoding lxml read it with (UTF-16 too), declared as UTF-8.

    The text is stored and later parsed again from its UTF-8 bytes, so its declaration must
    name UTF-8; nothing else of the file changes.
    """
    encoding = root.getroottree().docinfo.encoding or "utf-8"
    try:
        text = content.decode(encoding).removeprefix("\ufeff")
    except (LookupError, UnicodeDecodeError):  # an encoding lxml knows and Python does not
        text = '<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(
            root.getroottree(), encoding="unicode")
    return _DECLARED_ENCODING.sub(r"\1\2UTF-8\2", text, count=1)


def parse_deployment(
    files: Mapping[str, bytes],
    deployed_decisions: Mapping[str, str],
    deployed_process_keys: set[str],
) -> ParsedDeployment:
    """Check and parse every file; raise DeploymentRefused listing every problem found."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    bpmn: dict[str, etree._Element] = {}
    dmn_roots: dict[str, etree._Element] = {}
    other: list[str] = []
    for name, content in files.items():
        if not name.endswith((".bpmn", ".bpmn20.xml", ".dmn", ".dmn11.xml")):
            other.append(name)
            continue
        try:
            root = safe_xml(content)
        except ValueError as exc:
            line = str(exc).split(":", 1)[0].removeprefix("line ")
            problems.append(Problem(name, None, int(line) if line.isdigit() else None,
                                    str(exc).split(": ", 1)[-1]))
            continue
        if etree.QName(root).namespace in DMN_NAMESPACES:
            problems.extend(Problem(name, *flaw) for flaw in dmn.check_dmn(name, root))
            dmn_roots[name] = root
        else:
            normalize(root)
            problems.extend(Problem(name, _id_at_line(root, line), line, f"schema: {msg}")
                            for line, msg in xsd_errors(root))
            problems.extend(check_tree(name, root))
            warnings.extend(check_warnings(name, root))
            bpmn[name] = root
    if not bpmn and not dmn_roots and not problems:
        problems.append(Problem(", ".join(files) or "(none)", None, None,
                                "the deployment contains no .bpmn or .dmn file"))
    if problems:
        raise DeploymentRefused(problems)
    decisions = [_decision(name, root, files[name]) for name, root in dmn_roots.items()]
    processes = _processes(bpmn, dmn_roots, files, deployed_decisions, deployed_process_keys,
                           warnings)
    requirements = [ParsedRequirements(root.get("id") or name.split("/")[-1].split(".")[0],
                                       root.get("name"), name)
                    for (name, root), found in zip(dmn_roots.items(), decisions, strict=True)
                    if len(found) > 1]
    return ParsedDeployment(processes, [d for ds in decisions for d in ds], other, warnings,
                            requirements)


def _id_at_line(root: etree._Element, line: int | None) -> str | None:
    """The id of the element (or its nearest identified ancestor) that starts on a line."""
    for node in root.iter():
        if isinstance(node.tag, str) and node.sourceline == line:
            while node is not None and node.get("id") is None:
                node = node.getparent()
            return node.get("id") if node is not None else None
    return None


def _decision(name: str, root: etree._Element, content: bytes) -> list[ParsedDecision]:
    found = []
    for node in root:
        if isinstance(node.tag, str) and etree.QName(node).localname == "decision":
            found.append(ParsedDecision(node.get("id"), node.get("name"), name,
                                        xml_text(content, root), _digest(content)))
    return found


def _processes(
    bpmn: dict[str, etree._Element],
    dmn: dict[str, etree._Element],
    files: Mapping[str, bytes],
    deployed_decisions: Mapping[str, str],
    deployed_process_keys: set[str],
    warnings: list[Problem],
) -> list[ParsedProcess]:
    parser = VocFlowParser()
    problems: list[Problem] = []
    new_decisions = {d.get("id") for root in dmn.values() for d in root if isinstance(d.tag, str)}
    for key, xml in deployed_decisions.items():
        if key not in new_decisions:
            parser.add_dmn_xml(etree.fromstring(xml.encode("utf-8")), filename=f"{key}.dmn")
    for name, root in dmn.items():
        try:
            parser.add_dmn_xml(root, filename=name)
        except (SpiffWorkflowException, etree.LxmlError, KeyError, AttributeError) as exc:
            problems.append(Problem(name, None, None, f"DMN cannot be parsed: {exc}"))
    decisions = set(deployed_decisions) | {k for k in new_decisions if k}
    known = {p.get("id") for root in bpmn.values() for p in root.iterchildren(f"{B}process")}
    for name, root in bpmn.items():
        try:
            parser.add_bpmn_xml(root, filename=name)
        except ValidationException as exc:
            problems.append(_validation_problem(name, root, exc))
    result = []
    for name, root in bpmn.items():
        for process in root.iterchildren(f"{B}process"):
            if process.get("isExecutable", "true") != "true":
                continue
            unknown = _unknown_decisions(name, process, decisions)
            problems.extend(unknown)
            rules, refused, notes = calls.call_rules(name, process, deployed_process_keys, known)
            problems.extend(refused)
            warnings.extend(notes)
            # An unknown decision: SpiffWorkflow would only say the same again.
            parsed = None if unknown else _one_process(parser, name, process, files[name],
                                                       problems)
            if parsed is not None:
                parsed.calls = [r.stored() for r in rules]
                result.append(parsed)
    if problems:
        raise DeploymentRefused(problems)
    return result


def _unknown_decisions(name: str, process: etree._Element, known: set[str]) -> list[Problem]:
    return [
        Problem(name, task.get("id"), task.sourceline,
                f"business rule task refers to unknown decision '{ref}'" if ref else
                "a business rule task needs camunda:decisionRef (the DMN decision it "
                'evaluates), or camunda:type="external" and a camunda:topic')
        for task in process.iter(f"{B}businessRuleTask")
        if (ref := task.get(f"{C}decisionRef")) not in known
    ]


def _validation_problem(name: str, root: etree._Element, exc: ValidationException) -> Problem:
    element_id = getattr(exc, "id", None) or None
    line = None
    if element_id:
        hits = root.xpath("//*[@id=$id]", id=element_id)
        line = hits[0].sourceline if hits else None
    message = str(exc).split("\n")[0]
    return Problem(name, element_id, line, message)


def _one_process(
    parser: VocFlowParser,
    name: str,
    process: etree._Element,
    content: bytes,
    problems: list[Problem],
) -> ParsedProcess | None:
    key = process.get("id")
    try:
        spec = parser.get_spec(key)
        embedded = {
            sub.get("id"): dump_spec(parser.get_spec(sub.get("id")))
            for sub in process.iter(f"{B}subProcess", f"{B}transaction")
        }
        spec_json = {"spec": dump_spec(spec), "embedded": embedded}
    except (SpiffWorkflowException, KeyError, AttributeError, TypeError, ValueError) as exc:
        if isinstance(exc, ValidationException):
            problems.append(_validation_problem(name, process, exc))
        else:
            problems.append(Problem(name, key, process.sourceline, f"cannot be built: {exc}"))
        return None
    return ParsedProcess(
        key=key, name=process.get("name"), resource_name=name,
        source_xml=xml_text(content, process.getroottree().getroot()),
        sha256=_digest(content), spec_json=spec_json,
        calls=[], timer_starts=_timer_starts(process),
        message_starts=_message_starts(process),
        external_topics=sorted({d.topic for _, d in delegates.delegates_in(process)}),
    )


def _timer_starts(process: etree._Element) -> list[dict[str, Any]]:
    starts = []
    for start in process.iterchildren(f"{B}startEvent"):
        timer = start.find(f"{B}timerEventDefinition")
        if timer is None:
            continue
        for kind in ("timeDate", "timeCycle", "timeDuration"):
            node = timer.find(f"{B}{kind}")
            if node is not None:
                starts.append({"element_id": start.get("id"), "kind": kind,
                               "expression": (node.text or "").strip()})
    return starts


def _message_starts(process: etree._Element) -> list[str]:
    root = process.getroottree().getroot()
    names = {m.get("id"): m.get("name") for m in root.iterchildren(f"{B}message")}
    found = []
    for start in process.iterchildren(f"{B}startEvent"):
        msg = start.find(f"{B}messageEventDefinition")
        if msg is not None and msg.get("messageRef") in names:
            found.append(names[msg.get("messageRef")])
    return found


__all__ = ["C", "DeploymentRefused", "ParsedDeployment", "parse_deployment"]
