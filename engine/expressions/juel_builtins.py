"""Camunda JUEL built-ins designers use: dateTime() arithmetic, execution, and safe methods."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from dateutil.relativedelta import relativedelta

from engine.expressions.base import FUNCTIONS, now

_UNITS = {"Years": "years", "Months": "months", "Weeks": "weeks", "Days": "days",
          "Hours": "hours", "Minutes": "minutes", "Seconds": "seconds"}


class JuelDateTime:
    """What Camunda's `dateTime()` gives (Joda DateTime): plus/minus units, then toDate()."""

    def __init__(self, value: datetime) -> None:
        self.value = value

    def shifted(self, unit: str, amount: Any, sign: int) -> JuelDateTime:
        delta = relativedelta(**{_UNITS[unit]: sign * int(amount)})  # type: ignore[arg-type]
        return JuelDateTime(self.value + delta)


class Execution(dict[str, Any]):
    """`execution` in an expression: its properties are keys, its variables are `.vars`."""

    def __init__(self, variables: Mapping[str, Any]) -> None:
        key = variables.get("business_key")
        super().__init__(processBusinessKey=key, businessKey=key)
        self.vars = variables


def date_time() -> JuelDateTime:
    return JuelDateTime(now())


def juel_execution(variables: Mapping[str, Any]) -> Execution:
    return Execution(variables)


def _datetime_method(base: JuelDateTime, name: str, args: tuple[Any, ...]) -> Any:
    if name in ("toDate", "toDateTime"):
        return base.value
    for sign, prefix in ((1, "plus"), (-1, "minus")):
        unit = name[len(prefix):]
        if name.startswith(prefix) and unit in _UNITS and len(args) == 1:
            return base.shifted(unit, args[0], sign)
    raise TypeError(f"dateTime() has no method {name}()")


def _execution_method(base: Execution, name: str, args: tuple[Any, ...]) -> Any:
    if name in ("getVariable", "getVariableLocal") and len(args) == 1:
        return base.vars.get(args[0])
    if name in ("hasVariable", "hasVariableLocal") and len(args) == 1:
        return args[0] in base.vars
    if name in ("getProcessBusinessKey", "getBusinessKey") and not args:
        return base["processBusinessKey"]
    raise TypeError(f"execution.{name}() is not supported in expressions")


_STRING: dict[str, Callable[..., Any]] = {
    "equals": lambda s, o: s == o, "equalsIgnoreCase": lambda s, o: s.lower() == str(o).lower(),
    "contains": lambda s, o: str(o) in s, "startsWith": lambda s, o: s.startswith(o),
    "endsWith": lambda s, o: s.endswith(o), "length": len, "isEmpty": lambda s: not s,
    "toUpperCase": str.upper, "toLowerCase": str.lower, "trim": str.strip,
    "substring": lambda s, a, b=None: s[int(a):None if b is None else int(b)],
}
_COLLECTION: dict[str, Callable[..., Any]] = {
    "size": len, "isEmpty": lambda c: not c, "contains": lambda c, o: o in c,
    "containsKey": lambda c, k: k in c, "get": lambda c, k: c[k] if not isinstance(c, Mapping)
    else c.get(k),
}


def juel_method(base: Any, name: str, *args: Any) -> Any:
    """A method call in JUEL, on an allow-list per type (nothing else is reachable)."""
    if isinstance(base, JuelDateTime):
        return _datetime_method(base, name, args)
    if isinstance(base, Execution):
        return _execution_method(base, name, args)
    if isinstance(base, str) and name in _STRING:
        return _STRING[name](base, *args)
    if isinstance(base, list | tuple | dict | set) and name in _COLLECTION:
        return _COLLECTION[name](base, *args)
    raise TypeError(f"method {name}() is not supported on a {type(base).__name__}")


METHODS = frozenset({"toDate", "toDateTime", "getVariable", "getVariableLocal", "hasVariable",
                     "hasVariableLocal", "getProcessBusinessKey", "getBusinessKey",
                     *(f"{p}{u}" for p in ("plus", "minus") for u in _UNITS),
                     *_STRING, *_COLLECTION})

FUNCTIONS.update(dateTime=date_time, juel_method=juel_method, juel_execution=juel_execution)
