"""FEEL values: null-safe comparison and arithmetic, temporal parsing, the built-in functions."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from engine.expressions.base import PRODUCT_TZ, now

_DURATION = re.compile(
    r"^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _aware(value: datetime) -> datetime:
    # A local date-time is read in the product's time zone, as the timer expressions are.
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(PRODUCT_TZ))


def parse_date(text: str) -> date:
    return date.fromisoformat(text.strip())


def parse_datetime(text: str) -> datetime:
    return _aware(datetime.fromisoformat(text.strip().replace("Z", "+00:00")))


def parse_time(text: str) -> time:
    return time.fromisoformat(text.strip())


def parse_duration(text: str) -> timedelta:
    found = _DURATION.match(text.strip())
    if found is None or text.strip() in ("P", "PT", "-P"):
        raise ValueError(f"not a days-and-time duration: {text!r}")
    sign, days, hours, minutes, seconds = found.groups()
    delta = timedelta(days=int(days or 0), hours=int(hours or 0), minutes=int(minutes or 0),
                      seconds=float(seconds or 0))
    return -delta if sign else delta


def _coerce_text(text: str, other: Any) -> Any:
    """A string compared with a temporal value is read as one of its kind (form values)."""
    try:
        if isinstance(other, datetime):
            return parse_datetime(text)
        if isinstance(other, date):
            return parse_date(text[:10])
        if isinstance(other, time):
            return parse_time(text)
        if isinstance(other, timedelta):
            return parse_duration(text)
    except ValueError:
        return None
    return text


def _pair(a: Any, b: Any) -> tuple[Any, Any] | None:
    """Both operands in one comparable kind, or None when FEEL says the result is null."""
    if a is None or b is None:
        return None
    if isinstance(a, str) and not isinstance(b, str):
        a = _coerce_text(a, b)
    elif isinstance(b, str) and not isinstance(a, str):
        b = _coerce_text(b, a)
    if a is None or b is None:
        return None
    if is_number(a) and is_number(b):
        return a, b
    if isinstance(a, datetime) or isinstance(b, datetime):
        if isinstance(a, date) and isinstance(b, date):
            if isinstance(a, datetime) and isinstance(b, datetime):
                return _aware(a), _aware(b)
            # A date-time against a date compares the calendar day (Camunda's Date inputs).
            return (a.date() if isinstance(a, datetime) else a,
                    b.date() if isinstance(b, datetime) else b)
        return None
    for kind in (str, date, time, timedelta, bool):
        if isinstance(a, kind) and isinstance(b, kind):
            return a, b
    return None


def equal(a: Any, b: Any) -> bool | None:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    pair = _pair(a, b)
    return None if pair is None else bool(pair[0] == pair[1])


def compare(a: Any, op: str, b: Any) -> bool | None:
    """FEEL comparison: null when either side is null or the kinds differ."""
    if op == "=":
        return equal(a, b)
    if op == "!=":
        result = equal(a, b)
        return None if result is None else not result
    pair = _pair(a, b)
    if pair is None or isinstance(pair[0], bool):
        return None
    x, y = pair
    return bool({"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op])


def _number(value: float) -> int | float:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def arithmetic(op: str, a: Any, b: Any) -> Any:
    """+ - * / ** on numbers, strings (+) and temporal values; null on anything else."""
    try:
        if is_number(a) and is_number(b):
            if op == "/":
                return None if b == 0 else _number(a / b)
            result = {"+": a + b, "-": a - b, "*": a * b}.get(op)
            return result if result is not None else _number(a ** b)
        if op == "+" and isinstance(a, str) and isinstance(b, str):
            return a + b
        return _temporal(op, a, b)
    except (TypeError, OverflowError, ZeroDivisionError, ValueError):
        return None


def _temporal(op: str, a: Any, b: Any) -> Any:
    temporal = (date, timedelta)
    if isinstance(a, temporal) and isinstance(b, timedelta) and op in "+-":
        return a + b if op == "+" else a - b
    if isinstance(a, timedelta) and isinstance(b, date) and op == "+":
        return b + a
    if isinstance(a, date) and isinstance(b, date) and op == "-":
        pair = _pair(a, b)
        return None if pair is None else pair[0] - pair[1]
    if isinstance(a, timedelta) and is_number(b) and op in "*/":
        return a * b if op == "*" else (None if b == 0 else a / b)
    return None


def negate(value: Any) -> Any:
    return -value if is_number(value) or isinstance(value, timedelta) else None


def _safe(function: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        try:
            return function(*args)
        except (TypeError, ValueError, IndexError, OverflowError, AttributeError):
            return None  # FEEL: a function applied to the wrong values gives null
    return call


def _date(*args: Any) -> Any:
    if len(args) == 3:
        return date(*(int(a) for a in args))
    value = args[0]
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else parse_date(value)


def _date_and_time(*args: Any) -> Any:
    if len(args) == 2:
        return _aware(datetime.combine(args[0], args[1]))
    value = args[0]
    if isinstance(value, datetime):
        return _aware(value)
    if isinstance(value, date):
        return _aware(datetime.combine(value, time()))
    return parse_datetime(value)


def _items(args: tuple[Any, ...]) -> list[Any]:
    return list(args[0]) if len(args) == 1 and isinstance(args[0], list) else list(args)


def _numbers(args: tuple[Any, ...]) -> list[Any]:
    items = _items(args)
    if not items or not all(is_number(i) for i in items):
        raise ValueError("numbers expected")
    return items


def _string(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, date | time) else str(value)


def _substring(text: str, start: int, length: int | None = None) -> str:
    begin = int(start) - 1 if start > 0 else len(text) + int(start)
    return text[begin:] if length is None else text[begin:begin + int(length)]


def _decimal(value: float, scale: int) -> int | float:
    return _number(round(value, int(scale)))


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "not": lambda b: (not b) if isinstance(b, bool) else None,
    "date": _date,
    "time": lambda v: v if isinstance(v, time) else parse_time(v),
    "date and time": _date_and_time,
    "duration": parse_duration,
    "now": now,
    "today": lambda: now().astimezone(ZoneInfo(PRODUCT_TZ)).date(),
    "string": _string,
    "number": lambda s: _number(float(s)) if isinstance(s, str) else None,
    "string length": len,
    "upper case": str.upper,
    "lower case": str.lower,
    "substring": _substring,
    "substring before": lambda s, m: s.split(m, 1)[0] if m in s else "",
    "substring after": lambda s, m: s.split(m, 1)[1] if m in s else "",
    "contains": lambda s, m: m in s,
    "starts with": str.startswith,
    "ends with": str.endswith,
    "abs": lambda n: abs(n) if is_number(n) else None,
    "floor": lambda n: math.floor(n),
    "ceiling": lambda n: math.ceil(n),
    "decimal": _decimal,
    "modulo": lambda a, b: _number(a - b * math.floor(a / b)),
    "min": lambda *a: min(_items(a)) if _items(a) else None,
    "max": lambda *a: max(_items(a)) if _items(a) else None,
    "sum": lambda *a: _number(sum(_numbers(a))),
    "mean": lambda *a: _number(sum(_numbers(a)) / len(_numbers(a))),
    "count": lambda *a: len(_items(a)),
}
BUILTINS: dict[str, Callable[..., Any]] = {name: _safe(fn) for name, fn in _FUNCTIONS.items()}


def member(value: Any, container: Any) -> bool | None:
    if isinstance(container, list):
        return any(equal(value, item) for item in container)
    return None


def plain(value: Any) -> Any:
    """A FEEL value as a JSON-ready process variable (temporal values as ISO-8601 text)."""
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
        sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
        days, rest = divmod(seconds, 86400)
        text = f"{sign}P{int(days)}D" if days else f"{sign}P"
        return text + (f"T{_number(rest)}S" if rest or not days else "")
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def both(a: Any, b: Any) -> bool | None:
    if a is False or b is False:
        return False
    return True if a is True and b is True else None


def either(a: Any, b: Any) -> bool | None:
    if a is True or b is True:
        return True
    return False if a is False and b is False else None


def chain(left: Callable[..., Any], links: list[tuple[str, Callable[..., Any]]],
          scope: Mapping[str, Any]) -> bool | None:
    result: bool | None = True
    current = left(scope)
    for op, right in links:
        value = right(scope)
        result = both(result, compare(current, op, value))
        current = value
    return result


def path(base: Callable[..., Any], name: str, scope: Mapping[str, Any]) -> Any:
    value = base(scope)
    if isinstance(value, Mapping):
        return value.get(name)
    if name in ("year", "month", "day", "hour", "minute", "second", "weekday"):
        attr = getattr(value, name, None)
        return attr() + 1 if callable(attr) else attr  # FEEL weekday: Monday is 1
    if name in ("days", "seconds") and hasattr(value, "total_seconds"):
        return getattr(value, name)
    return None


def index(base: Callable[..., Any], index_fn: Callable[..., Any], scope: Mapping[str, Any]) -> Any:
    items, at = base(scope), index_fn(scope)
    if not isinstance(items, list) or not is_number(at) or at == 0:
        return None
    position = int(at) - 1 if at > 0 else len(items) + int(at)
    return items[position] if 0 <= position < len(items) else None
