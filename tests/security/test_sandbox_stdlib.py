"""The curated time, random, uuid and calendar modules: what works, what stays out."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from engine.bpmn.scripting import ForbiddenOperation, SafeEnvironment, check_script
from engine.expressions import limits
from engine.expressions.limits import LimitExceeded

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def quick_limits() -> Iterator[None]:
    before = limits.current()
    limits.configure(0.5, 64)
    yield
    limits.configure(before.cpu_seconds, before.memory_bytes // MB)


def run(script: str) -> dict[str, Any]:
    context: dict[str, Any] = {}
    SafeEnvironment().execute(script, context, {})
    return context


ESCAPES = [
    ("import time\nx = time.sleep.__self__", "__self__"),
    ("import time\nx = time.tzset()", "time.tzset"),
    ("import time\nx = time.struct_time.mro()", "attribute .mro"),
    ("import time\nx = time.sys", "time.sys"),
    ("import random\nx = random.Random()", "random.Random"),
    ("import random\nx = random.SystemRandom()", "random.SystemRandom"),
    ("import random\nx = random.getrandbits(10**9)", "random.getrandbits"),
    ("import random\nx = random.random.__self__", "__self__"),
    ("import random\nx = random._RNG", "_RNG"),
    ("import random\nx = random._os", "_os"),
    ("import random\nx = random.randint.__func__", "__func__"),
    ("import uuid\nx = uuid.uuid1()", "uuid.uuid1"),
    ("import uuid\nx = uuid.getnode()", "uuid.getnode"),
    ("import uuid\nx = uuid.os", "uuid.os"),
    ("import uuid\nx = uuid.UUID.__init__", "__init__"),
    ("import uuid\nx = uuid.uuid4().__class__", "__class__"),
    ("import calendar\nx = calendar.sys", "calendar.sys"),
    ("import calendar\nx = calendar.TextCalendar()", "calendar.TextCalendar"),
    ("import calendar\nx = calendar.month_name.format", "attribute .format"),
    ("import os.path", "import of module 'os.path' is forbidden"),
    ("import subprocess", "import of module 'subprocess' is forbidden"),
    ("import importlib", "import of module 'importlib' is forbidden"),
    ("import builtins", "reserved name"),
    ("import socket", "import of module 'socket' is forbidden"),
    ("from os import path", "import of module 'os' is forbidden"),
    ("import time as t\nx = t.os", "time.os"),
]


@pytest.mark.parametrize(("script", "reason"), ESCAPES)
def test_the_new_modules_do_not_open_a_way_out(script: str, reason: str) -> None:
    with pytest.raises((AttributeError, NameError, SyntaxError, ForbiddenOperation,
                        TypeError, ImportError)) as refused:
        run(script)
    assert reason in str(refused.value)


@pytest.mark.parametrize(("script", "line", "module"), [
    ("import os\nx = 1", 1, "os"),
    ("x = 1\nif x:\n    from subprocess import run", 3, "subprocess"),
    ("import json, socket", 1, "socket"),
    ("from . import secrets", 1, "."),
])
def test_a_forbidden_import_is_found_before_the_script_runs(script: str, line: int,
                                                            module: str) -> None:
    found = check_script(script)
    assert found is not None and found[0] == line
    assert f"import of module '{module}' is forbidden" in found[1]
    assert "allowed: calendar, datetime, decimal, json, math, random, re, time, uuid" in (
        found[1])


def test_allowed_imports_pass_the_deploy_check() -> None:
    assert check_script("import time, uuid\nfrom calendar import monthrange\n"
                        "import random as r\nx = 1") is None


def test_the_modules_do_their_job() -> None:
    result = run(
        "import time, uuid, random, calendar\n"
        "stamp = time.strftime('%Y-%m-%d', time.gmtime(86400))\n"
        "now = time.time()\n"  # a helper's name, taken by the script
        "name = str(uuid.uuid5(uuid.NAMESPACE_DNS, 'vocflow.example'))\n"
        "fresh = uuid.uuid4()\n"
        "local = time.localtime(0)\n"
        "random.seed(3)\n"
        "first = [random.randint(1, 100) for _ in range(5)]\n"
        "random.seed(3)\n"
        "again = [random.randint(1, 100) for _ in range(5)]\n"
        "items = [1, 2, 3, 4]\n"
        "random.shuffle(items)\n"
        "picked = random.sample(items, 2)\n"
        "days = calendar.monthrange(2024, 2)[1]\n"
        "month = calendar.month_name[12]\n"
        "del time\n")
    assert result["stamp"] == "1970-01-02" and result["now"] > 1.7e9
    assert result["name"] == "e50f38fe-5baa-52b4-9deb-eca634d54746"
    assert isinstance(result["fresh"], str) and len(result["fresh"]) == 36  # stored as text
    assert isinstance(result["local"], list) and len(result["local"]) == 9
    assert result["first"] == result["again"] and sorted(result["items"]) == [1, 2, 3, 4]
    assert len(result["picked"]) == 2 and result["days"] == 29 and result["month"] == "December"
    assert "time" not in result and "uuid" not in result


def test_seeding_the_scripts_generator_leaves_the_process_random_alone() -> None:
    import random

    random.seed(11)
    expected = random.random()
    random.seed(11)
    run("import random\nrandom.seed(1)\nx = random.random()")
    assert random.random() == expected


def test_sleep_counts_against_the_time_limit() -> None:
    started = time.perf_counter()
    assert run("import time\ntime.sleep(0.1)\nx = 1")["x"] == 1
    with pytest.raises(LimitExceeded) as refused:
        run("import time\ntime.sleep(5)")
    assert refused.value.kind == "cpu" and "time.sleep(5)" in refused.value.detail
    with pytest.raises(LimitExceeded):  # many short sleeps add up as one long one would
        run("import time\nfor i in range(100):\n    time.sleep(0.05)")
    assert time.perf_counter() - started < 1.5
    with pytest.raises(TypeError):
        run("import time\ntime.sleep('1')")


@pytest.mark.parametrize("script", [
    "import random\nx = random.choices([1], k=10**10)",
    "import random\nx = random.sample(range(10**12), 10**8)",
    "import random\nx = list(range(2 * 10**6))\nrandom.shuffle(x)",
])
def test_random_cannot_build_or_loop_past_the_limits(script: str) -> None:
    with pytest.raises(LimitExceeded):
        run(script)
