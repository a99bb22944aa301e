"""JavaScript scripts (scriptFormat="javascript") in an embedded V8 with time and memory limits."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping, MutableMapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from py_mini_racer import MiniRacer
from py_mini_racer import _exc as js_errors

from engine.bpmn.javascript_spin import SPIN_PRELUDE

FORMATS = ("javascript", "js", "ecmascript")
MARKER = "//!vocflow:javascript\n"  # prefixed by the parser; the script engine dispatches on it
TIMEOUT_MS = 2000
MAX_MEMORY = 64 * 1024 * 1024
_RETIRED: list[MiniRacer] = []
_RETIRED_LOCK = threading.Lock()
_LINE = re.compile(r"<anonymous>:(\d+)|undefined:(\d+)")

# `execution` as Camunda 7 scripts use it; variables go in and out as JSON, nothing else.
_PRELUDE = """
var __vars = JSON.parse(__in);
var __set = {};
var __removed = {};
// Camunda binds the process variables as script globals (read; a write needs setVariable)
// (a JSON variable reads as a Spin node too: javascript_spin)
Object.keys(__vars).forEach(function (k) {
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) && !(k in globalThis)) {
    globalThis[k] = __spinOf.variable(__vars[k]);
  }
});
var __typeName = function (v) {
  if (v !== null && typeof v === "object") { return "json"; }
  if (typeof v === "number") {
    return !Number.isInteger(v) ? "double" : Math.abs(v) < 2147483648 ? "integer" : "long";
  }
  return v === null ? "null" : typeof v;
};
var execution = {
  getVariable: function (n) {
    return __vars[n] === undefined ? null : __spinOf.variable(__vars[n]);
  },
  getVariableTyped: function (n) {
    if (__vars[n] === undefined) { return null; }
    var v = __vars[n], name = __typeName(v);
    return {getValue: function () { return execution.getVariable(n); },
            getValueSerialized: function () {
              return typeof v === "string" ? v : JSON.stringify(v);
            },
            getType: function () { return {getName: function () { return name; }}; },
            isTransient: function () { return false; }};
  },
  getVariables: function () { return Object.assign({}, __vars); },
  hasVariable: function (n) { return Object.prototype.hasOwnProperty.call(__vars, n); },
  setVariable: function (n, v) {
    __vars[n] = __spinOf.raw(v); __set[n] = true; delete __removed[n];
  },
  setVariables: function (m) { for (var k in m) { execution.setVariable(k, m[k]); } },
  removeVariable: function (n) { delete __vars[n]; __removed[n] = true; },
  getProcessBusinessKey: function () { return __vars.__businessKey || null; },
  get processBusinessKey() { return __vars.__businessKey || null; }
};
execution.getVariableLocal = execution.getVariable;
execution.getVariableLocalTyped = execution.getVariableTyped;
execution.setVariableLocal = execution.setVariable;
var task = execution;
if (typeof __taskIn !== "undefined") {
  task = Object.assign({}, execution, JSON.parse(__taskIn));
  Object.keys(JSON.parse(__taskIn)).forEach(function (k) {
    task["get" + k.charAt(0).toUpperCase() + k.slice(1)] = function () { return task[k]; };
  });
}
"""
_EPILOGUE = """
JSON.stringify({set: Object.keys(__set).reduce(function (o, k) { o[k] = __vars[k]; return o; },
  {}), removed: Object.keys(__removed),
  result: typeof __result === "undefined" ? null : __result});
"""


class JavaScriptError(Exception):
    """A JavaScript script failed: syntax, an exception it threw, the time or memory limit."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def mark(source: str, result_variable: str | None = None) -> str:
    """The script as the parser stores it; with camunda:resultVariable, the script's value
    (its last expression's, as Camunda's script engine returns it) is stored there."""
    if result_variable:
        return f"{MARKER[:-1]}:{result_variable}\n{source}"
    return MARKER + source


def is_marked(script: str | None) -> bool:
    return bool(script) and str(script).startswith(MARKER[:-1])


def source_of(script: str) -> str:
    """The script as written, without the parser's marker line."""
    return script.partition("\n")[2] if is_marked(script) else script


def _result_variable(script: str) -> str | None:
    head = script.partition("\n")[0] if is_marked(script) else ""
    return head[len(MARKER) - 1:].lstrip(":") or None


def _line(text: str, shift: int) -> int | None:
    found = _LINE.search(text)
    if not found:
        return None
    return max(int(found.group(1) or found.group(2)) - shift, 1)


def check(source: str) -> tuple[int | None, str] | None:
    """(line, reason) when the script does not compile; nothing of it runs."""
    with MiniRacer() as ctx:
        ctx.eval("var __src = " + json.dumps(source))
        try:
            ctx.eval("new Function(__src); 0", timeout=TIMEOUT_MS, max_memory=MAX_MEMORY)
        except js_errors.JSEvalException as exc:
            text = str(exc)
            reason = next((ln for ln in text.splitlines() if "Error" in ln), text.splitlines()[0])
            return _line(text, 2), reason.split(": ", 1)[-1] if ":" in reason else reason
    return None


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, set | tuple):
        return list(value)
    return str(value)


def _retire(ctx: MiniRacer) -> None:
    """Close a stopped context later: V8 still calls back into it just after a termination."""
    with _RETIRED_LOCK:
        _RETIRED.append(ctx)
        while len(_RETIRED) > 8:
            _RETIRED.pop(0).close()


def execute(script: str, context: MutableMapping[str, Any],
            task: dict[str, Any] | None = None,
            extra: Mapping[str, Any] | None = None) -> None:
    """Run one script on the task's variables; setVariable/removeVariable change `context`.

    `task` (a task listener's DelegateTask properties) makes `task` in the script those
    properties with their getters, beside the variable methods. `extra` are variables the
    script reads but does not keep (a multi-instance's loopCounter and counts).
    """
    source = source_of(script)
    result_variable = _result_variable(script)
    variables = {**(extra or {}), **{k: v for k, v in context.items() if not k.startswith("_")}}
    ctx = MiniRacer()
    try:
        ctx.eval("var __in = " + json.dumps(json.dumps(variables, default=_json_default)))
        if task is not None:
            ctx.eval("var __taskIn = " + json.dumps(json.dumps(task, default=_json_default)))
        ctx.eval(SPIN_PRELUDE)
        ctx.eval(_PRELUDE)
        if result_variable:  # the script's completion value, kept as JSON
            ctx.eval("var __src = " + json.dumps(source))
            ctx.eval("var __result = (0, eval)(__src);", timeout=TIMEOUT_MS,
                     max_memory=MAX_MEMORY)
        else:
            ctx.eval(source, timeout=TIMEOUT_MS, max_memory=MAX_MEMORY)
        result = json.loads(str(ctx.eval(_EPILOGUE, timeout=TIMEOUT_MS)))
    except js_errors.JSTimeoutException as exc:
        _retire(ctx)
        raise JavaScriptError(f"the script ran longer than {TIMEOUT_MS} ms") from exc
    except js_errors.JSOOMException as exc:
        _retire(ctx)
        raise JavaScriptError(f"the script used more than {MAX_MEMORY >> 20} MB") from exc
    except js_errors.JSEvalException as exc:
        ctx.close()
        text = str(exc)
        first = next((ln for ln in text.splitlines() if "Error" in ln), text)
        raise JavaScriptError(first.strip(), _line(text, 0)) from exc
    ctx.close()
    for name in result.get("removed", []):
        context.pop(name, None)
    context.update(result.get("set", {}))
    if result_variable:
        context[result_variable] = result.get("result")
