"""Script and expression execution for diagrams: RestrictedPython scripts, checked expressions."""

from __future__ import annotations

import datetime as _datetime
import decimal
import functools
import json
import math
import re
import types
from collections.abc import Mapping, MutableMapping
from typing import Any

from RestrictedPython.compile import compile_restricted
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
    safer_getattr,
)
from SpiffWorkflow.bpmn.script_engine import BasePythonScriptEngineEnvironment, PythonScriptEngine

from engine import expressions
from engine.bpmn import javascript

SCRIPT_FILENAME = "<string>"  # SpiffWorkflow finds the failing line by this frame name
ALLOWED_MODULES: dict[str, types.ModuleType] = {
    "math": math,
    "json": json,
    "re": re,
    "decimal": decimal,
    "datetime": _datetime,
}


class ForbiddenOperation(Exception):
    """A script tried something the sandbox does not allow; the message says what."""


def _guarded_import(name: str, *args: Any, **kwargs: Any) -> types.ModuleType:
    if name in ALLOWED_MODULES:
        return ALLOWED_MODULES[name]
    allowed = ", ".join(sorted(ALLOWED_MODULES))
    raise ForbiddenOperation(f"import of module '{name}' is forbidden (allowed: {allowed})")


def _inplace_var(op: str, x: Any, y: Any) -> Any:
    ops = {
        "+=": lambda a, b: a + b,
        "-=": lambda a, b: a - b,
        "*=": lambda a, b: a * b,
        "/=": lambda a, b: a / b,
        "//=": lambda a, b: a // b,
        "%=": lambda a, b: a % b,
    }
    if op not in ops:
        raise ForbiddenOperation(f"in-place operator {op} is forbidden")
    return ops[op](x, y)


def _script_builtins() -> dict[str, Any]:
    builtins = dict(safe_builtins)
    builtins.update(
        __import__=_guarded_import,
        len=len, min=min, max=max, sum=sum, sorted=sorted, any=any, all=all,
        list=list, dict=dict, set=set, enumerate=enumerate, zip=zip, map=map,
        filter=filter, reversed=reversed, range=range,
    )
    return builtins


_RESERVED: dict[str, Any] = {
    "__builtins__": _script_builtins(),
    "_getattr_": safer_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": _inplace_var,
}


@functools.lru_cache(maxsize=2048)
def compile_script(script: str) -> types.CodeType:
    """Compile a diagram script under RestrictedPython; SyntaxError says what is forbidden."""
    return compile_restricted(script, SCRIPT_FILENAME, "exec")


def check_script(script: str) -> tuple[int | None, str] | None:
    """Return (line, reason) when the script cannot run here, None when it compiles."""
    try:
        compile_script(script)
    except SyntaxError as exc:
        reason = exc.msg
        if isinstance(exc.args[0], tuple | list):
            reason = "; ".join(str(a) for a in exc.args[0])
        line = exc.lineno
        found = re.match(r"Line (\d+):", str(reason))  # RestrictedPython puts it in the text
        if line is None and found:
            line = int(found.group(1))
        return line, str(reason)
    return None


def helper_globals() -> dict[str, Any]:
    """Functions every script and expression may call besides the safe builtins."""
    return {k: v for k, v in expressions.safe_globals().items() if k != "__builtins__"}


class SafeEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """Evaluates expressions through engine.expressions and scripts under RestrictedPython."""

    def __init__(self) -> None:
        super().__init__(helper_globals())

    def evaluate(
        self, expression: str, context: Mapping[str, Any], external_context: Any = None
    ) -> Any:
        if expression is None or not str(expression).strip():
            return None  # a Camunda message throw without camunda:expression has no payload
        # Text mode handles both a lone ${x} (the value itself) and composite text such as
        # ${year}-12-15T23:59:00+08:00; plain Python and bare ISO literals use expression mode.
        mode = "text" if ("${" in expression or "#{" in expression) else "expression"
        code = expressions.compile_expression(expression, mode)
        scope = expressions.eval_scope(external_context or {}, context)
        return eval(code, scope)  # noqa: S307 - code passed the expression safety check

    def execute(
        self, script: str, context: MutableMapping[str, Any], external_context: Any = None
    ) -> bool:
        if javascript.is_marked(script):  # scriptFormat="javascript": V8, its own limits
            javascript.execute(script, context)
            return True
        code = compile_script(script)
        scope: dict[str, Any] = {**self.globals, **(external_context or {}), **context}
        scope.update(_RESERVED)
        exec(code, scope)  # noqa: S102 - RestrictedPython-compiled, guarded globals
        for key in list(context):
            if key not in scope:
                del context[key]
        for key, value in scope.items():
            if key in _RESERVED or key in self.globals or key.startswith("_"):
                continue
            if callable(value) or isinstance(value, types.ModuleType):
                continue
            context[key] = value
        return True

    def call_service(self, context: Any, **kwargs: Any) -> Any:
        raise ForbiddenOperation("service calls run as external tasks, not in scripts")


def make_script_engine() -> PythonScriptEngine:
    return PythonScriptEngine(environment=SafeEnvironment())
