"""Camunda JUEL built-ins designers use: dateTime() arithmetic, execution, and safe methods."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from dateutil.relativedelta import relativedelta

from engine.expressions import beans
from engine.expressions.base import FUNCTIONS, now
from engine.expressions.juel_spin import SPIN_METHODS, JuelSpin, spin, spin_method

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
    """`execution` in an expression: its properties are keys, its variables are `.vars`.

    setVariable() writes go to `.changes` (the scope's `_vf_set` when there is one), which a
    listener or a juel script applies to the process variables after the expression ran.
    """

    def __init__(self, variables: Mapping[str, Any]) -> None:
        key = variables.get("business_key")
        super().__init__(processBusinessKey=key, businessKey=key,
                         processInstanceId=variables.get("_vf_instance_id"),
                         eventName=variables.get("_vf_event"))
        self.vars = variables
        found = variables.get("_vf_set")
        self.changes: dict[str, Any] = found if isinstance(found, dict) else {}

    def __getattr__(self, name: str) -> Any:  # execution.processBusinessKey in Python
        if name in self:
            return self[name]
        raise AttributeError(f"execution has no property {name!r}")

    # What a Python script, or a bean's method, may call on `execution`.
    def getVariable(self, name: str) -> Any:  # noqa: N802 - Camunda's method names
        return _execution_method(self, "getVariable", (name,))

    def hasVariable(self, name: str) -> bool:  # noqa: N802
        return bool(_execution_method(self, "hasVariable", (name,)))

    def setVariable(self, name: str, value: Any) -> None:  # noqa: N802
        _execution_method(self, "setVariable", (name, value))

    def getProcessBusinessKey(self) -> Any:  # noqa: N802
        return self["processBusinessKey"]


class DelegateTask:
    """`task` in a task listener: the part of Camunda's DelegateTask designers use.

    Properties: id, name, assignee, owner, eventName, taskDefinitionKey,
    processInstanceId, businessKey, priority, dueDate (and their getX() getters);
    getVariable, getVariables, hasVariable, setVariable (and the ...Local forms).
    setVariable writes are applied to the process variables after the listener ran.
    """

    def __init__(self, facts: Mapping[str, Any], variables: Mapping[str, Any]) -> None:
        self.id = facts.get("id")
        self.name = facts.get("name")
        self.assignee = facts.get("assignee")
        self.owner = facts.get("owner")
        self.eventName = facts.get("eventName")  # noqa: N815 - Camunda's property name
        self.taskDefinitionKey = facts.get("taskDefinitionKey")  # noqa: N815
        self.processInstanceId = facts.get("processInstanceId")  # noqa: N815
        self.businessKey = facts.get("businessKey")  # noqa: N815
        self.priority = facts.get("priority")
        self.dueDate = facts.get("dueDate")  # noqa: N815
        self._variables = variables
        self._changes: dict[str, Any] = {}

    def getVariable(self, name: str) -> Any:  # noqa: N802 - Camunda's method names
        return self._changes.get(name, self._variables.get(name))

    def getVariables(self) -> dict[str, Any]:  # noqa: N802
        return {**{k: v for k, v in self._variables.items() if not k.startswith("_")},
                **self._changes}

    def hasVariable(self, name: str) -> bool:  # noqa: N802
        return name in self._changes or name in self._variables

    def setVariable(self, name: str, value: Any) -> None:  # noqa: N802
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            raise ValueError(f"invalid variable name {name!r}")
        self._changes[name] = value

    getVariableLocal = getVariable  # noqa: N815 - Camunda's method names
    setVariableLocal = setVariable  # noqa: N815
    hasVariableLocal = hasVariable  # noqa: N815

    def setAssignee(self, assignee: Any) -> None:  # noqa: N802
        """Honoured in a `create` listener (the task is created with this assignee)."""
        if assignee is not None and not isinstance(assignee, str):
            raise TypeError("the assignee must be a user id (text) or null")
        self.assignee = assignee
        self._assigned = True

    def assigned(self) -> tuple[bool, Any]:
        """(True, assignee) when the listener called setAssignee()."""
        return bool(getattr(self, "_assigned", False)), self.assignee

    def changes(self) -> dict[str, Any]:
        """The variables setVariable() wrote (read by the engine after the listener ran)."""
        return dict(self._changes)


TASK_GETTERS = {"getId": "id", "getName": "name", "getAssignee": "assignee",
                "getOwner": "owner", "getEventName": "eventName",
                "getTaskDefinitionKey": "taskDefinitionKey",
                "getProcessInstanceId": "processInstanceId", "getPriority": "priority",
                "getDueDate": "dueDate"}
TASK_METHODS = ("getVariable", "getVariables", "hasVariable", "setVariable", "setAssignee",
                "getVariableLocal", "setVariableLocal", "hasVariableLocal")


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
        return base.changes.get(args[0], base.vars.get(args[0]))
    if name in ("hasVariable", "hasVariableLocal") and len(args) == 1:
        return args[0] in base.vars
    if name in ("getProcessBusinessKey", "getBusinessKey") and not args:
        return base["processBusinessKey"]
    if name in ("getProcessInstanceId", "getEventName") and not args:
        return base["processInstanceId" if name == "getProcessInstanceId" else "eventName"]
    if name in ("setVariable", "setVariableLocal") and len(args) == 2:
        if not isinstance(args[0], str) or not args[0].isidentifier() or args[0][:1] == "_":
            raise ValueError(f"invalid variable name {args[0]!r}")
        base.changes[args[0]] = args[1]
        return None
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
    if isinstance(base, JuelSpin):
        return spin_method(base, name, args)
    if isinstance(base, Execution):
        return _execution_method(base, name, args)
    if isinstance(base, DelegateTask):
        if name in TASK_GETTERS and not args:
            return getattr(base, TASK_GETTERS[name])
        if name in TASK_METHODS:
            return getattr(base, name)(*args)
    if isinstance(base, str) and name in _STRING:
        return _STRING[name](base, *args)
    if isinstance(base, list | tuple | dict | set) and name in _COLLECTION:
        return _COLLECTION[name](base, *args)
    raise TypeError(f"method {name}() is not supported on a {type(base).__name__}")


METHODS = frozenset({"toDate", "toDateTime", "getVariable", "getVariableLocal", "hasVariable",
                     "hasVariableLocal", "getProcessBusinessKey", "getBusinessKey",
                     "getProcessInstanceId", "getEventName", "setVariable", "setVariableLocal",
                     "getVariables", "setAssignee", *TASK_GETTERS,
                     *(f"{p}{u}" for p in ("plus", "minus") for u in _UNITS),
                     *_STRING, *_COLLECTION, *SPIN_METHODS})

FUNCTIONS.update(S=spin, dateTime=date_time, juel_method=juel_method, juel_execution=juel_execution,
                 juel_bean=beans.juel_bean, juel_bean_call=beans.juel_bean_call,
                 juel_bean_get=beans.juel_bean_get)
