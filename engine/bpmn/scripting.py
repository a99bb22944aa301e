"""Script and expression execution for diagrams: RestrictedPython scripts, checked expressions."""

from __future__ import annotations

import ast
import functools
import operator
import re
import time
import types
import uuid
from collections.abc import Mapping, MutableMapping
from datetime import timedelta
from typing import Any

from RestrictedPython.compile import compile_restricted
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
)
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import BasePythonScriptEngineEnvironment, PythonScriptEngine
from SpiffWorkflow.bpmn.specs.event_definitions.timer import DurationTimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task

from engine import expressions
from engine.bpmn import javascript, juel_scripts, task_listeners
from engine.bpmn.conditional_events import passed_start, waits_for_change
from engine.bpmn.correlations import lenient_source
from engine.bpmn.loop_variables import LOOP_NAMES, loop_variables
from engine.bpmn.script_results import store_last_value
from engine.expressions import (
    DelegateTask,
    Execution,
    curated,
    curated_more,
    guards,
    limits,
    unresolved,
)
from engine.expressions.instrument import TICK, instrument

SCRIPT_FILENAME = "<string>"  # SpiffWorkflow finds the failing line by this frame name
ALLOWED_MODULES: dict[str, curated.Namespace] = {**curated.MODULES, **curated_more.MODULES}
# Values a script may hold while it runs but that are never task data.
_LOCAL_ONLY = (types.ModuleType, curated.Namespace, curated.Pattern, curated.Match,
               guards.LongRange)


class ForbiddenOperation(Exception):
    """A script tried something the sandbox does not allow; the message says what."""


def _guarded_import(name: str, *args: Any, **kwargs: Any) -> curated.Namespace:
    if name in ALLOWED_MODULES:
        return ALLOWED_MODULES[name]
    allowed = ", ".join(sorted(ALLOWED_MODULES))
    raise ForbiddenOperation(f"import of module '{name}' is forbidden (allowed: {allowed})")


_INPLACE: dict[str, Any] = {
    "+=": functools.partial(guards.binop, "+"), "*=": functools.partial(guards.binop, "*"),
    "%=": functools.partial(guards.binop, "%"), "-=": operator.sub, "/=": operator.truediv,
    "//=": operator.floordiv,
}


def _inplace_var(op: str, x: Any, y: Any) -> Any:
    if op not in _INPLACE:
        raise ForbiddenOperation(f"in-place operator {op} is forbidden")
    return _INPLACE[op](x, y)


def _script_builtins() -> dict[str, Any]:
    builtins = dict(safe_builtins)
    builtins.update(
        __import__=_guarded_import,
        len=len, min=min, max=max, sorted=sorted, any=any, all=all,
        list=list, dict=dict, set=set, enumerate=enumerate, zip=zip, map=map,
        filter=filter, reversed=reversed, repr=guards.to_repr, pow=guards.power,
        _getattr_=curated.guarded_getattr, **expressions.GUARDED_FUNCTIONS,
    )
    return builtins


_RESERVED: dict[str, Any] = {
    "__builtins__": _script_builtins(),
    **expressions.INSTRUMENT_HELPERS,
    "_getattr_": curated.guarded_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": _inplace_var,
}


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's checks, then the engine's instrumentation (ticks, guarded ops)."""

    def visit_Module(self, node: ast.Module) -> ast.AST:  # noqa: N802 - NodeVisitor naming
        checked = super().visit_Module(node)
        if not isinstance(checked, ast.Module):
            raise TypeError("RestrictedPython returned no module")
        return checked if self.errors else instrument(checked, attributes=False)


@functools.lru_cache(maxsize=2048)
def compile_script(script: str) -> types.CodeType:
    """Compile a diagram script under RestrictedPython; SyntaxError says what is forbidden."""
    return compile_restricted(script, SCRIPT_FILENAME, "exec", policy=_Policy)


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
    return _import_problem(script)


def _import_problem(script: str) -> tuple[int | None, str] | None:
    """An import of a module scripts may not use, found before anything runs."""
    for node in ast.walk(ast.parse(script)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [("." * node.level) + (node.module or "")]
        else:
            continue
        for name in names:
            if name not in ALLOWED_MODULES:
                allowed = ", ".join(sorted(ALLOWED_MODULES))
                return node.lineno, (f"import of module '{name}' is forbidden "
                                     f"(allowed: {allowed})")
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
        if (source := lenient_source(expression)) is not None:  # a correlation property's
            try:
                return self.evaluate(source, context, external_context)
            except limits.ScriptLimitError:
                raise
            except (expressions.ExpressionError, NameError, SyntaxError, TypeError,
                    AttributeError, KeyError, ValueError, IndexError):
                return None
        # Text mode handles both a lone ${x} (the value itself) and composite text such as
        # ${year}-12-15T23:59:00+08:00; plain Python and bare ISO literals use expression mode.
        mode = "text" if ("${" in expression or "#{" in expression) else "expression"
        scope = expressions.eval_scope(external_context or {}, context)
        return expressions.evaluate_code(expression, mode, scope)

    def execute(
        self, script: str, context: MutableMapping[str, Any], external_context: Any = None
    ) -> bool:
        """Run script under the limits; LimitExceeded leaves here (the engine names the task)."""
        if javascript.is_marked(script):  # scriptFormat="javascript": V8, its own limits
            delegate = (external_context or {}).get("task")
            javascript.execute(script, context, task=task_listeners.task_props(delegate)
                               if isinstance(delegate, DelegateTask) else None,
                               extra={k: v for k, v in (external_context or {}).items()
                                      if k in LOOP_NAMES})
            return True
        if juel_scripts.is_marked(script):  # scriptFormat="juel": one expression
            juel_scripts.execute(script, context, lambda e, d, x: self.evaluate(
                e, d, {**(external_context or {}), **x}))
            return True
        code = compile_script(script)
        scope: dict[str, Any] = {**self.globals, **(external_context or {}), **context}
        scope.update(_RESERVED)
        with limits.metered() as meter:
            scope[TICK] = meter.tick
            exec(code, scope)  # noqa: S102 - RestrictedPython-compiled, guarded globals
            if meter.exceeded is not None:  # the script caught it with a bare except
                raise limits.LimitExceeded(meter.exceeded.kind, meter.exceeded.detail)
            _store(scope, context, {**self.globals, **(external_context or {})})
        return True

    def call_service(self, context: Any, **kwargs: Any) -> Any:
        raise ForbiddenOperation("service calls run as external tasks, not in scripts")


def _store(scope: dict[str, Any], context: MutableMapping[str, Any],
           helpers: dict[str, Any]) -> None:
    """Copy the script's variables back to the task data (sizes checked: JSON expands them)."""
    for key in list(context):
        if key not in scope:
            del context[key]
    for key in scope.keys() - _RESERVED.keys():
        value = scope[key]
        if key in helpers and helpers[key] is value:
            continue  # a helper or `execution` as it was; a name the script set is data
        if key.startswith("_") or callable(value) or isinstance(value, _LOCAL_ONLY):
            continue
        if context.get(key, _MISSING) is not value:
            guards.check_rendered(value)
        context[key] = _plain(value)


def _plain(value: Any) -> Any:
    """uuid4() and time.localtime() results as JSON values: text and a list of numbers."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, time.struct_time):
        return list(value)
    return value


_MISSING = object()
_KINDS = {"ScriptTask": "script task", "Gateway": "gateway",
          "BusinessRuleTask": "business rule task", "UserTask": "user task",
          "ServiceTask": "service task", "SendTask": "send task", "ReceiveTask": "receive task",
          "CatchEvent": "catch event", "ThrowEvent": "throw event", "StartEvent": "start event",
          "BoundaryEvent": "boundary event", "EndEvent": "end event",
          "CallActivity": "call activity", "SubWorkflowTask": "subprocess"}


def _element(task: Task) -> str:
    spec = task.task_spec
    owner = juel_scripts.placed_for(spec)
    if owner is not None:
        return f"the {juel_scripts.placed_role(spec)} of {owner}"
    kind = next((label for name, label in _KINDS.items() if name in type(spec).__name__),
                "element")
    return f"{kind} {spec.bpmn_id or spec.name}"


def _timer_text(task: Task, expression: str, value: timedelta) -> Any:
    """A timer duration written as a Python timedelta (`timedelta(hours=1)`, as older
    SpiffWorkflow diagrams write it): the ISO-8601 duration the timer reads ("PT3600S")."""
    event = getattr(task.task_spec, "event_definition", None)
    if (not isinstance(event, DurationTimerEventDefinition) or event.expression != expression
            or value.total_seconds() < 0):
        return value
    return f"PT{f'{value.total_seconds():.6f}'.rstrip('0').rstrip('.')}S"


def _unknown(task: Task, error: expressions.UnknownProperty) -> Exception:
    """Camunda's text for an unknown variable, with the element and a likely spelling."""
    hint = unresolved.suggestion(str(error.name), task.data)
    text = f"{error}{hint} (at {_element(task)})"
    failure: Exception = WorkflowTaskException(text, task=task)  # not exception=: Spiff's
    failure.error_type = "UnknownProperty"  # type: ignore[attr-defined]  # did-you-mean
    return failure  # suggests any variable at all


class SandboxScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    """Spiff's script engine; a script or expression past a limit fails its task by name."""

    def evaluate(self, task: Task, expression: str, external_context: Any = None) -> Any:
        if passed_start(task, expression):  # started past it: its condition is not read
            return True
        if waits_for_change(task, expression):  # re-armed, no variable change since
            return False
        if (loop := loop_variables(task)):  # Camunda's multi-instance variables
            external_context = {**loop, **(external_context or {})}
        try:
            value = self.environment.evaluate(expression, task.data, external_context)
            return _timer_text(task, expression, value) if isinstance(value, timedelta) \
                else value
        except limits.ScriptLimitError as exc:
            text = str(exc).replace(f"expression {expression!r}",
                                    f"{_element(task)}: expression {expression!r}", 1)
            raise WorkflowTaskException(text, task=task, exception=exc) from exc
        except expressions.UnknownProperty as exc:
            raise _unknown(task, exc) from exc
        except SpiffWorkflowException as exc:
            exc.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as exc:
            raise WorkflowTaskException(f"Error evaluating expression '{expression}'",
                                        task=task, exception=exc) from exc

    def execute(self, task: Task, script: str, external_context: Any = None) -> Any:
        placed = task_listeners.placed_listener(task)
        before = dict(task.data) if placed is not None else {}
        execution = Execution(task.data)  # Camunda's `execution` in Python scripts too
        external_context = {**loop_variables(task), **(external_context or {}),
                            "execution": execution}
        if placed is not None:
            external_context["task"] = placed[0]
        try:
            result = super().execute(task, script, external_context)
            task.data.update(execution.changes)
            if placed is not None:
                task_listeners.after_placed(task, placed[0], placed[1], before)
            return result
        except limits.LimitExceeded as exc:
            error = limits.ScriptLimitError(limits.message(_element(task), exc), exc.kind)
            line, text = self.get_error_line_number_and_content(script, exc)
            raise WorkflowTaskException(str(error), task=task, exception=error,
                                        line_number=line, error_line=text) from None

    def create_task_exec_exception(self, task: Task, script: str,
                                   err: Exception) -> Exception:
        """A script that reads a variable that is not set says which one (Camunda's
        "Cannot resolve identifier"), with the element and the line."""
        if isinstance(err, expressions.UnknownProperty):
            return _unknown(task, err)  # a juel script's expression
        name = unresolved.identifier(err)
        if name is None or isinstance(err, SpiffWorkflowException):
            plain: Exception = super().create_task_exec_exception(task, script, err)
            return plain
        line, text = self.get_error_line_number_and_content(script, err)
        if isinstance(err, javascript.JavaScriptError):  # V8's line, in the unmarked source
            lines = javascript.source_of(script).splitlines()
            line = err.line if err.line and err.line <= len(lines) else 0
            text = lines[line - 1] if line else ""
        where = f" (line {line}: {text.strip()})" if line and text.strip() else ""
        hint = unresolved.suggestion(name, task.data)
        failure: Exception = WorkflowTaskException(
            f"Unable to evaluate script of {_element(task)}: Cannot resolve identifier "
            f"'{name}'{where}{hint}", task=task, line_number=line or None, error_line=text)
        failure.error_type = type(err).__name__  # type: ignore[attr-defined]
        return failure


def make_script_engine() -> PythonScriptEngine:
    return SandboxScriptEngine(environment=SafeEnvironment())


_RESULT = "vocflowParameterValue"  # a name the sandbox lets a script assign


def parameter_script(fmt: str, source: str, data: dict[str, Any]) -> Any:
    """A camunda:script parameter's value: its script run on a copy of the token's
    variables, under the sandbox's limits, its last value (Camunda's script result)."""
    fmt = fmt.lower()
    if fmt in javascript.FORMATS:
        script = javascript.mark(source, _RESULT)
    elif fmt in juel_scripts.FORMATS:
        script = juel_scripts.mark(source, _RESULT)
    else:
        script = store_last_value(source, _RESULT)
    context = dict(data)
    try:
        _PARAMETERS.execute(script, context)
    except limits.LimitExceeded as exc:
        raise limits.ScriptLimitError(limits.message("a script parameter", exc),
                                      exc.kind) from None
    except Exception as exc:  # noqa: BLE001 - whatever the script raised, said as a ValueError
        raise ParameterScriptError(f"its {fmt or 'python'} script failed: {exc}") from exc
    return context.get(_RESULT)


class ParameterScriptError(ValueError):
    """A camunda:script parameter's script failed (callers report it as a bad expression)."""


_PARAMETERS = SafeEnvironment()
