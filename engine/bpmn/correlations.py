"""BPMN correlation properties, which Camunda 7 ignores: it correlates a message by its name
(and business key, correlation keys and instance id given with it), never by a
correlationPropertyRetrievalExpression. SpiffWorkflow evaluates those expressions when a
message is thrown or caught; one that cannot be evaluated there (a variable the message
lacks, `from.name` with a Python keyword in it) reads as null instead of failing the throw
or the delivery (engine.bpmn.scripting)."""

from __future__ import annotations

from lxml import etree

B = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
LENIENT = "#!vocflow:lenient\n"  # + the expression: null where it cannot be evaluated


def lenient_retrievals(root: etree._Element) -> None:
    """Mark every correlation property's retrieval expression as lenient (in place)."""
    for node in root.iter(f"{B}correlationPropertyRetrievalExpression"):
        for expression in node.iter(f"{B}formalExpression"):
            text = expression.text or ""
            if not text.startswith(LENIENT):
                expression.text = LENIENT + text


def lenient_source(expression: str) -> str | None:
    """The expression behind the lenient mark, or None when it carries none."""
    return expression[len(LENIENT):] if expression.startswith(LENIENT) else None
