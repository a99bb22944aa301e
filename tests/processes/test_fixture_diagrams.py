"""The test fixtures are diagrams Camunda Modeler draws cleanly: every flow node and sequence
flow has BPMNDI, no two shapes overlap (a boundary event on its host and a sub-process around
its children excepted) and no edge runs through a shape it does not connect."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tests.processes.test_diagrams_lint import FIXTURE_EXEMPT, FIXTURE_FILES

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}
FLOW_NODES = {
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "task", "userTask", "serviceTask", "scriptTask", "businessRuleTask", "sendTask", "receiveTask",
    "manualTask", "callActivity", "subProcess", "transaction", "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway", "eventBasedGateway", "complexGateway",
}
Box = tuple[float, float, float, float]  # x, y, width, height
Point = tuple[float, float]


class Diagram:
    """The flow nodes, flows and BPMNDI of one file."""

    def __init__(self, path: Path) -> None:
        tree = etree.parse(str(path))
        self.nodes: dict[str, etree._Element] = {}
        for el in tree.iterfind(".//bpmn:process//*", NS):
            if isinstance(el.tag, str) and etree.QName(el).localname in FLOW_NODES:
                self.nodes[el.get("id")] = el
        self.flows = {f.get("id"): (f.get("sourceRef"), f.get("targetRef"))
                      for f in tree.iterfind(".//bpmn:process//bpmn:sequenceFlow", NS)}
        self.shapes: dict[str, Box] = {}
        for shape in tree.iterfind(".//bpmndi:BPMNShape", NS):
            b = shape.find("dc:Bounds", NS)
            self.shapes[shape.get("bpmnElement")] = tuple(  # type: ignore[assignment]
                float(b.get(k)) for k in ("x", "y", "width", "height"))
        self.edges: dict[str, list[Point]] = {
            e.get("bpmnElement"): [(float(w.get("x")), float(w.get("y")))
                                   for w in e.findall("di:waypoint", NS)]
            for e in tree.iterfind(".//bpmndi:BPMNEdge", NS)}

    def containers(self, node_id: str) -> set[str]:
        """Sub-processes around a node, and the host of a boundary event."""
        found, el = set(), self.nodes[node_id]
        if el.get("attachedToRef"):
            found.add(el.get("attachedToRef"))
        parent = el.getparent()
        while parent is not None and parent.get("id") in self.nodes:
            found.add(parent.get("id"))
            parent = parent.getparent()
        return found | {c for f in set(found) for c in self.containers(f)}


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _crosses(p: Point, q: Point, box: Box, inset: float = 2.0) -> bool:
    """Whether segment p-q enters the box (shrunk by `inset`): Liang-Barsky clipping."""
    x0, y0 = box[0] + inset, box[1] + inset
    x1, y1 = box[0] + box[2] - inset, box[1] + box[3] - inset
    dx, dy = q[0] - p[0], q[1] - p[1]
    low, high = 0.0, 1.0
    for edge_p, edge_q in ((-dx, p[0] - x0), (dx, x1 - p[0]), (-dy, p[1] - y0), (dy, y1 - p[1])):
        if edge_p == 0:
            if edge_q <= 0:
                return False
            continue
        t = edge_q / edge_p
        if edge_p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
    return low < high


@pytest.fixture(scope="module", params=FIXTURE_FILES, ids=lambda p: p.name)
def diagram(request) -> Diagram:
    return Diagram(request.param)


def test_fixtures_are_checked():
    assert len(FIXTURE_FILES) >= 20 and not set(FIXTURE_EXEMPT) & {p.name for p in FIXTURE_FILES}


def test_every_node_and_flow_has_di(diagram):
    assert diagram.nodes and diagram.flows
    assert sorted(set(diagram.nodes) - set(diagram.shapes)) == []
    assert sorted(set(diagram.flows) - set(diagram.edges)) == []
    for node_id in diagram.nodes:
        assert diagram.shapes[node_id][2] > 0 and diagram.shapes[node_id][3] > 0, node_id
    for flow_id in diagram.flows:
        assert len(diagram.edges[flow_id]) >= 2, flow_id


def test_no_two_shapes_overlap(diagram):
    ids = sorted(diagram.nodes)
    overlapping = [
        (a, b) for i, a in enumerate(ids) for b in ids[i + 1:]
        if b not in diagram.containers(a) and a not in diagram.containers(b)
        and _overlap(diagram.shapes[a], diagram.shapes[b])
    ]
    assert overlapping == []


def test_edges_start_and_end_at_their_shapes_and_cross_no_other(diagram):
    for flow_id, (source, target) in diagram.flows.items():
        points = diagram.edges[flow_id]
        for end, node_id in ((points[0], source), (points[-1], target)):
            x, y, w, h = diagram.shapes[node_id]
            assert x - 3 <= end[0] <= x + w + 3 and y - 3 <= end[1] <= y + h + 3, \
                f"{flow_id} does not touch {node_id}"
        ends = {source, target} | diagram.containers(source) | diagram.containers(target)
        crossed = [n for n in diagram.nodes if n not in ends and any(
            _crosses(points[k], points[k + 1], diagram.shapes[n]) for k in range(len(points) - 1))]
        assert crossed == [], f"{flow_id} runs through {crossed}"
