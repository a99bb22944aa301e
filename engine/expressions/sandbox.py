"""Sandbox for translated expressions: eval helpers, AST safety check, compile and evaluate."""

from __future__ import annotations

import ast
import functools
import types
from collections.abc import Mapping
from typing import Any

from engine.expressions import beans, guards, limits, unresolved
from engine.expressions.base import FUNCTIONS, ExpressionError
from engine.expressions.curated import DENIED_ATTRS, guarded_getattr
from engine.expressions.instrument import ATTR, BINOP, FORMAT, TICK, instrument
from engine.expressions.juel import has_juel, to_python
from engine.expressions.timers import TIMER_KINDS, is_cron, normalize_datetime_literal, timer_kind

_HELPERS = frozenset({"_vf_str", "_vf_get", "_vf_empty", "_vf_vars"})
_METHODS = frozenset({
    "get", "keys", "values", "items", "lower", "upper", "strip", "startswith", "endswith",
    "split", "join", "replace", "count", "index", "isoformat",
})
_DENIED_ATTRS = DENIED_ATTRS


def _vf_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _vf_get(base: Any, key: Any) -> Any:
    # JUEL: a null base or a missing map key / list index gives null, not an error.
    if base is None or isinstance(base, Mapping):
        return None if base is None else base.get(key)
    if isinstance(base, list | tuple):
        index = int(key) if isinstance(key, str) and key.isdigit() else key
        if isinstance(index, int) and not isinstance(index, bool):
            return base[index] if 0 <= index < len(base) else None
    if isinstance(key, str) and key and not key.startswith("_") and key not in _DENIED_ATTRS:
        return guarded_getattr(base, key)
    raise TypeError(f"cannot read property {key!r} of a {type(base).__name__}")


def _vf_empty(value: Any) -> bool:
    if isinstance(value, str | list | tuple | dict | set | frozenset):
        return len(value) == 0
    return value is None


# Allow-listed functions whose plain versions build huge values or loop in C unchecked.
GUARDED_FUNCTIONS: dict[str, Any] = {
    "range": guards.make_range, "sum": guards.total, "round": guards.to_round,
    "int": guards.guarded_type(int, guards.to_int), "str": guards.guarded_type(str, guards.to_str),
}
# What instrumented code calls (see engine.expressions.instrument).
INSTRUMENT_HELPERS: dict[str, Any] = {
    TICK: limits.tick, BINOP: guards.binop, FORMAT: guards.format_value, ATTR: guarded_getattr,
}


def safe_globals() -> dict[str, Any]:
    """A fresh globals dict for eval: no builtins, the allow-listed functions and helpers."""
    helpers = {"_vf_str": _vf_str, "_vf_get": _vf_get, "_vf_empty": _vf_empty}
    return {"__builtins__": {}, **FUNCTIONS, **GUARDED_FUNCTIONS, **helpers,
            **INSTRUMENT_HELPERS}


def eval_scope(*layers: Mapping[str, Any]) -> dict[str, Any]:
    """safe_globals() overlaid with layers (later wins), as the globals for eval.

    The scope is also bound as `_vf_vars`, which translated JUEL reads for `empty x`.
    """
    scope = safe_globals()
    for layer in layers:
        scope.update(layer)
    scope.update(INSTRUMENT_HELPERS)  # a variable can never replace a guard
    scope["_vf_vars"] = scope
    return scope


_NODE_REASONS: dict[type[ast.AST], str] = {
    ast.Lambda: "lambda is not allowed", ast.NamedExpr: "assignment (:=) is not allowed",
    ast.Yield: "yield is not allowed", ast.YieldFrom: "yield is not allowed",
    ast.Await: "await is not allowed",
}


def _call_problem(func: ast.expr, allowed: frozenset[str]) -> str | None:
    if isinstance(func, ast.Name):
        # A private name is reported by its own Name node, with the clearer reason.
        return None if func.id in allowed or func.id.startswith("_") else (
            f"call to {func.id!r} is not allowed; allowed: {', '.join(sorted(FUNCTIONS))}")
    if isinstance(func, ast.Attribute):
        return None if func.attr in _METHODS else (
            f"method .{func.attr}() is not allowed; allowed: {', '.join(sorted(_METHODS))}")
    return "only calls to allow-listed functions and methods are allowed"


def _node_problem(node: ast.AST, helpers: bool) -> str | None:
    private = "is not allowed: names starting with '_' are private"
    if type(node) in _NODE_REASONS:
        return _NODE_REASONS[type(node)]
    if isinstance(node, ast.Name) and node.id.startswith("_"):
        return None if helpers and node.id in _HELPERS else f"name {node.id!r} {private}"
    if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
        return f"attribute .{node.attr} {private}"
    if isinstance(node, ast.Attribute) and node.attr in _DENIED_ATTRS:
        return f"attribute .{node.attr} is not allowed"
    if isinstance(node, ast.Call):
        return _call_problem(node.func, frozenset(FUNCTIONS) | (_HELPERS if helpers else set()))
    return None


def _check_tree(tree: ast.Expression, expr: str, juel: bool) -> None:
    # Translator output is only trusted to use the _vf_ helpers; its columns are not the
    # user's, so JUEL problems carry no column (the translator reports its own).
    lead = len(expr) - len(expr.lstrip())
    for node in ast.walk(tree):
        problem = _node_problem(node, juel)
        if problem is not None:
            column = None if juel else getattr(node, "col_offset", -1) + lead + 1
            raise ExpressionError(expr, problem, column)


@functools.lru_cache(maxsize=4096)
def compile_expression(expr: str, mode: str = "expression") -> types.CodeType:
    """Translate, parse, safety-check and compile expr for eval; cached."""
    if not expr.strip() and mode == "expression":
        raise ExpressionError(expr, "expression is empty")
    try:
        tree = ast.parse(to_python(expr, mode), mode="eval")
    except SyntaxError as exc:
        lead = len(expr) - len(expr.lstrip())
        offset = exc.offset or len(expr.strip()) + 1  # CPython says 0 at end of input
        column = None if has_juel(expr) else offset + lead
        raise ExpressionError(expr, f"syntax error: {exc.msg}", column) from exc
    except RecursionError as exc:
        raise ExpressionError(expr, "expression is nested too deeply") from exc
    _check_tree(tree, expr, juel=has_juel(expr))
    return compile(instrument(tree, attributes=True), "<expression>", "eval")


beans.on_change(compile_expression.cache_clear)  # bean calls are resolved when compiled


def check_expression(expr: str, mode: str = "expression") -> None:
    """Raise ExpressionError if expr cannot be compiled safely."""
    compile_expression(expr, mode)


def check_timer(kind: str, text: str) -> None:
    """Check a timeDate / timeDuration / timeCycle value; expressions only have to compile."""
    if kind not in TIMER_KINDS:
        raise ExpressionError(text, f"unknown timer kind {kind!r}")
    value, (allowed, hint) = text.strip(), TIMER_KINDS[kind]
    found = None if has_juel(value) else timer_kind(value)
    if found is None:
        check_expression(value)
    elif found not in allowed:
        raise ExpressionError(text, f"a {found} literal is not valid for {kind}; expected {hint}")
    elif found == "cron" and not is_cron(value):
        raise ExpressionError(text, "invalid Quartz cron (sec min hour day month weekday [year])")
    else:
        normalize_datetime_literal(value)


def evaluate(expr: str, variables: Mapping[str, Any], mode: str = "expression") -> Any:
    """Evaluate expr against variables under the limits; an unknown variable raises
    UnknownProperty (a NameError) naming it as Camunda does.

    Past a limit it raises limits.ScriptLimitError naming the expression and the limit.
    """
    scope = eval_scope(variables, {"__builtins__": {}})
    return evaluate_code(expr, mode, scope)


def evaluate_code(expr: str, mode: str, scope: dict[str, Any]) -> Any:
    """Compile and run expr in a scope made by eval_scope; see evaluate()."""
    code = compile_expression(expr, mode)
    try:
        return run_limited(code, scope, f"expression {expr!r}")
    except (NameError, KeyError) as exc:
        name = unresolved.identifier(exc, expr, mode)
        if name is None or isinstance(exc, unresolved.UnknownProperty):
            raise
        raise unresolved.UnknownProperty(expr, name) from exc


def run_limited(code: types.CodeType, scope: dict[str, Any], what: str) -> Any:
    """eval a checked, instrumented code object under the CPU-time and memory limits."""
    with limits.metered() as meter:
        scope[TICK] = meter.tick
        try:
            # The code object passed the AST safety check and runs without builtins.
            result = eval(code, scope)  # noqa: S307
        except limits.LimitExceeded as exc:
            raise limits.ScriptLimitError(limits.message(what, exc), exc.kind) from None
        if meter.exceeded is not None:
            raise limits.ScriptLimitError(limits.message(what, meter.exceeded),
                                          meter.exceeded.kind)
        return result
