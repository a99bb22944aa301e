"""What the script sandbox's limits cost: the scripted loop with them on and off, in turn."""

from __future__ import annotations

import time
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

from _engine_runs import engine_sample, engine_setup
from _raw_spiff import raw_setup, raw_step
from _step_cases import SCRIPT, SCRIPTED, median_ms
from RestrictedPython.compile import compile_restricted

from engine import expressions
from engine.bpmn import codec, scripting
from engine.uow import UowFactory


class UnlimitedEnvironment(scripting.SafeEnvironment):
    """The sandbox without its limits: no AST ticks or guards in scripts, no meter."""

    def execute(self, script: str, context: MutableMapping[str, Any],
                external_context: Any = None) -> bool:
        code = _plain_compile(script)
        scope: dict[str, Any] = {**self.globals, **(external_context or {}), **context}
        scope.update(scripting._RESERVED)
        exec(code, scope)  # noqa: S102 - bench only: the diagram is ours
        scripting._store(scope, context, self.globals)
        return True

    def evaluate(self, expression: str, context: Any, external_context: Any = None) -> Any:
        mode = "text" if "${" in expression else "expression"
        code = expressions.compile_expression(expression, mode)
        return eval(code, expressions.eval_scope(external_context or {}, context))  # noqa: S307


_PLAIN: dict[str, Any] = {}


def _plain_compile(script: str) -> Any:
    if script not in _PLAIN:
        _PLAIN[script] = compile_restricted(script, scripting.SCRIPT_FILENAME, "exec")
    return _PLAIN[script]


@contextmanager
def limits_off() -> Iterator[None]:
    engine = codec._SCRIPT_ENGINE
    before = engine.environment
    engine.environment = UnlimitedEnvironment()
    try:
        yield
    finally:
        engine.environment = before


def bench_limits(reps: int, factory: UowFactory) -> dict[str, float]:
    """Median ms: the scripted loop raw, through the engine with limits on and off, in turn;
    and one script task alone through the environment, limits on and off."""
    serializer, state = raw_setup(SCRIPTED, 0)
    instance_id, restore = engine_setup(factory, 0, SCRIPTED)
    samples: dict[str, list[float]] = {"raw": [], "on": [], "off": []}
    for _ in range(reps):
        started = time.perf_counter()
        raw_step(serializer, state)
        samples["raw"].append(time.perf_counter() - started)
        samples["on"].append(engine_sample(factory, instance_id))
        restore()
        with limits_off():
            samples["off"].append(engine_sample(factory, instance_id))
        restore()
    limited, unlimited = scripting.SafeEnvironment(), UnlimitedEnvironment()
    engines = {"memory_on": scripting.SandboxScriptEngine(environment=limited),
               "memory_off": scripting.SandboxScriptEngine(environment=unlimited)}
    alone: dict[str, list[float]] = {"script_on": [], "script_off": [], **{k: [] for k in engines}}
    for _ in range(reps * 10):
        for name, environment in (("script_on", limited), ("script_off", unlimited)):
            context = {"rounds": 1}
            started = time.perf_counter()
            environment.execute(SCRIPT, context, {})
            alone[name].append(time.perf_counter() - started)
        for name, engine in engines.items():  # no database: the step's own CPU
            started = time.perf_counter()
            raw_step(serializer, state, engine)
            alone[name].append(time.perf_counter() - started)
    return {name: median_ms(values) for name, values in {**samples, **alone}.items()}


def print_limits(medians: dict[str, float]) -> None:
    raw, on, off = medians["raw"], medians["on"], medians["off"]
    print(f"\nscript limits (SQLite, {SCRIPTED.file}: user task + script task + gateway)")
    print(f"{'limits':<8} {'raw ms':>8} {'engine ms':>10} {'ratio':>6}")
    for name, value in (("off", off), ("on", on)):
        print(f"{name:<8} {raw:>8.2f} {value:>10.2f} {value / raw:>5.2f}x")
    print(f"cost of the limits per step: {on - off:+.3f} ms ({on / off:.3f}x)")
    m_on, m_off = medians["memory_on"], medians["memory_off"]
    print(f"same step in memory (no database), the engine's script engine: {m_off:.3f} ms "
          f"without limits, {m_on:.3f} ms with ({m_on - m_off:+.3f} ms, {m_on / m_off:.3f}x)")
    s_on, s_off = medians["script_on"], medians["script_off"]
    print(f"one script task alone: {s_off * 1000:.1f} us without limits, {s_on * 1000:.1f} us "
          f"with ({s_on - s_off:+.3f} ms, {s_on / s_off:.2f}x)")
    print(f"target: SQLite scripted step with limits <= 2.5x raw: "
          f"{'OK' if on / raw <= 2.5 else 'MISSED'}")
