"""Camunda Spin's JSON functions in JUEL expressions: `${S(order).prop("total").numberValue()
> 100}`, as Camunda 7 offers `S()` in expressions.

A node holds plain JSON (a variable's value, or text parsed as JSON); its methods are reached
only through juel_builtins.juel_method's allow-list, and it has no public attribute of its
own, so an expression reads nothing else through it. Spin's XML is refused saying so.
"""

from __future__ import annotations

import json
from typing import Any


class JuelSpin:
    """A Spin JSON node (SpinJsonNode) over a JSON value."""

    __slots__ = ("_value",)

    def __init__(self, value: Any) -> None:
        self._value = value


def spin(value: Any, data_format: Any = None) -> JuelSpin:
    """Camunda's S(input[, format]): a node over a JSON value or over JSON text."""
    if data_format is not None and "json" not in str(data_format).lower():
        raise ValueError(f"S(): VocFlow reads JSON only, not {data_format}")
    if isinstance(value, JuelSpin):
        return value
    if isinstance(value, str):
        if value.lstrip().startswith("<"):
            raise ValueError("S(): VocFlow reads JSON only, not XML")
        try:
            return JuelSpin(json.loads(value))
        except json.JSONDecodeError as exc:
            raise ValueError(f"S(): not JSON text ({exc.msg} at {exc.pos})") from exc
    return JuelSpin(value)


def _kind(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int | float):
        return "NUMBER"
    if isinstance(value, str):
        return "STRING"
    return "ARRAY" if isinstance(value, list) else "OBJECT"


def _expected(want: str, value: Any) -> ValueError:
    return ValueError(f"SpinDataFormatException: Expected '{want}', got '{_kind(value)}'")


def _typed(kind: str, want: str) -> Any:
    def read(value: Any) -> Any:
        if _kind(value) != kind:
            raise _expected(want, value)
        return value
    return read


def _prop(value: Any, name: Any) -> JuelSpin:
    if not isinstance(value, dict):
        raise _expected("Object", value)
    if name not in value:
        raise ValueError(f"SpinJsonPropertyException: Unable to find '{name}'")
    return JuelSpin(value[name])


def _elements(value: Any) -> list[JuelSpin]:
    if not isinstance(value, list):
        raise _expected("Array", value)
    return [JuelSpin(item) for item in value]


def _plain(value: Any) -> Any:
    if _kind(value) not in ("STRING", "NUMBER", "BOOLEAN"):
        raise _expected("value", value)
    return value


def _text(value: Any) -> str:
    """The node as JSON text, as Spin writes it (a string node keeps its quotes)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


_METHODS: dict[str, Any] = {
    "prop": _prop,
    "hasProp": lambda v, name: isinstance(v, dict) and name in v,
    "elements": _elements,
    "fieldNames": lambda v: list(v) if isinstance(v, dict) else [],
    "numberValue": _typed("NUMBER", "Number"),
    "stringValue": _typed("STRING", "String"),
    "boolValue": _typed("BOOLEAN", "Boolean"),
    "value": _plain,
    "toString": _text,
    **{f"is{name.title()}": (lambda kind: lambda v: _kind(v) == kind)(name.upper())
       for name in ("null", "object", "array", "string", "number", "boolean")},
    "isValue": lambda v: _kind(v) in ("STRING", "NUMBER", "BOOLEAN"),
}
SPIN_METHODS = frozenset(_METHODS)


def spin_method(node: JuelSpin, name: str, args: tuple[Any, ...]) -> Any:
    """A Spin node's method, by name (juel_method's allow-list)."""
    method = _METHODS.get(name)
    if method is None:
        raise TypeError(f"Spin node has no method {name}() in expressions")
    return method(node._value, *args)
