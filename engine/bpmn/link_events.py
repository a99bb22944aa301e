"""Link events, as Camunda 7 runs them: a link throw event goes on at the link catch event
of the same name in the same scope (a "go to" that saves drawing a long flow).

SpiffWorkflow 3.2 does not read linkEventDefinition: a link throw event would end its path
and a link catch event would never be reached. Before parsing, each link throw gets a
sequence flow to its catch and both lose the definition (a none throw and a none catch
pass straight on); their ids stay, so the history shows them. A throw whose name has no
catch, or has several, keeps its definition and is refused at deploy (`link_problems`).
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
B = f"{{{BPMN_NS}}}"
_LINK = f"{B}linkEventDefinition"


def _own_events(scope: etree._Element, tag: str) -> Iterator[tuple[etree._Element, str]]:
    """(event, link name) of the link events of this tag directly in the scope."""
    for event in scope.iterchildren(f"{B}{tag}"):
        link = event.find(_LINK)
        if link is not None:
            yield event, (link.get("name") or "").strip()


def _scopes(root: etree._Element) -> Iterator[etree._Element]:
    yield from root.iter(f"{B}process", f"{B}subProcess", f"{B}transaction")


def link_events_as_flows(root: etree._Element) -> None:
    """Join each link throw to its one catch of the same name by a sequence flow (in place)."""
    for scope in _scopes(root):
        catches: dict[str, list[etree._Element]] = {}
        for event, name in _own_events(scope, "intermediateCatchEvent"):
            catches.setdefault(name, []).append(event)
        throws = list(_own_events(scope, "intermediateThrowEvent"))
        joined = set()
        for event, name in throws:
            targets = catches.get(name, [])
            if not name or len(targets) != 1:
                continue  # refused at deploy, naming the throw
            flow = etree.SubElement(scope, f"{B}sequenceFlow")
            flow.set("id", f"{event.get('id')}_link_{targets[0].get('id')}")
            flow.set("sourceRef", event.get("id") or "")
            flow.set("targetRef", targets[0].get("id") or "")
            _drop_link(event)
            joined.add(name)
        for name in joined:
            _drop_link(catches[name][0])


def _drop_link(event: etree._Element) -> None:
    link = event.find(_LINK)
    if link is not None:
        event.remove(link)


def link_problems(root: etree._Element) -> Iterator[tuple[etree._Element, str]]:
    """(element, message) for each link throw left unjoined (as Camunda refuses it)."""
    for scope in _scopes(root):
        catches: dict[str, list[etree._Element]] = {}
        for event, name in _own_events(scope, "intermediateCatchEvent"):
            catches.setdefault(name, []).append(event)
        for event, name in _own_events(scope, "intermediateThrowEvent"):
            found = catches.get(name, [])
            if not name:
                yield event, "a link throw event needs the name of the link it goes to"
            elif not found:
                yield event, (f"link throw event goes to link '{name}', but no link catch "
                              "event of that name is in the same (sub)process")
            else:
                ids = ", ".join(repr(c.get("id")) for c in found)
                yield event, (f"link throw event goes to link '{name}', which {len(found)} "
                              f"link catch events have ({ids}): the name must be unique")
