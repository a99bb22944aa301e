"""Timer literals: ISO-8601 dates, durations and cycles, and Quartz cron."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from croniter import croniter

from engine.expressions.base import PRODUCT_TZ, ExpressionError, parse_point

_DATE = r"\d{4}-\d{2}-\d{2}"
_POINT = rf"{_DATE}(?:T\d{{2}}:\d{{2}}(?::\d{{2}}(?:[.,]\d+)?)?(?:Z|[+-]\d{{2}}(?::?\d{{2}})?)?)?"
_DURATION = (r"P(?:\d+W|(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+D)?"
             r"(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:[.,]\d+)?S)?)?)")
_DATE_RE, _DURATION_RE = re.compile(_POINT), re.compile(_DURATION)
_CYCLE_RE = re.compile(rf"R\d*/(?:{_DURATION}|{_POINT}/{_DURATION}|{_DURATION}/{_POINT})")
_OFFSET_RE = re.compile(r"T.*(?:Z|[+-]\d{2}(?::?\d{2})?)$")
_CRON_FIELDS = (r"[\d*/,-]+", r"[\d*/,-]+", r"[\d*/,-]+", r"[\d*?/,LW-]+",
                r"[\dA-Za-z*/,-]+", r"[\dA-Za-z*?/,#L-]+", r"[\d*/,-]+")
# Timer kind -> (literal kinds it accepts, hint for the error message).
TIMER_KINDS = {
    "timeDate": (("date",), "an ISO-8601 date-time such as 2026-12-15T23:59:59+08:00"),
    "timeDuration": (("duration",), "an ISO-8601 duration such as PT10M or P30D"),
    "timeCycle": (("cycle", "cron"), "a repeating interval such as R3/PT10M or a Quartz cron"),
}


def _normalize_point(point: str, source: str) -> str:
    if point.startswith("P"):
        return point
    value = parse_point(point, source)
    return point if _OFFSET_RE.search(point) else value.isoformat()


def normalize_datetime_literal(text: str) -> str:
    """Give date / date-time literals (also inside R/<start>/<dur>) an explicit offset.

    SpiffWorkflow reads offset-free values in the server's zone; ours are Asia/Shanghai time.
    Other text is returned stripped and unchanged.
    """
    value = text.strip()
    if _CYCLE_RE.fullmatch(value):
        head, *rest = value.split("/")
        return "/".join([head, *(_normalize_point(p, text) for p in rest)])
    return _normalize_point(value, text) if _DATE_RE.fullmatch(value) else value


def _looks_like_cron(text: str) -> bool:
    fields = text.split()
    return len(fields) in (6, 7) and all(
        re.fullmatch(pattern, field) for pattern, field in zip(_CRON_FIELDS, fields, strict=False))


def timer_kind(text: str) -> str | None:
    """Classify a timer literal: "date", "duration", "cycle", "cron", or None (not a literal)."""
    value = text.strip()
    for kind, pattern in (("date", _DATE_RE), ("duration", _DURATION_RE), ("cycle", _CYCLE_RE)):
        if pattern.fullmatch(value):
            return kind
    return "cron" if _looks_like_cron(value) else None


def _quartz_to_croniter(cron: str) -> str:
    if not _looks_like_cron(cron):
        raise ExpressionError(cron, "not a Quartz cron (sec min hour day month weekday [year])")

    def weekday(match: re.Match[str]) -> str:
        if not 1 <= int(match.group()) <= 7:
            raise ExpressionError(cron, f"day-of-week {match.group()} is not in 1-7 (1 = SUN)")
        return str(int(match.group()) - 1)

    # Quartz numbers weekdays 1-7 = SUN-SAT and writes "6L" for the last Friday; croniter
    # counts 0-6 and writes "L5". "?" (no specific value) is "*" to croniter.
    fields = cron.replace("?", "*").split()
    dow = re.sub(r"(?<![/#\d])\d+", weekday, fields[5])
    fields[5] = re.sub(r"(\w+?)L(?=,|$)", r"L\1", dow)
    return " ".join(fields)


def is_cron(text: str) -> bool:
    """True when text is a valid Quartz cron (6 or 7 fields, seconds first)."""
    try:
        expr = _quartz_to_croniter(text.strip())
    except ExpressionError:
        return False
    return bool(croniter.is_valid(expr, second_at_beginning=True))


def next_cron_time(cron: str, after: datetime, tz: str = PRODUCT_TZ) -> datetime:
    """Next fire time of a Quartz cron evaluated in tz, as aware UTC. Naive `after` is in tz."""
    zone = ZoneInfo(tz)
    start = after.replace(tzinfo=zone) if after.tzinfo is None else after.astimezone(zone)
    expr = _quartz_to_croniter(cron.strip())
    try:
        fire: datetime = croniter(expr, start, second_at_beginning=True).get_next(datetime)
    except (ValueError, KeyError) as exc:
        raise ExpressionError(cron, f"invalid Quartz cron: {exc}") from exc
    return fire.astimezone(UTC)
