"""Evaluate a checked decision table as Camunda's DMN engine does: hit policies, results."""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from typing import Any

from engine import expressions
from engine.expressions import feel

Result = list[dict[str, Any]]


class DecisionError(Exception):
    """The decision cannot give a result (hit policy violated, bad value); message says why."""


def _value(text: str, language: str, scope: Mapping[str, Any]) -> Any:
    if language == "feel":
        return feel.expression(text).evaluate(scope)
    mode = "text" if "${" in text else "expression"
    return expressions.evaluate(text, dict(scope), mode)


def _matches(entry: dict[str, Any], value: Any, scope: Mapping[str, Any]) -> bool:
    text = entry["text"]
    if entry["language"] == "feel":
        return feel.unary_tests(text).matches(value, scope)
    if not text or text == "-":
        return True
    return _value(text, entry["language"], scope) is True


def _typed(value: Any, type_ref: str | None, what: str) -> Any:
    """Camunda's typeRef transform: numbers from text, integral doubles to integers."""
    kind = (type_ref or "").lower()
    if value is None or not kind:
        return value
    try:
        if kind in ("integer", "long") and not isinstance(value, bool):
            number = float(value) if isinstance(value, str) else value
            if isinstance(number, int | float) and float(number).is_integer():
                return int(number)
            raise ValueError("not an integer")
        if kind == "double" and not isinstance(value, bool):
            return float(value)
        if kind == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if kind == "string" and isinstance(value, int | float):
            return feel.expression("string(x)").evaluate({"x": value})
    except (TypeError, ValueError) as exc:
        raise DecisionError(f"{what}: {value!r} is not a valid {kind}") from exc
    return value


def _inputs(table: dict[str, Any], variables: Mapping[str, Any]) -> list[Any]:
    values = []
    for column in table["inputs"]:
        what = f"input '{column['label'] or column['id']}'"
        try:
            raw = (_value(column["expression"], column["language"], variables)
                   if column["expression"] else None)
        except (expressions.ExpressionError, NameError, TypeError, ValueError) as exc:
            raise DecisionError(f"{what} expression failed: {exc}") from exc
        values.append(_typed(raw, column["type"], what))
    return values


def _outputs(table: dict[str, Any], rule: dict[str, Any],
             scope: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for column, entry in zip(table["outputs"], rule["outputs"], strict=False):
        if not entry["text"]:
            continue  # Camunda leaves an empty output entry out of the rule's result
        what = f"rule '{rule['id']}' output '{column['name']}'"
        try:
            value = _value(entry["text"], entry["language"], scope)
        except (expressions.ExpressionError, NameError, TypeError, ValueError) as exc:
            raise DecisionError(f"{what} failed: {exc}") from exc
        result[column["name"]] = feel.plain(_typed(value, column["type"], what))
    return result


def matching_rules(table: dict[str, Any], variables: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rules whose every input entry holds, in table order."""
    return _matching(table, variables, _inputs(table, variables))


def _matching(table: dict[str, Any], variables: Mapping[str, Any], values: list[Any]
              ) -> list[dict[str, Any]]:
    found = []
    for rule in table["rules"]:
        for column, entry, value in zip(table["inputs"], rule["inputs"], values, strict=False):
            scope = ChainMap({column["variable"]: value}, variables)  # type: ignore[arg-type]
            try:
                if not _matches(entry, value, scope):
                    break
            except (expressions.ExpressionError, NameError, TypeError, ValueError) as exc:
                raise DecisionError(f"rule '{rule['id']}' (row {rule['row']}) input "
                                    f"'{column['label'] or column['id']}' failed: {exc}") from exc
        else:
            found.append(rule)
    return found


def _names(rules: list[dict[str, Any]]) -> str:
    return ", ".join(f"'{r['id']}' (row {r['row']})" for r in rules)


def _priority(table: dict[str, Any], result: dict[str, Any]) -> tuple[int, ...]:
    ranks = []
    for column in table["outputs"]:
        allowed = column["values"]
        value = result.get(column["name"])
        ranks.append(allowed.index(value) if value in allowed else len(allowed))
    return tuple(ranks)


def _aggregate(table: dict[str, Any], results: Result) -> Result:
    aggregation, name = table["aggregation"], table["outputs"][0]["name"]
    values = [r[name] for r in results if name in r]
    if aggregation == "COUNT":
        return [{name: len(values)}]
    if not values:
        return []  # Camunda: nothing to aggregate gives no result entry
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        raise DecisionError(f"COLLECT {aggregation} needs numbers but got {values!r}")
    total = sum(values) if aggregation == "SUM" else (
        min(values) if aggregation == "MIN" else max(values))
    return [{name: total}]


def _required(table: dict[str, Any], tables: Mapping[str, dict[str, Any]],
              variables: Mapping[str, Any], trace: list[dict[str, Any]] | None
              ) -> Mapping[str, Any]:
    """Variables plus the results of the decisions this one requires (Camunda's DRD rule)."""
    if not table.get("requires"):
        return variables
    found: dict[str, Any] = {}
    for ref in table["requires"]:
        required = tables[ref]
        result = evaluate(required, variables, tables, trace)
        many = required["hit_policy"] in ("COLLECT", "RULE ORDER", "OUTPUT ORDER") and not (
            required["aggregation"])
        if len(result) == 1 and not many:
            found.update(result[0])
        elif result:
            for name in dict.fromkeys(k for r in result for k in r):
                found[name] = [r[name] for r in result if name in r]
    return ChainMap(found, variables)  # type: ignore[arg-type]


def _selected(table: dict[str, Any], rules: list[dict[str, Any]], variables: Mapping[str, Any]
              ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(rule, its outputs) of the rules the hit policy keeps, in result order."""
    policy = table["hit_policy"]
    if policy == "UNIQUE" and len(rules) > 1:
        raise DecisionError(f"hit policy UNIQUE allows only one matching rule, but rules "
                            f"{_names(rules)} matched")
    if policy in ("UNIQUE", "FIRST"):
        rules = rules[:1]
    pairs = [(rule, _outputs(table, rule, variables)) for rule in rules]
    if policy == "ANY":
        results = [r for _rule, r in pairs]
        if any(r != results[0] for r in results[1:]):
            raise DecisionError(f"hit policy ANY needs equal outputs, but rules {_names(rules)} "
                                f"gave {results!r}")
        return pairs[:1]
    if policy in ("PRIORITY", "OUTPUT ORDER"):
        pairs.sort(key=lambda pair: _priority(table, pair[1]))  # stable: rule order
        return pairs[:1] if policy == "PRIORITY" else pairs
    return pairs


def evaluate(table: dict[str, Any], variables: Mapping[str, Any],
             tables: Mapping[str, dict[str, Any]] | None = None,
             trace: list[dict[str, Any]] | None = None) -> Result:
    """The decision result: one dict of output name -> value per selected rule.

    `tables` holds the decisions `table` requires (directly or not), evaluated first.
    `trace` receives one record per decision evaluated (the required ones first, this one
    last): its inputs, the outputs of the rules that made the result (Camunda's history).
    """
    variables = _required(table, tables or {}, variables, trace)
    values = _inputs(table, variables)
    pairs = _selected(table, _matching(table, variables, values), variables)
    results = [result for _rule, result in pairs]
    collected = None
    if table["hit_policy"] == "COLLECT" and table["aggregation"]:
        results = _aggregate(table, results)
        collected = next(iter(results[0].values()), None) if results else None
    if trace is not None:
        trace.append(_record(table, values, pairs, collected))
    return results


def _record(table: dict[str, Any], values: list[Any],
            pairs: list[tuple[dict[str, Any], dict[str, Any]]], collected: Any
            ) -> dict[str, Any]:
    return {
        "decision_id": table["decision_id"], "decision_name": table.get("decision_name"),
        "inputs": [{"clause_id": column["id"], "clause_name": column["label"],
                    "value": feel.plain(value)}
                   for column, value in zip(table["inputs"], values, strict=False)],
        "outputs": [{"clause_id": column["id"], "clause_name": column["label"],
                     "rule_id": rule["id"], "rule_order": rule["row"],
                     "variable_name": column["name"], "value": result[column["name"]]}
                    for rule, result in pairs for column in table["outputs"]
                    if column["name"] in result],
        "collect_result": collected,
    }


MAPPINGS = ("singleEntry", "singleResult", "collectEntries", "resultList")


def map_result(result: Result, mapping: str | None) -> Any:
    """camunda:mapDecisionResult: the value a resultVariable receives (resultList by default)."""
    mapping = mapping or "resultList"
    if mapping == "resultList":
        return result
    if mapping == "collectEntries":
        if any(len(r) > 1 for r in result):
            raise DecisionError(f"collectEntries needs one output per rule, but got {result!r}")
        return [next(iter(r.values())) for r in result if r]
    if len(result) > 1:
        raise DecisionError(f"{mapping} needs at most one matching rule, but got {result!r}")
    if not result:
        return None
    if mapping == "singleResult":
        return result[0]
    if len(result[0]) > 1:
        raise DecisionError(f"singleEntry needs one output, but got {result[0]!r}")
    return next(iter(result[0].values()), None)
