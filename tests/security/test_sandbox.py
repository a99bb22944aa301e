"""Sandbox escapes: scripts and expressions cannot reach sys, os, builtins, frames or code."""

from __future__ import annotations

import types
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from engine.bpmn.scripting import ForbiddenOperation, SafeEnvironment
from engine.expressions import ExpressionError, evaluate, limits
from engine.expressions.limits import LimitExceeded, ScriptLimitError

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def quick_limits() -> Iterator[None]:
    before = limits.current()
    limits.configure(0.3, 64)
    yield
    limits.configure(before.cpu_seconds, before.memory_bytes // MB)


def run(script: str, **data: Any) -> dict[str, Any]:
    context = dict(data)
    SafeEnvironment().execute(script, context, {})
    return context


ESCAPES = [
    # the two found against main
    ("import datetime\nx = datetime.sys.modules['os'].system('true')", "datetime.sys"),
    ("import re\nx = re.enum.sys.modules['builtins'].open('var/secret_key')", "re.enum"),
    # every allowed module, through its attributes and sub-modules
    ("import json\nx = json.decoder", "json.decoder"),
    ("import json\nx = json.scanner", "json.scanner"),
    ("from json import decoder", "decoder"),
    ("import json\nx = json.JSONDecoder", "json.JSONDecoder"),
    ("import re\nx = re.sre_compile", "re.sre_compile"),
    ("import re\nx = re.functools", "re.functools"),
    ("import re\nm = re.match('a', 'a')\nx = m.re.match", "attribute .re"),
    ("import re\nx = re.compile('a').scanner('a')", "attribute .scanner"),
    ("import re\nx = re.match('(a)', 'a').expandf('{0.__class__}')", "attribute .expandf"),
    ("import re\nx = re.subf('a', '{0.__class__}', 'a')", "subf"),
    ("import re\nx = re.sub('a', lambda m: m.re.search, 'a')", None),  # a guarded pattern
    ("import decimal\nx = decimal.getcontext()", "decimal.getcontext"),
    ("import decimal\nx = decimal.localcontext()", "decimal.localcontext"),
    ("import decimal\nx = decimal.Context(prec=10**9)", "decimal.Context"),
    ("import decimal\nx = decimal.sys", "decimal.sys"),
    ("import decimal\nx = decimal.Decimal('1e9').as_integer_ratio()", "as_integer_ratio"),
    ("import datetime\nx = datetime.datetime.mro()", "attribute .mro"),
    ("import datetime\nclass D(datetime.datetime):\n    pass", "__metaclass__"),
    ("import datetime\ndatetime.datetime = 1", "assign"),
    ("import datetime\nsetattr(datetime, 'sys', 1)", None),
    ("import math\nx = math.sys", "math.sys"),
    ("import math\nx = math.factorial(10**6)", "math.factorial"),
    ("import datetime.sys", "forbidden"),
    ("import os", "import of module 'os' is forbidden"),
    ("import sys", "import of module 'sys' is forbidden"),
    # the classic ways out of a Python sandbox
    ("x = ().__class__.__base__.__subclasses__()", "__class__"),
    ("x = type(1)", "type"),
    ("x = getattr(1, 'real')", "getattr"),
    ("x = vars()", "vars"),
    ("x = globals()", "globals"),
    ("x = open('var/secret_key')", "open"),
    ("x = __import__('os')", "__import__"),
    ("x = '{0.__class__}'.format(1)", "attribute .format"),
    ("x = str.format('{0.__class__}', 1)", "attribute .format"),
    ("x = 'a'.format_map({})", "attribute .format_map"),
    ("x = str.maketrans('a', 'b')", "attribute .maketrans"),
    ("x = f'{().__class__}'", "__class__"),
    ("g = (i for i in [1])\nx = g.gi_frame", "gi_frame"),
    ("g = (i for i in [1])\nx = g.gi_code", "gi_code"),
    ("try:\n    1/0\nexcept Exception as e:\n    x = e.__traceback__", "__traceback__"),
    ("def f():\n    pass\nx = f.__globals__", "__globals__"),
    ("x = max.__self__", "__self__"),
    ("x = int.mro()", "attribute .mro"),
    ("x = str._vf_real", "_vf_real"),
    ("x = range(10**7)._range", "_range"),
    ("import re\nx = re.compile('a')._pattern", "_pattern"),
    ("import math\nx = math._vf_names", "_vf_names"),
]


@pytest.mark.parametrize(("script", "reason"), ESCAPES)
def test_a_script_cannot_get_out(script: str, reason: str | None) -> None:
    with pytest.raises((AttributeError, NameError, SyntaxError, ForbiddenOperation,
                        TypeError, ImportError)) as refused:
        run(script)
    if reason is not None:
        assert reason in str(refused.value)


@pytest.mark.parametrize("expr", [
    "(1).__class__", "x.gi_frame", "'{0}'.format(x)", "x.real.__class__",
    "${a.__class__}", "[c for c in x.mro()]",
])
def test_an_expression_cannot_get_out(expr: str) -> None:
    with pytest.raises((ExpressionError, AttributeError)):
        evaluate(expr, {"x": 1, "a": {}})


def test_runtime_attribute_reads_in_expressions_are_guarded() -> None:
    # a compile-time check cannot know what x holds; the guarded getattr refuses the result
    with pytest.raises(AttributeError, match="not allowed"):
        evaluate("x.real", {"x": SimpleNamespace(real=types)})
    assert evaluate("${d.year}", {"d": datetime(2026, 1, 2)}) == 2026


def test_curated_modules_still_do_their_job() -> None:
    result = run(
        "import datetime, json, math, re, decimal\n"
        "from datetime import timedelta\n"
        "when = datetime.datetime(2026, 5, 1) + timedelta(days=3)\n"
        "day = when.day\n"
        "data = json.loads(json.dumps({'a': [1, 2]}, sort_keys=True, indent=2))\n"
        "rounded = math.floor(2.7) + math.ceil(decimal.Decimal('1.2'))\n"
        "found = re.match(r'(\\d+)-(\\d+)', '12-34').groups()\n"
        "pattern = re.compile('b+', re.IGNORECASE)\n"
        "parts = pattern.split('aBbc')\n"
        "money = str(decimal.Decimal('1.005').quantize(decimal.Decimal('0.01'), "
        "rounding=decimal.ROUND_HALF_UP))\n"
        "total = sum(range(101))\n"
        "text = ','.join(str(i) for i in range(3)) + f'{3.14159:.2f}' + '%05d' % 7\n"
        "kinds = [isinstance(1, int), isinstance('a', str)]\n"
        "day_text = re.match(r'\\d{4}-\\d{2}-\\d{2}', '2026-01-02').group(0)\n"
        "big = str(decimal.Decimal('1E+100000'))\n")
    assert result["day"] == 4 and result["data"] == {"a": [1, 2]}
    assert result["rounded"] == 4 and result["found"] == ("12", "34")
    assert result["parts"] == ["a", "c"] and result["money"] == "1.01"
    assert result["total"] == 5050 and result["text"] == "0,1,23.1400007"
    assert result["kinds"] == [True, True]
    assert result["day_text"] == "2026-01-02" and result["big"] == "1E+100000"
    assert "datetime" not in result and "pattern" not in result  # not task data


RUNAWAYS = [
    ("while True:\n    pass", "cpu"),
    ("for i in range(10**12):\n    pass", "cpu"),
    ("x = sum(range(10**12))", "cpu"),
    ("x = max(range(10**12))", "cpu"),
    ("x = [[a for a in range(10**6)] for b in range(10**6)]", None),  # CPU or memory first
    ("def f(n):\n    return f(n - 1) + f(n - 1) if n else 1\nx = f(100)", "cpu"),
    ("x = (lambda f: f(f))(lambda g: [g(g) for _ in range(2)])", None),  # RecursionError
    ("import re\nx = re.match('(a|aa)+$', 'a' * 60 + 'b')", "cpu"),
    ("import re\nx = re.compile('(a|aa)+$').findall('a' * 60 + 'b')", "cpu"),
    ("try:\n    while True:\n        pass\nexcept BaseException:\n    x = 1", "cpu"),
    ("x = 'x' * 10**10", "memory"),
    ("x = [0] * 10**10", "memory"),
    ("x = 10**10**10", "cpu"),
    ("x = pow(3, 10**9)", "cpu"),
    ("x = 1 << 10**10", "cpu"),
    ("s = 'x'\nfor i in range(64):\n    s += s", "memory"),
    ("x = 'ab'.center(10**10)", "memory"),
    ("x = '-'.join(['x' * 10**6] * 100)", "memory"),
    ("x = ('a' * 10**6).replace('a', 'b' * 1000)", "memory"),
    ("x = f'{1:>{10**10}}'", "memory"),
    ("x = '%10000000000d' % 1", "memory"),
    ("import json\nx = json.dumps([1], indent=10**9)", "memory"),
    ("import decimal\nx = int(decimal.Decimal('1e999999999'))", "cpu"),
    ("import decimal\nx = f\"{decimal.Decimal('1e999999999'):f}\"", "cpu"),
    ("a = ['x' * 1000] * 1000\nb = [a] * 1000\nx = str([b] * 1000)", "memory"),
    ("a = ['x' * 1000] * 1000\nb = [a] * 1000\nc = [b] * 1000", "memory"),  # task data
    ("items = []\nwhile True:\n    items.append('x' * 100000)", "memory"),
    ("x = list(range(10**9))", None),  # memory or CPU, whichever comes first
    ("x = sum([[0] * 1000] * 100000, [])", None),
    ("import re\nx = re.compile('a{1000000000}')", "memory"),  # compiled as copies, in C
    ("import re\nx = re.match('(a{1000}){1000}', 'a')", "memory"),
    ("x = int.from_bytes(b'x' * 10**6, 'big')", "cpu"),
    ("import decimal\nx = '%d' % decimal.Decimal('1E+100000')", "cpu"),
    ("".join(f"x{i} = 'x' * 10**7\n" for i in range(15)), "memory"),  # no loop, no tick
    ("items = []\nwhile True:\n    items.append(list(range(10**6)))", "memory"),
]


@pytest.mark.parametrize(("script", "kind"), RUNAWAYS)
def test_a_runaway_script_stops_at_a_limit(script: str, kind: str | None) -> None:
    with pytest.raises((LimitExceeded, RecursionError)) as stopped:
        run(script)
    if kind is not None:
        assert isinstance(stopped.value, LimitExceeded) and stopped.value.kind == kind


@pytest.mark.parametrize(("expr", "kind"), [
    ("'x' * 10**10", "memory"), ("sum(range(10**12))", "cpu"), ("10**10**10", "cpu"),
    ("[a for a in range(10**12)]", "cpu"), ("${'x'.join(items)}", None),
])
def test_a_runaway_expression_stops_at_a_limit(expr: str, kind: str | None) -> None:
    items = ["y" * 10**6] * 100
    if kind is None:
        with pytest.raises((ExpressionError, ScriptLimitError)):
            evaluate(expr, {"items": items})
        return
    with pytest.raises(ScriptLimitError) as stopped:
        evaluate(expr, {"items": items})
    assert stopped.value.kind == kind
    assert f"expression {expr!r} exceeded the" in str(stopped.value)


def test_every_limit_leaves_the_thread_free_for_the_next_script() -> None:
    with pytest.raises(LimitExceeded):
        run("while True:\n    pass")
    assert limits.active() is None
    assert run("x = sum(range(10))") == {"x": 45}
    assert evaluate("a + 1", {"a": Decimal(1)}) == Decimal(2)
