"""What sandboxed code may reach: curated module namespaces and the guarded getattr."""

from __future__ import annotations

import datetime as _datetime
import decimal
import functools
import json
import math
import types
from collections.abc import Callable
from typing import Any

import regex

from engine.expressions import guards
from engine.expressions.limits import active, check_bytes, fail

# Underscore-free attributes that still reach frames, code, globals or str.format.
DENIED_ATTRS = frozenset({
    "gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "cr_await", "cr_origin",
    "ag_frame", "ag_code", "ag_await", "f_back", "f_globals", "f_locals", "f_builtins",
    "f_code", "f_trace", "tb_frame", "tb_next", "co_code", "mro", "format", "format_map",
    "translate", "maketrans", "expandf", "subf", "subfn",
})
_FORBIDDEN_RESULTS = (types.ModuleType, types.FrameType, types.CodeType, types.TracebackType,
                      types.GetSetDescriptorType, types.MemberDescriptorType)
_DECIMAL_DENIED = frozenset({"as_integer_ratio"})  # 1E+999999999 would become a huge int


class Namespace:
    """A module as scripts see it: only the listed names, read-only, no way back to sys."""

    __slots__ = ("_vf_name", "_vf_names")

    def __init__(self, name: str, names: dict[str, Any]) -> None:
        object.__setattr__(self, "_vf_name", name)
        object.__setattr__(self, "_vf_names", dict(names))

    def __getattr__(self, name: str) -> Any:
        names: dict[str, Any] = object.__getattribute__(self, "_vf_names")
        if name.startswith("_") or name not in names:
            module = object.__getattribute__(self, "_vf_name")
            raise AttributeError(f"{module}.{name} is not available in scripts "
                                 f"(available: {', '.join(sorted(names))})")
        return names[name]

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("modules are read-only in scripts")

    def __repr__(self) -> str:
        return f"<module {object.__getattribute__(self, '_vf_name')} (curated)>"


def guarded_getattr(obj: Any, name: Any, *default: Any) -> Any:
    """getattr for sandboxed code: no private or inspect names, no module/frame/code results."""
    if not isinstance(name, str) or name.startswith("_") or name in DENIED_ATTRS:
        raise AttributeError(f"attribute .{name} is not allowed in scripts")
    if isinstance(obj, decimal.Decimal) and name in _DECIMAL_DENIED:
        raise AttributeError(f"attribute .{name} is not allowed in scripts")
    if isinstance(obj, str | bytes | bytearray) and name in guards.TEXT_METHODS:
        return functools.partial(guards.TEXT_METHODS[name], obj)
    value = getattr(obj, name, *default)
    if isinstance(value, _FORBIDDEN_RESULTS):
        raise AttributeError(f"attribute .{name} is not allowed in scripts")
    if isinstance(value, regex.Pattern):
        return Pattern(value)
    return value


def _int_guarded(func: Callable[[Any], Any]) -> Callable[[Any], Any]:
    @functools.wraps(func)
    def call(value: Any) -> Any:
        if isinstance(value, decimal.Decimal):
            guards.check_decimal(value)
        return func(value)
    return call


_MATH_NAMES = (
    "acos asin atan atan2 copysign cos degrees dist e exp fabs fmod frexp fsum gcd hypot inf "
    "isclose isfinite isinf isnan isqrt ldexp log log10 log2 modf nan pi pow radians remainder "
    "sin sqrt tan tau").split()
MATH = Namespace("math", {
    **{name: getattr(math, name) for name in _MATH_NAMES},
    **{name: _int_guarded(getattr(math, name)) for name in ("floor", "ceil", "trunc")},
})


def _loads(text: Any, **kwargs: Any) -> Any:
    kwargs.pop("cls", None)
    return json.loads(text, **kwargs)


def _dumps(value: Any, **kwargs: Any) -> str:
    kwargs.pop("cls", None)
    indent = kwargs.get("indent")
    if isinstance(indent, int) and not isinstance(indent, bool):
        guards.binop("*", " ", indent)
    elif isinstance(indent, str):
        check_bytes(len(indent) * guards.ITEM_BYTES, "a JSON indent")
    guards.check_rendered(value)
    return json.dumps(value, **kwargs)


JSON = Namespace("json", {"loads": _loads, "dumps": _dumps,
                          "JSONDecodeError": json.JSONDecodeError})


def _timeout() -> float:
    meter = active()
    return meter.remaining() if meter is not None else 2.0


def _timed(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    kwargs["timeout"] = _timeout()
    try:
        return call(*args, **kwargs)
    except TimeoutError:
        fail("cpu", "a regular expression took too long")
        raise  # unreachable: fail() raises


def _many(call: Callable[..., Any], text: Any, *args: Any, **kwargs: Any) -> Any:
    """findall / finditer / split: many pieces, so the text's size is checked first."""
    if isinstance(text, str | bytes):
        check_bytes(len(text) * 64, f"matches in a text of {len(text)} characters")
    kwargs["timeout"] = _timeout()
    try:
        result = call(text, *args, **kwargs)
        if not isinstance(result, list):  # finditer: matched now, under the timeout
            result = iter([Match(m) for m in result])
    except TimeoutError:
        fail("cpu", "a regular expression took too long")
    return result


class Match:
    """A regular-expression match without its way back to the unguarded pattern (.re)."""

    __slots__ = ("_match",)

    def __init__(self, match: Any) -> None:
        self._match = match

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name in ("re", "regs", "detach_string"):
            raise AttributeError(f"attribute .{name} is not allowed in scripts")
        return getattr(self._match, name)

    def __bool__(self) -> bool:
        return True

    def __getitem__(self, group: Any) -> Any:
        return self._match[group]

    def __repr__(self) -> str:
        return repr(self._match)


def _wrap(result: Any) -> Any:
    return Match(result) if isinstance(result, regex.Match) else result


class Pattern:
    """A compiled pattern whose every search runs with the script's remaining time."""

    __slots__ = ("_pattern",)

    def __init__(self, pattern: Any) -> None:
        self._pattern = pattern

    def __getattr__(self, name: str) -> Any:
        if name in ("pattern", "flags", "groups", "groupindex"):
            return getattr(self._pattern, name)
        method = getattr(self._pattern, name) if name in _REGEX_CALLS else None
        if method is None:
            raise AttributeError(f"attribute .{name} is not allowed in scripts")
        if name in ("findall", "finditer", "split"):
            return functools.partial(_many, method)
        return lambda *args, **kwargs: _wrap(_timed(method, *args, **kwargs))

    def __repr__(self) -> str:
        return repr(self._pattern)


_REGEX_CALLS = ("match", "search", "fullmatch", "sub", "subn", "findall", "finditer", "split")
_REPEAT = regex.compile(r"(?<!\\)\{(\d+)(?:,\d*)?\}")
_MAX_REPEATS = 100_000


def _checked(pattern: Any) -> Any:
    """The regex module compiles a{1000} as a thousand copies, in C and without a timeout:
    refuse patterns whose counted repeats multiply past _MAX_REPEATS."""
    text = pattern.decode("latin-1") if isinstance(pattern, bytes) else pattern
    if isinstance(text, str):
        product = 1
        for found in _REPEAT.finditer(text):
            product *= max(int(found.group(1)), 1)
            if product > _MAX_REPEATS:
                fail("memory", "a regular expression with too many counted repeats")
    return pattern


def _regex_call(name: str) -> Callable[..., Any]:
    call = getattr(regex, name)
    if name in ("findall", "finditer", "split"):
        return lambda pattern, text, *a, **k: _many(
            functools.partial(call, _checked(pattern)), text, *a, **k)
    return lambda pattern, *args, **kwargs: _wrap(_timed(call, _checked(pattern), *args,
                                                         **kwargs))


RE = Namespace("re", {
    **{name: _regex_call(name) for name in _REGEX_CALLS},
    "compile": lambda pattern, flags=0: Pattern(regex.compile(_checked(pattern), flags)),
    "escape": regex.escape, "error": regex.error,
    **{flag: getattr(regex, flag) for flag in (
        "IGNORECASE", "I", "MULTILINE", "M", "DOTALL", "S", "VERBOSE", "X", "ASCII", "A",
        "UNICODE", "U")},
})

DECIMAL = Namespace("decimal", {
    "Decimal": decimal.Decimal, "InvalidOperation": decimal.InvalidOperation,
    "DivisionByZero": decimal.DivisionByZero,
    **{name: getattr(decimal, name) for name in dir(decimal) if name.startswith("ROUND_")},
})

DATETIME = Namespace("datetime", {
    name: getattr(_datetime, name)
    for name in ("date", "datetime", "time", "timedelta", "timezone", "MINYEAR", "MAXYEAR")
})

MODULES: dict[str, Namespace] = {
    "math": MATH, "json": JSON, "re": RE, "decimal": DECIMAL, "datetime": DATETIME,
}
