"""Structural checks on the diagrams in processes/: what Camunda Modeler needs to open them
(complete BPMNDI, Camunda 7 attributes) and what the engine relies on (form keys, candidate
groups, external-task topics, call activities resolvable, the DMN parses)."""

import re
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.camunda.parser import CamundaParser

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
BPMN_FILES = sorted(PROCESSES.glob("*.bpmn"))
DMN_FILES = sorted(PROCESSES.glob("*.dmn"))

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
    "modeler": "http://camunda.org/schema/modeler/1.0",
    "dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "dmndi": "https://www.omg.org/spec/DMN/20191111/DMNDI/",
}
CAMUNDA = "{{{}}}".format(NS["camunda"])
MODELER = "{{{}}}".format(NS["modeler"])

EXPECTED_PROCESSES = {
    "unit_registration",
    "key_task_project",
    "provincial_review",
    "annual_assessment",
    "provincial_summary",
    "annual_cycle",
}
FORM_KEYS = {
    "unit_registration",
    "registration_verification",
    "plan_submission",
    "review_decision",
    "recommendation",
    "ministry_confirmation",
    "annual_report",
    "provincial_assessment",
    "provincial_summary",
    "summary_acknowledgement",
}
TOPICS = {"notify", "create_unit_account", "open_provincial_summaries"}
NOTIFY_TEMPLATES = {
    "reminder_7d",
    "reminder_1d",
    "deadline_passed",
    "review_result",
    "recommendation_result",
    "rating_result",
}
GROUP_PATTERNS = [
    re.compile(r"^unit:\$\{unit_id\}$"),
    re.compile(r"^province:\$\{province_code\}:reviewer$"),
    re.compile(r"^ministry:\$\{key_task\}$"),
]
# bpmn elements that are flow nodes (all get a BPMNShape)
FLOW_NODE_TAGS = [
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "task",
    "userTask",
    "serviceTask",
    "scriptTask",
    "businessRuleTask",
    "sendTask",
    "receiveTask",
    "manualTask",
    "callActivity",
    "subProcess",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
]
CJK = re.compile(r"[\u4e00-\u9fff]")
ISO_TIMER = re.compile(
    r"^(R\d*/)?("
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})"
    r"|P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?"
    r")(/P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?)?$"
)
SIMPLE_EXPR = re.compile(r"^\$\{[^${}]+\}$")


def _tree(path):
    return etree.parse(str(path))


def _flow_nodes(tree):
    nodes = []
    for tag in FLOW_NODE_TAGS:
        nodes.extend(tree.iterfind(f".//bpmn:process//bpmn:{tag}", NS))
    return nodes


def test_expected_files_exist():
    assert {p.stem for p in BPMN_FILES} >= EXPECTED_PROCESSES
    assert (PROCESSES / "assessment_rating.dmn").exists()


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
class TestBpmnFile:
    def test_camunda_modeler_header(self, path):
        root = _tree(path).getroot()
        assert root.nsmap.get("camunda") == NS["camunda"], "Camunda 7 namespace missing"
        assert root.get("exporter") == "Camunda Modeler"
        assert root.get(MODELER + "executionPlatform") == "Camunda Platform"
        assert root.get(MODELER + "executionPlatformVersion") == "7.22.0"

    def test_processes_executable_and_named_after_file(self, path):
        processes = _tree(path).findall("bpmn:process", NS)
        assert processes, "no process"
        for proc in processes:
            assert proc.get("isExecutable") == "true", proc.get("id")
            assert CJK.search(proc.get("name") or ""), (
                f"process {proc.get('id')} needs a Chinese name"
            )
        assert path.stem in {p.get("id") for p in processes}

    def test_every_element_has_di(self, path):
        tree = _tree(path)
        shapes = {s.get("bpmnElement"): s for s in tree.iterfind(".//bpmndi:BPMNShape", NS)}
        edges = {e.get("bpmnElement"): e for e in tree.iterfind(".//bpmndi:BPMNEdge", NS)}
        for node in _flow_nodes(tree):
            shape = shapes.get(node.get("id"))
            assert shape is not None, f"{node.get('id')} has no BPMNShape"
            bounds = shape.find("dc:Bounds", NS)
            assert bounds is not None and float(bounds.get("width")) > 0, node.get("id")
            if node.get("name") and etree.QName(node).localname.endswith(("Event", "Gateway")):
                assert shape.find("bpmndi:BPMNLabel/dc:Bounds", NS) is not None, (
                    f"{node.get('id')}: external label without bounds"
                )
        for flow in tree.iterfind(".//bpmn:process//bpmn:sequenceFlow", NS):
            edge = edges.get(flow.get("id"))
            assert edge is not None, f"{flow.get('id')} has no BPMNEdge"
            assert len(edge.findall("di:waypoint", NS)) >= 2, flow.get("id")
            if flow.get("name"):
                assert edge.find("bpmndi:BPMNLabel/dc:Bounds", NS) is not None, flow.get("id")

    def test_names_are_chinese_and_ids_readable(self, path):
        tree = _tree(path)
        for node in _flow_nodes(tree):
            node_id, name = node.get("id"), node.get("name")
            assert re.fullmatch(r"[A-Z][A-Za-z0-9]*_[A-Za-z0-9_]+", node_id), (
                f"unreadable id {node_id}"
            )
            tag = etree.QName(node).localname
            joining_gateway = (
                tag.endswith("Gateway") and len(node.findall("bpmn:outgoing", NS)) <= 1
            )
            if joining_gateway and not name:
                continue
            assert name and CJK.search(name), f"{node_id} needs a Chinese name"
        for flow in tree.iterfind(".//bpmn:process//bpmn:sequenceFlow", NS):
            assert flow.get("id").startswith("Flow_"), flow.get("id")
            if flow.find("bpmn:conditionExpression", NS) is not None or flow.get("name"):
                assert CJK.search(flow.get("name") or ""), f"{flow.get('id')} needs a Chinese name"

    def test_user_tasks(self, path):
        for task in _tree(path).iterfind(".//bpmn:userTask", NS):
            tid = task.get("id")
            assert task.get(CAMUNDA + "formKey") in FORM_KEYS, f"{tid}: unknown camunda:formKey"
            groups = task.get(CAMUNDA + "candidateGroups")
            users = task.get(CAMUNDA + "candidateUsers")
            assert groups or users == "${initiator}", f"{tid}: no camunda:candidateGroups"
            if groups:
                for group in groups.split(","):
                    assert any(p.match(group.strip()) for p in GROUP_PATTERNS), (
                        f"{tid}: group {group}"
                    )
            due = task.get(CAMUNDA + "dueDate")
            if due:
                assert SIMPLE_EXPR.match(due) or ISO_TIMER.match(due), f"{tid}: dueDate {due}"

    def test_service_tasks_are_external(self, path):
        for task in _tree(path).iterfind(".//bpmn:serviceTask", NS):
            tid = task.get("id")
            assert task.get(CAMUNDA + "type") == "external", tid
            topic = task.get(CAMUNDA + "topic")
            assert topic in TOPICS, f"{tid}: topic {topic}"
            params = {
                p.get("name"): (p.text or "")
                for p in task.iterfind(
                    "bpmn:extensionElements/camunda:inputOutput/camunda:inputParameter", NS
                )
            }
            if topic == "notify":
                assert params.get("template") in NOTIFY_TEMPLATES, f"{tid}: template"
                assert any(p.match(params.get("recipients", "")) for p in GROUP_PATTERNS), (
                    f"{tid}: recipients"
                )
            if topic == "open_provincial_summaries":
                assert "year" in params, tid

    def test_gateways_and_flows(self, path):
        tree = _tree(path)
        flows = {f.get("id"): f for f in tree.iterfind(".//bpmn:sequenceFlow", NS)}
        for gw in tree.iterfind(".//bpmn:exclusiveGateway", NS):
            outgoing = [o.text for o in gw.findall("bpmn:outgoing", NS)]
            if len(outgoing) < 2:
                continue
            for fid in outgoing:
                cond = flows[fid].find("bpmn:conditionExpression", NS)
                if fid == gw.get("default"):
                    assert cond is None, f"default flow {fid} has a condition"
                else:
                    assert cond is not None, (
                        f"{gw.get('id')}: {fid} needs a condition or be the default"
                    )
                    assert SIMPLE_EXPR.match(cond.text.strip()), (
                        f"{fid}: {cond.text!r} is not ${{…}}"
                    )
        for node in _flow_nodes(tree):
            if not etree.QName(node).localname.endswith("Gateway"):
                assert len(node.findall("bpmn:outgoing", NS)) <= 1, (
                    f"{node.get('id')}: implicit split"
                )

    def test_timers(self, path):
        for timer in _tree(path).iterfind(".//bpmn:timerEventDefinition", NS):
            exprs = [
                e
                for e in timer
                if etree.QName(e).localname in ("timeDate", "timeDuration", "timeCycle")
            ]
            assert len(exprs) == 1
            text = (exprs[0].text or "").strip()
            assert SIMPLE_EXPR.match(text) or ISO_TIMER.match(text), f"timer {text!r}"

    def test_scripts_are_python(self, path):
        for script in _tree(path).iterfind(".//bpmn:scriptTask", NS):
            assert script.get("scriptFormat") == "python", script.get("id")
            body = script.find("bpmn:script", NS).text
            compile(body, script.get("id"), "exec")
            assert "import" not in body and "__" not in body, script.get("id")

    def test_spiff_camunda_parser_alone(self, path):
        parser = CamundaParser()
        parser.add_bpmn_file(str(path))
        parser.add_dmn_files([str(p) for p in DMN_FILES])  # business rule tasks need the decisions
        for pid in parser.get_process_ids():
            spec = parser.get_spec(pid)
            assert spec.name == pid


def _full_parser():
    parser = CamundaParser()
    parser.add_bpmn_files([str(p) for p in BPMN_FILES])
    parser.add_dmn_files([str(p) for p in DMN_FILES])
    return parser


def test_all_processes_parse_together_with_call_activities():
    parser = _full_parser()
    ids = set(parser.get_process_ids())
    assert ids >= EXPECTED_PROCESSES
    for pid in ids:
        parser.get_spec(pid)
        parser.get_subprocess_specs(pid)  # raises if a calledElement is unknown
    subs = parser.get_subprocess_specs("key_task_project")
    assert {"provincial_review", "annual_assessment"} <= set(subs)


def test_call_activities_target_known_processes():
    for path in BPMN_FILES:
        for call in _tree(path).iterfind(".//bpmn:callActivity", NS):
            assert call.get("calledElement") in EXPECTED_PROCESSES, call.get("id")
            ext = call.find("bpmn:extensionElements", NS)
            assert ext is not None and ext.find("camunda:in[@variables='all']", NS) is not None
            assert ext.find("camunda:out[@variables='all']", NS) is not None


def test_business_rule_task_references_dmn():
    parser = _full_parser()
    spec = parser.get_spec("annual_assessment")
    task = spec.task_specs["Rule_SuggestRating"]
    assert task.dmnEngine.decision_table.outputs[0].name == "suggested_rating"


@pytest.mark.parametrize("path", DMN_FILES, ids=lambda p: p.name)
def test_dmn_parses(path):
    root = _tree(path).getroot()
    assert root.nsmap.get(None) == NS["dmn"], "DMN 1.3 namespace expected"
    assert root.get(MODELER + "executionPlatformVersion") == "7.22.0"
    for decision in root.iterfind("dmn:decision", NS):
        assert (
            root.find(f".//dmndi:DMNShape[@dmnElementRef='{decision.get('id')}']", NS) is not None
        )
        for table in decision.iterfind("dmn:decisionTable", NS):
            assert table.get("hitPolicy", "UNIQUE") in ("UNIQUE", "COLLECT")
    parser = CamundaParser()
    parser.add_dmn_file(str(path))
    assert path.stem in parser.dmn_parsers
