"""Curated time, random, uuid and calendar namespaces for scripts (see curated.Namespace).

SpiffWorkflow's own diagrams `import time` for a timestamp; designers reach for uuid and
random too. Each namespace lists only harmless callables and constants: no module object,
no way to the process's global random state, no MAC address (uuid1/getnode), and
`time.sleep` counts against the script's CPU-time budget, so a sleeping script holds the
instance lock no longer than a busy one may.
"""

from __future__ import annotations

import calendar
import random
import time
import uuid
from collections.abc import Sequence
from typing import Any

from engine.expressions.curated import Namespace
from engine.expressions.guards import ITEM_BYTES
from engine.expressions.limits import active, check_bytes, fail

_MAX_SHUFFLE = 1_000_000  # random.shuffle loops in Python code the meter does not tick in


def _sleep(seconds: Any) -> None:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise TypeError("time.sleep() takes a number of seconds")
    if seconds < 0:
        raise ValueError("time.sleep() length must be non-negative")
    meter = active()
    if meter is None or seconds > meter.remaining():
        fail("cpu", f"time.sleep({seconds:g}) would pass the time limit")
        return  # unreachable: fail() raises
    time.sleep(seconds)
    meter.spend(seconds)


TIME = Namespace("time", {
    **{name: getattr(time, name) for name in (
        "time", "time_ns", "monotonic", "perf_counter", "gmtime", "localtime", "mktime",
        "strftime", "strptime", "asctime", "ctime", "struct_time", "timezone", "altzone",
        "daylight")},
    "tzname": tuple(time.tzname), "sleep": _sleep,
})

_RNG = random.Random()  # noqa: S311 - scripts' own generator; seeding it touches nothing else


def _choices(population: Sequence[Any], weights: Any = None, *, cum_weights: Any = None,
             k: int = 1) -> list[Any]:
    if isinstance(k, int):
        check_bytes(k * ITEM_BYTES, f"random.choices(k={k})")
    return _RNG.choices(population, weights, cum_weights=cum_weights, k=k)


def _shuffle(items: list[Any]) -> None:
    if len(items) > _MAX_SHUFFLE:
        fail("cpu", f"random.shuffle() of {len(items)} items (at most {_MAX_SHUFFLE})")
    _RNG.shuffle(items)


def _sample(population: Sequence[Any], k: int, **kwargs: Any) -> list[Any]:
    if isinstance(k, int):
        check_bytes(k * ITEM_BYTES, f"random.sample(k={k})")
        if k > _MAX_SHUFFLE:
            fail("cpu", f"random.sample() of {k} items (at most {_MAX_SHUFFLE})")
    return _RNG.sample(population, k, **kwargs)


def _seed(value: Any = None) -> None:
    if value is not None and not isinstance(value, int | float | str | bytes):
        raise TypeError("random.seed() takes None, a number or a string")
    _RNG.seed(value)


RANDOM = Namespace("random", {
    **{name: getattr(_RNG, name) for name in (
        "random", "randint", "randrange", "choice", "uniform", "gauss",
        "triangular", "normalvariate", "expovariate", "betavariate")},
    "choices": _choices, "shuffle": _shuffle, "sample": _sample, "seed": _seed,
})

UUID = Namespace("uuid", {
    "uuid3": uuid.uuid3, "uuid4": uuid.uuid4, "uuid5": uuid.uuid5, "UUID": uuid.UUID,
    **{name: getattr(uuid, name) for name in (
        "NAMESPACE_DNS", "NAMESPACE_URL", "NAMESPACE_OID", "NAMESPACE_X500")},
})

CALENDAR = Namespace("calendar", {
    **{name: getattr(calendar, name) for name in (
        "monthrange", "isleap", "leapdays", "weekday", "monthcalendar", "timegm",
        "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")},
    # tuples: the module's lazy _localized_month objects keep their strftime format
    **{name: tuple(getattr(calendar, name)) for name in (
        "month_name", "month_abbr", "day_name", "day_abbr")},
})

MODULES = {"time": TIME, "random": RANDOM, "uuid": UUID, "calendar": CALENDAR}
