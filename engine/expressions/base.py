"""Shared pieces: ExpressionError, the product time zone, ISO points, allow-listed functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

PRODUCT_TZ = "Asia/Shanghai"


class ExpressionError(ValueError):
    """Bad expression; .expression, .reason (human readable, English), .column (int|None)."""

    def __init__(self, expression: str, reason: str, column: int | None = None) -> None:
        where = f" at column {column}" if column is not None else ""
        super().__init__(f"{reason}{where} in expression {expression!r}")
        self.expression, self.reason, self.column = expression, reason, column


def parse_point(point: str, source: str) -> datetime:
    """Parse an ISO date / date-time; no offset means PRODUCT_TZ. Errors name `source`."""
    try:
        value = datetime.fromisoformat(point)
    except ValueError as exc:
        raise ExpressionError(source, f"invalid ISO-8601 date-time {point!r}: {exc}") from exc
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(PRODUCT_TZ))


def now() -> datetime:
    """Current aware UTC datetime (tests move it with time-machine)."""
    return datetime.now(UTC)


def iso_date(text: str) -> datetime:
    """Parse an ISO date or date-time; no offset means Asia/Shanghai. Returns an aware value."""
    return parse_point(text.strip(), text)


# The functions an expression may call, by name (JUEL and plain Python alike).
FUNCTIONS: dict[str, Any] = {
    "len": len, "str": str, "int": int, "float": float, "bool": bool, "abs": abs,
    "min": min, "max": max, "round": round, "sum": sum, "sorted": sorted, "any": any,
    "all": all, "list": list, "dict": dict, "set": set, "tuple": tuple, "range": range,
    "now": now, "iso_date": iso_date, "datetime": datetime, "timedelta": timedelta,
    "timezone": timezone,
}
