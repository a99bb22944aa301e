"""FEEL simple unary tests and expressions, answered as Camunda's FEEL docs and the TCK do."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine.expressions import ExpressionError, feel

VARS = {"x": 3, "a": 3, "b": 4, "name": "Wang", "limit": 10, "start": "2026-12-01",
        "order": {"total": 120, "items": [5, 7, 9]}, "missing_is_null": None}

UNARY = [
    # any / empty
    ("-", 5, True), ("-", None, True), ("", "anything", True),
    # literals: equality
    ("5", 5, True), ("5", 5.0, True), ("5", 6, False), ('"valid"', "valid", True),
    ('"valid"', "invalid", False), ("true", True, True), ("true", False, False),
    ("false", False, True), ("null", None, True), ("null", 0, False), ("2.5", 2.5, True),
    ('"5"', 5, False),  # FEEL: a string is never equal to a number
    # comparisons
    ("< 10", 5, True), ("< 10", 10, False), ("<= 10", 10, True), ("> 10", 10, False),
    (">= 2.5", 2.5, True), (">= 2.5", 2.4, False), ("> x", 4, True), ("> x", 3, False),
    ("< limit", 9, True), ("!= 5", 4, True), ("= 5", 5, True), ('< "m"', "k", True),
    ("< 10", None, False), ("< 10", "abc", False),  # null or another kind never matches
    # intervals: closed [ ], open ] [ and ( )
    ("[1..10]", 1, True), ("[1..10]", 10, True), ("[1..10]", 11, False),
    ("]1..10[", 1, False), ("]1..10[", 10, False), ("]1..10[", 5, True),
    ("(1..10)", 1, False), ("(1..10)", 9.99, True), ("(2..5]", 5, True), ("(2..5]", 2, False),
    ("[a..b[", 3, True), ("[a..b[", 4, False), ("[1..x]", 3, True), ("[1.5..2.5]", 2, True),
    # disjunctions (lists)
    ('"a","b"', "b", True), ('"a","b"', "c", False), ("1, 2, 3", 2, True), ("1, 2, 3", 4, False),
    ("< 10, > 50", 60, True), ("< 10, > 50", 30, False), ("[1..2], [8..9]", 8.5, True),
    # negation
    ('not("a","b")', "c", True), ('not("a","b")', "a", False), ("not(< 5)", 4, False),
    ("not(< 5)", 5, True), ("not([1..3])", 2, False), ("not(null)", None, False),
    # dates, date-times, times, durations (form values arrive as ISO text)
    ('date("2026-12-15")', "2026-12-15", True), ('date("2026-12-15")', date(2026, 12, 15), True),
    ('< date("2026-12-15")', "2026-12-14", True), ('< date("2026-12-15")', "2026-12-15", False),
    ('[date("2026-12-01")..date("2026-12-31")]', "2026-12-31", True),
    ('> date(start)', "2026-12-02", True),
    ('< date and time("2026-12-15T10:00:00")', "2026-12-15T09:59:59", True),
    ('< date and time("2026-12-15T10:00:00+08:00")', "2026-12-15T02:00:00Z", False),
    ('> time("08:00:00")', "08:30:00", True), ('>= duration("P5D")', timedelta(days=6), True),
    ('@"2026-12-15"', "2026-12-15", True),
    # expressions: with ? they are the test; a list means membership
    ("? > 5", 6, True), ("? > 5", 5, False), ("? = false", False, True),
    ("[1, 2, 3]", 2, True), ("x + 1", 4, True), ("string length(?) > 3", "Wang", True),
    ('starts with(?, "W")', name := "Wang", True), ('upper case(?) = "WANG"', name, True),
    # SpiffWorkflow's Python spellings, kept for the product's existing tables
    ("True", True, True), ("False", True, False), ("0.8 <= ? < 0.95", 0.9, True),
    ("0.8 <= ? < 0.95", 0.95, False), ("== 5", 5, True),
]


@pytest.mark.parametrize(("entry", "value", "expected"), UNARY)
def test_unary_tests(entry, value, expected):
    assert feel.unary_tests(entry).matches(value, VARS) is expected


EXPRESSIONS = [
    ('"A"', "A"), ("42", 42), ("-2.5", -2.5), ("true", True), ("null", None), ("x", 3),
    ("unknown_variable", None), ("x * 2 + 1", 7), ("(x + 1) * 2", 8), ("10 / 4", 2.5),
    ("10 / 2", 5), ("1 / 0", None), ("2 ** 3", 8), ("-x", -3), ('"Hello " + name', "Hello Wang"),
    ('"n" + 1', None), ("x + null", None), ("order.total", 120), ("order.items[1]", 5),
    ("order.items[-1]", 9), ("order.nothing", None), ("x > 2 and b < 5", True),
    ("x > 5 or null", None), ("x > 2 or null", True), ("not(x > 2)", False),
    ('if x > 2 then "big" else "small"', "big"), ("x between 1 and 3", True),
    ("x in [1..5]", True), ("x in (1, 2)", False), ("x in < 5", True),
    ("[1, x, 5]", [1, 3, 5]), ('{label: "ok", n: x}', {"label": "ok", "n": 3}),
    ('date("2026-12-15") + duration("P1D")', date(2026, 12, 16)),
    ('date("2026-12-15").year', 2026), ('date("2026-12-31") - date("2026-12-01")',
                                         timedelta(days=30)),
    ("sum([1, 2, 3])", 6), ("count(order.items)", 3), ("min(4, 2, 8)", 2), ("max([4, 2])", 4),
    ("mean([1, 2])", 1.5), ("abs(-4)", 4), ("floor(2.7)", 2), ("ceiling(2.1)", 3),
    ("decimal(1.2345, 2)", 1.23), ('string(x) + "%"', "3%"), ('number("12")', 12),
    ('substring("foobar", 3)', "obar"), ('substring("foobar", 3, 3)', "oba"),
    ('contains(name, "an")', True), ('lower case("ABC")', "abc"), ('ends with(name, "g")', True),
    ('substring before("a-b", "-")', "a"), ('substring after("a-b", "-")', "b"),
    ("modulo(10, 4)", 2), ('"say \\"hi\\""', 'say "hi"'),
]


@pytest.mark.parametrize(("source", "expected"), EXPRESSIONS)
def test_expressions(source, expected):
    assert feel.expression(source).evaluate(VARS) == expected


def test_values_stored_as_variables_are_json_text():
    assert feel.plain(feel.expression('date("2026-12-15")').evaluate({})) == "2026-12-15"
    assert feel.plain(feel.expression('date and time("2026-12-15T10:00:00")').evaluate({})) == (
        "2026-12-15T10:00:00+08:00")  # a local date-time is in the product time zone
    assert feel.plain(feel.expression('duration("P1DT2H")').evaluate({})) == "P1DT7200S"


@pytest.mark.parametrize(("source", "column", "words"), [
    (">> 5", 2, "unexpected '>'"),
    ("[1..", 5, "end of the entry"),
    ("[1..5}", 6, "an interval ends with"),
    ('"open', 1, "unexpected character"),
    ("foo(1)", 1, "unknown function 'foo'"),
    ('date("2026-13-01")', 6, "invalid date literal"),
    ('duration("P1Y")', 10, "invalid duration literal"),
    ("x ===", 5, "unexpected '='"),
    ('order."x"', 7, "a name is expected"),
    ("1 2", 3, "unexpected '2'"),
    ("x; import os", 2, "unexpected character ';'"),
    ("__import__('os')", 12, "unexpected character"),
])
def test_bad_entries_are_refused_with_the_column(source, column, words):
    with pytest.raises(ExpressionError) as caught:
        feel.unary_tests(source)
    assert caught.value.column == column, str(caught.value)
    assert words in caught.value.reason


def test_no_python_reaches_an_entry():
    # Names only ever read the variables given; attributes are map keys or date fields.
    assert feel.expression("x.__class__").evaluate({"x": 1}) is None
    assert feel.expression("order.keys").evaluate({"order": {"a": 1}}) is None
    with pytest.raises(ExpressionError):
        feel.expression("eval(\"1\")")
