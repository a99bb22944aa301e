"""Evaluate a deployed decision by itself (Camunda's REST evaluate), outside any process."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from engine.bpmn.dmn import EVALUATIONS
from engine.bpmn.dmn_eval import DecisionError, evaluate
from engine.bpmn.dmn_tables import read_decisions
from engine.bpmn.parser import safe_xml


@lru_cache(maxsize=128)
def _tables(xml: str) -> dict[str, dict[str, Any]]:
    """The usable decision tables of a deployed DMN file (its XML never changes)."""
    return read_decisions("decision.dmn", safe_xml(xml.encode("utf-8")))[0]


def evaluate_decision(xml: str, decision_id: str, variables: Mapping[str, Any],
                      trace: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """One dict of output name -> value per selected rule (the decisions it requires first).

    DecisionError names what went wrong: a hit policy violated, an input that failed.
    `trace` receives what each decision evaluated saw and gave (dmn_eval.evaluate).
    """
    tables = _tables(xml)
    table = tables.get(decision_id)
    if table is None:
        raise DecisionError(f"decision '{decision_id}' has no decision table we can evaluate")
    return evaluate(table, variables, tables, trace)


def take_evaluations(workflow: Any) -> list[dict[str, Any]]:
    """Decisions business rule tasks evaluated since the last call (in memory only)."""
    found: list[dict[str, Any]] = workflow.__dict__.pop(EVALUATIONS, [])
    return found


__all__ = ["DecisionError", "evaluate_decision", "take_evaluations"]
