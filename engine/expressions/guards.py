"""Guarded operations for sandboxed code: sizes before allocating, ticks in long C loops."""

from __future__ import annotations

import decimal
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from engine.expressions.limits import check_bytes, check_int_bits, current, fail, tick

ITEM_BYTES = 8  # counted per item of a str, bytes, list or tuple (listing it costs that much)
NATIVE_RANGE = 10**6  # longer ranges iterate in Python, so that C loops over them tick
_SMALL_SUM = 10**5
_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "*": operator.mul, "**": operator.pow, "<<": operator.lshift, "+": operator.add,
    "%": operator.mod,
}
_SEQUENCES = (str, bytes, bytearray, list, tuple)
_SCALARS = (bool, float, complex, type(None))
_PLAIN = (*_SCALARS, decimal.Decimal, str)  # str() of these is as long as they are


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _repeat(seq: Any, times: Any) -> None:
    if isinstance(seq, _SEQUENCES) and _is_int(times) and times > 0:
        check_bytes(len(seq) * times * ITEM_BYTES,
                    f"a {type(seq).__name__} of {len(seq) * times} items")


_NUMBERS = frozenset({int, float, bool})


def binop(op: str, left: Any, right: Any) -> Any:
    """left OP right for the operators that can build huge values in one C call."""
    kinds = type(left), type(right)
    if kinds[0] in _NUMBERS and kinds[1] in _NUMBERS:
        if op == "*" and float not in kinds:
            check_int_bits(left.bit_length() + right.bit_length())
        elif op in ("**", "<<") and float not in kinds:
            _check_shift_or_power(op, left, right)
        return _OPS[op](left, right)  # the common case: plain arithmetic
    if op == "*":
        _repeat(left, right)
        _repeat(right, left)
        if _is_int(left) and _is_int(right):
            check_int_bits(left.bit_length() + right.bit_length())
    elif op == "**" and _is_int(left) and _is_int(right) and right > 0 and abs(left) > 1:
        check_int_bits(left.bit_length() * right)
    elif op == "<<" and _is_int(left) and _is_int(right) and right > 0 and left:
        check_int_bits(left.bit_length() + right)
    elif op == "+" and isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        check_bytes((len(left) + len(right)) * ITEM_BYTES,
                    f"a {type(left).__name__} of {len(left) + len(right)} items")
    elif op == "%" and isinstance(left, str | bytes):
        _check_percent(left, right)
    return _OPS[op](left, right)


def _check_shift_or_power(op: str, left: int, right: int) -> None:
    if op == "**" and right > 0 and abs(left) > 1:
        check_int_bits(left.bit_length() * right)
    elif op == "<<" and right > 0 and left:
        check_int_bits(left.bit_length() + right)


_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_percent(template: str | bytes, args: Any) -> None:
    text = template.decode("latin-1") if isinstance(template, bytes) else template
    values = args if isinstance(args, tuple) else (args,)
    for found in _PERCENT.finditer(text):
        for number in found.groups():
            if number == "*":
                for value in values:
                    _check_width(value)
            elif number:
                _check_width(int(number))
    for value in values:
        if isinstance(value, decimal.Decimal):
            check_decimal(value)  # %d and %f expand it into its digits
        check_rendered(value)


def _check_width(value: Any) -> None:
    if _is_int(value):
        check_bytes(abs(value) * ITEM_BYTES, f"text padded to {value} characters")


def rendered_size(value: Any, limit: int) -> int:
    """Characters str() or JSON of value would take, shared items counted every time."""
    memo: dict[int, int] = {}

    def size(item: Any) -> int:
        if isinstance(item, str | bytes | bytearray):
            return len(item) + 2
        if isinstance(item, int) and not isinstance(item, bool):
            return item.bit_length() // 3 + 2
        if isinstance(item, _SCALARS):
            return 24
        if isinstance(item, decimal.Decimal):
            return len(item.as_tuple().digits) + 24
        if not isinstance(item, list | tuple | set | frozenset | dict):
            return 64
        key = id(item)
        if key in memo:
            return memo[key]
        memo[key] = 8  # a container inside itself prints as [...]
        total = 2
        children = (c for kv in item.items() for c in kv) if isinstance(item, dict) else item
        for child in children:
            total += size(child) + 2
            if total > limit:
                break
        memo[key] = total
        return total

    return size(value)


def check_rendered(value: Any) -> None:
    """Refuse to turn value into text (str, repr, f-string, %, JSON) past the memory limit."""
    if isinstance(value, _PLAIN) or _is_int(value):
        return
    limit = current().memory_bytes // ITEM_BYTES
    if rendered_size(value, limit) > limit:
        fail("memory", "text of a value whose items repeat too often")


def check_decimal(value: decimal.Decimal) -> None:
    """Refuse to expand a Decimal such as 1E+999999999 into its digits (int, format)."""
    if value.is_finite():
        check_int_bits(abs(value.adjusted()) * 4)


def to_int(value: Any = 0, *base: Any, **kwargs: Any) -> int:
    """int() that refuses to expand a Decimal such as 1E+999999999 into digits."""
    if isinstance(value, decimal.Decimal):
        check_decimal(value)
    result: int = int(value, *base, **kwargs)
    check_int_bits(result.bit_length())
    return result


def to_round(value: Any, *ndigits: Any) -> Any:
    if isinstance(value, decimal.Decimal) and not ndigits:
        check_decimal(value)
    return round(value, *ndigits)


def to_str(value: Any = "", *args: Any, **kwargs: Any) -> str:
    if not args and not kwargs:
        check_rendered(value)
    return str(value, *args, **kwargs)


def to_repr(value: Any) -> str:
    check_rendered(value)
    return repr(value)


def power(base: Any, exp: Any, mod: Any = None) -> Any:
    if mod is None:
        return binop("**", base, exp)
    if _is_int(exp) and _is_int(mod):
        check_int_bits(max(exp.bit_length() * mod.bit_length() // 1000, mod.bit_length()))
    return pow(base, exp, mod)


def format_value(value: Any, conversion: int, spec: str) -> str:
    """An f-string field: conversion (-1, 's', 'r', 'a' as ord) and spec, sizes checked."""
    if conversion == ord("r"):
        value = to_repr(value)
    elif conversion == ord("a"):
        value = ascii(to_repr(value))
    elif conversion == ord("s") or not isinstance(value, str | int | float | decimal.Decimal):
        value = to_str(value)
    _check_spec(value, spec)
    return format(value, spec)


_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?(\d*)[,_]?(?:\.(\d+))?([a-zA-Z%]?)$")


def _check_spec(value: Any, spec: str) -> None:
    found = _SPEC.match(spec)
    if found is None:
        return  # format() itself refuses it
    width, precision, kind = found.groups()
    for number in (width, precision):
        if number:
            _check_width(int(number))
    if isinstance(value, decimal.Decimal) and (kind in "fF%" or precision):
        check_decimal(value)
    if _is_int(value):
        check_int_bits(value.bit_length())


def total(iterable: Iterable[Any], /, start: Any = 0) -> Any:
    """sum() that ticks over long lists and checks sizes when summing sequences.

    A generator ticks by itself (it is instrumented code or a LongRange); a long list of big
    integers or lists summed into a list would run in C for too long or grow too big.
    """
    long = isinstance(iterable, list | tuple) and len(iterable) > _SMALL_SUM
    if not long and isinstance(start, int | float | decimal.Decimal):
        return sum(iterable, start)
    result = start
    for item in iterable:
        tick()
        result = binop("+", result, item)
    return result


class _TickingIterator:
    """Iterates a long range, ticking per item, so sum(range(10**12)) stops in time."""

    __slots__ = ("_inner",)

    def __init__(self, inner: Iterator[int]) -> None:
        self._inner = inner

    def __iter__(self) -> _TickingIterator:
        return self

    def __next__(self) -> int:
        tick()
        return next(self._inner)


class LongRange:
    """A range too long to iterate in C without ticking; otherwise behaves like range."""

    __slots__ = ("_range",)

    def __init__(self, inner: range) -> None:
        self._range = inner

    def __iter__(self) -> _TickingIterator:
        return _TickingIterator(iter(self._range))

    def __reversed__(self) -> _TickingIterator:
        return _TickingIterator(reversed(self._range))

    def __len__(self) -> int:
        return len(self._range)

    def __contains__(self, item: Any) -> bool:
        return item in self._range

    def __getitem__(self, index: Any) -> Any:
        return make_range_of(self._range[index])

    def __repr__(self) -> str:
        return repr(self._range)

    @property
    def start(self) -> int:
        return self._range.start

    @property
    def stop(self) -> int:
        return self._range.stop

    @property
    def step(self) -> int:
        return self._range.step


def make_range_of(inner: Any) -> Any:
    if not isinstance(inner, range):
        return inner
    count = (inner.stop - inner.start) // inner.step
    return LongRange(inner) if count > NATIVE_RANGE else inner


def make_range(*args: Any) -> Any:
    """range() whose long instances tick when a C function (sum, list, max) walks them."""
    return make_range_of(range(*args))


def join(sep: Any, iterable: Iterable[Any]) -> Any:
    items = list(iterable)
    size = len(sep) * len(items)
    for item in items:
        size += len(item) if isinstance(item, str | bytes | bytearray) else 0
    check_bytes(size * ITEM_BYTES, f"a joined text of {size} characters")
    return sep.join(items)


def replace(text: Any, old: Any, new: Any, count: int = -1) -> Any:
    hits = text.count(old) if old else len(text) + 1
    hits = hits if count < 0 else min(hits, count)
    size = len(text) + hits * max(len(new) - len(old), 0)
    check_bytes(size * ITEM_BYTES, f"a text of {size} characters")
    return text.replace(old, new, count)


def _padder(name: str) -> Callable[..., Any]:
    def pad(text: Any, width: Any, *args: Any) -> Any:
        _check_width(width)
        return getattr(text, name)(width, *args)
    return pad


def expandtabs(text: Any, tabsize: int = 8) -> Any:
    check_bytes(len(text) * max(tabsize, 1) * ITEM_BYTES, "text with expanded tabs")
    return text.expandtabs(tabsize)


def _splitter(name: str) -> Callable[..., Any]:
    def split(text: Any, *args: Any, **kwargs: Any) -> Any:
        sep = args[0] if args and name != "splitlines" else kwargs.get("sep")
        if name == "splitlines":  # every one of a dozen line breaks may start a piece
            pieces = len(text) + 1
        else:
            pieces = text.count(sep) + 1 if sep else len(text) // 2 + 1
        check_bytes(pieces * 64, f"{pieces} pieces of text")
        return getattr(text, name)(*args, **kwargs)
    return split


TEXT_METHODS: dict[str, Callable[..., Any]] = {
    "join": join, "replace": replace, "expandtabs": expandtabs,
    **{name: _padder(name) for name in ("center", "ljust", "rjust", "zfill")},
    **{name: _splitter(name) for name in ("split", "rsplit", "splitlines")},
}


class _GuardedType(type):
    """A stand-in for int or str: calling it converts with guards, isinstance still works."""

    _vf_real: type
    _vf_make: Callable[..., Any]

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, cls._vf_real)

    def __subclasscheck__(cls, subclass: Any) -> bool:
        return isinstance(subclass, type) and issubclass(subclass, cls._vf_real)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls._vf_make(*args, **kwargs)

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in TEXT_METHODS and cls._vf_real in (str, bytes):
            return TEXT_METHODS[name]  # str.join(sep, items) is as guarded as sep.join(items)
        if name == "from_bytes" and cls._vf_real is int:
            return _int_from_bytes
        return getattr(cls._vf_real, name)


def _int_from_bytes(data: Any, *args: Any, **kwargs: Any) -> int:
    if isinstance(data, bytes | bytearray):
        check_int_bits(len(data) * 8)
    return int.from_bytes(data, *args, **kwargs)


def guarded_type(real: type, make: Callable[..., Any]) -> type:
    return _GuardedType(real.__name__, (), {"_vf_real": real, "_vf_make": staticmethod(make)})
