"""Tests for engine.expressions: JUEL translation, timer literals, cron and the sandbox."""

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from engine.expressions import (
    ExpressionError,
    check_expression,
    check_timer,
    compile_expression,
    evaluate,
    is_cron,
    next_cron_time,
    normalize_datetime_literal,
    now,
    safe_globals,
    timer_kind,
    to_python,
)


@pytest.mark.parametrize(
    ("expr", "variables", "expected"),
    [
        ("${approved}", {"approved": True}, True),
        ("${approved}", {"approved": False}, False),
        ("#{!approved}", {"approved": False}, True),
        ("#{!approved}", {"approved": True}, False),
        ("${score >= 80 && late == false}", {"score": 85, "late": False}, True),
        ("${score >= 80 && late == false}", {"score": 85, "late": True}, False),
        ("${score >= 80 && late == false}", {"score": 79, "late": False}, False),
        ("${a || b}", {"a": False, "b": True}, True),
        ("${a and b or c}", {"a": True, "b": False, "c": True}, True),
        ("${x eq 'y'}", {"x": "y"}, True),
        ("${x ne 'y'}", {"x": "y"}, False),
        ("${n gt 1 && n lt 3 && n ge 2 && n le 2}", {"n": 2}, True),
        ("${a.b.c}", {"a": {"b": {"c": 42}}}, 42),
        ("${a.b.missing}", {"a": {"b": {}}}, None),
        ("${items[1]}", {"items": ["x", "y"]}, "y"),
        ("${items[5]}", {"items": ["x", "y"]}, None),
        ("${row['k'] == \"v\"}", {"row": {"k": "v"}}, True),
        ("${x > 1 ? 'big' : 'small'}", {"x": 2}, "big"),
        ("${x > 1 ? 'big' : 'small'}", {"x": 1}, "small"),
        ("${x > 9 ? 'a' : x > 1 ? 'b' : 'c'}", {"x": 5}, "b"),
        ("${(a + b) * 2}", {"a": 1, "b": 2}, 6),
        ("${7 div 2}", {}, 3.5),
        ("${7 mod 4 + -1}", {}, 2),
        ("${null == x}", {"x": None}, True),
        ("${len(items) > 1}", {"items": [1, 2]}, True),
        ("${s == 'a}b && c'}", {"s": "a}b && c"}, True),
        ('${s == "say \\"hi\\" }"}', {"s": 'say "hi" }'}, True),
        ("${s}", {"s": "it's"}, "it's"),
    ],
)
def test_juel_expressions_evaluate_like_camunda(
    expr: str, variables: dict[str, Any], expected: Any
) -> None:
    assert evaluate(expr, variables) == expected


def test_unary_not_binds_tighter_than_comparison() -> None:
    # JUEL: `!a == b` is `(!a) == b`; Python's `not a == b` would be `not (a == b)`.
    assert evaluate("${!a == b}", {"a": True, "b": False}) is True
    assert evaluate("${not a == b}", {"a": True, "b": True}) is False


@pytest.mark.parametrize(
    ("variables", "is_empty"),
    [({}, True), ({"opinion": None}, True), ({"opinion": ""}, True), ({"opinion": []}, True),
     ({"opinion": {}}, True), ({"opinion": "ok"}, False), ({"opinion": [1]}, False),
     ({"opinion": 0}, False)],
)
def test_empty_covers_missing_none_and_empty_values(
    variables: dict[str, Any], is_empty: bool
) -> None:
    assert evaluate("${empty opinion}", variables) is is_empty
    assert evaluate("${not empty opinion}", variables) is (not is_empty)


def test_empty_binds_tighter_than_comparison_and_handles_missing_paths() -> None:
    assert evaluate("${empty x == false}", {"x": "filled"}) is True
    assert evaluate("${empty form.comment}", {}) is True
    assert evaluate("${empty form.comment}", {"form": {"comment": "c"}}) is False


def test_unknown_variable_raises_name_error() -> None:
    with pytest.raises(NameError):
        evaluate("${approved}", {})


def test_composite_text_concatenates_with_camunda_string_rules() -> None:
    text = "province:${province_code}:reviewer"
    assert to_python(text, "text") == "'province:' + _vf_str(province_code) + ':reviewer'"
    assert evaluate(text, {"province_code": "44"}, "text") == "province:44:reviewer"
    assert evaluate("${a}-${b}-${c}", {"a": None, "b": True, "c": 3}, "text") == "-true-3"


def test_text_mode_keeps_literals_and_single_value_types() -> None:
    assert evaluate("managers, auditors", {}, "text") == "managers, auditors"
    assert evaluate("${groups}", {"groups": ["a", "b"]}, "text") == ["a", "b"]
    assert evaluate("${priority}", {"priority": 70}, "text") == 70
    assert evaluate("P30D", {}, "text") == "P30D"


def test_plain_python_passes_through() -> None:
    assert to_python("  score >= 80 and not late ") == "score >= 80 and not late"
    assert evaluate("score >= 80 and not late", {"score": 90, "late": False}) is True
    assert evaluate("[x * 2 for x in items if x]", {"items": [0, 1, 2]}) == [2, 4]
    assert evaluate("d.get('k', 'none').upper()", {"d": {}}) == "NONE"


@pytest.mark.parametrize(
    ("literal", "kind"),
    [
        ("2026-12-15T23:59:59+08:00", "date"),
        ("2026-12-15T23:59:59Z", "date"),
        ("2026-12-15", "date"),
        ("P30D", "duration"),
        ("PT10M", "duration"),
        ("P1Y2M", "duration"),
        ("P2W", "duration"),
        ("R3/PT10M", "cycle"),
        ("R/2026-12-16T00:00:00+08:00/P1Y", "cycle"),
        ("R5/2026-01-01T00:00:00Z/PT1H", "cycle"),
        ("0 0 9 * * ?", "cron"),
        ("0 30 8 ? * MON-FRI", "cron"),
        ("0 0 9 1 * ? 2027", "cron"),
        ("score > 1", None),
        ("P", None),
        ("PT", None),
    ],
)
def test_timer_kind_classifies_literals(literal: str, kind: str | None) -> None:
    assert timer_kind(literal) == kind


@pytest.mark.parametrize(
    ("element", "literal"),
    [
        ("timeDate", "2026-12-15T23:59:59+08:00"),
        ("timeDate", "2026-12-15"),
        ("timeDuration", "P30D"),
        ("timeDuration", "PT10M"),
        ("timeDuration", "P1Y2M"),
        ("timeCycle", "R3/PT10M"),
        ("timeCycle", "R/2026-12-16T00:00:00+08:00/P1Y"),
        ("timeCycle", "R5/2026-01-01T00:00:00Z/PT1H"),
        ("timeCycle", "0 0 9 * * ?"),
        ("timeCycle", "0 30 8 ? * MON-FRI"),
        ("timeDate", "${deadline}"),
        ("timeDuration", "reminder_delay"),
    ],
)
def test_check_timer_accepts_the_right_kind(element: str, literal: str) -> None:
    check_timer(element, literal)
    assert evaluate(literal, {"deadline": "x", "reminder_delay": "y"}) in (
        normalize_datetime_literal(literal), "x", "y")


@pytest.mark.parametrize(
    ("element", "literal", "reason"),
    [
        ("timeDate", "P30D", "duration literal is not valid for timeDate"),
        ("timeDate", "R3/PT10M", "cycle literal is not valid for timeDate"),
        ("timeDuration", "2026-12-15T23:59:59+08:00", "date literal is not valid"),
        ("timeDuration", "0 0 9 * * ?", "cron literal is not valid for timeDuration"),
        ("timeCycle", "PT10M", "duration literal is not valid for timeCycle"),
        ("timeCycle", "2026-12-15", "date literal is not valid for timeCycle"),
        ("timeDate", "2026-13-45", "invalid ISO-8601 date-time"),
        ("timeCycle", "0 0 25 * * ?", "invalid Quartz cron"),
        ("timeCycle", "0 0 9 ? * 8", "invalid Quartz cron"),
        ("timeDuration", "${a +}", "expected a variable name"),
        ("timeWhenever", "PT1M", "unknown timer kind"),
    ],
)
def test_check_timer_rejects_wrong_kind_or_bad_value(
    element: str, literal: str, reason: str
) -> None:
    with pytest.raises(ExpressionError) as info:
        check_timer(element, literal)
    assert reason in info.value.reason


def test_offset_free_date_times_are_shanghai_time() -> None:
    assert normalize_datetime_literal("2026-12-15T23:59:59") == "2026-12-15T23:59:59+08:00"
    assert normalize_datetime_literal("2026-12-15") == "2026-12-15T00:00:00+08:00"
    assert normalize_datetime_literal("2026-12-15T23:59:59Z") == "2026-12-15T23:59:59Z"
    assert (normalize_datetime_literal("R/2026-12-16T00:00:00/P1Y")
            == "R/2026-12-16T00:00:00+08:00/P1Y")
    assert normalize_datetime_literal("PT5M") == "PT5M"
    assert to_python("2026-12-15T23:59:59") == "'2026-12-15T23:59:59+08:00'"
    assert to_python("R3/PT10M") == "'R3/PT10M'"
    assert evaluate("0 0 9 * * ?", {}) == "0 0 9 * * ?"


@pytest.mark.parametrize(
    ("cron", "after", "expected"),
    [
        ("0 0 9 * * ?", "2026-12-15T02:00:00+00:00", "2026-12-16T01:00:00+00:00"),
        ("0 0 9 * * ?", "2026-12-15T00:30:00+00:00", "2026-12-15T01:00:00+00:00"),
        # Friday 2026-12-18 10:00 Shanghai -> Monday 08:30 Shanghai.
        ("0 30 8 ? * MON-FRI", "2026-12-18T02:00:00+00:00", "2026-12-21T00:30:00+00:00"),
        # Quartz 2-6 is MON-FRI (1 = SUN).
        ("0 30 8 ? * 2-6", "2026-12-18T02:00:00+00:00", "2026-12-21T00:30:00+00:00"),
        ("0 0 9 ? * 1", "2026-12-15T02:00:00+00:00", "2026-12-20T01:00:00+00:00"),
        ("0 0 9 ? * 6L", "2026-12-01T00:00:00+00:00", "2026-12-25T01:00:00+00:00"),
        ("0 0 9 1 1 ? 2028", "2026-12-15T00:00:00+00:00", "2028-01-01T01:00:00+00:00"),
        ("0 0/15 * * * ?", "2026-12-15T00:07:00+00:00", "2026-12-15T00:15:00+00:00"),
    ],
)
def test_next_cron_time_is_evaluated_in_shanghai(cron: str, after: str, expected: str) -> None:
    result = next_cron_time(cron, datetime.fromisoformat(after))
    assert result == datetime.fromisoformat(expected)
    assert result.tzinfo == UTC


def test_next_cron_time_other_zone_and_naive_start() -> None:
    after = datetime(2026, 12, 15, 2, tzinfo=UTC)
    assert next_cron_time("0 0 9 * * ?", after, "UTC") == datetime(2026, 12, 15, 9, tzinfo=UTC)
    naive = datetime(2026, 12, 15, 10)  # 10:00 in Shanghai
    assert next_cron_time("0 0 9 * * ?", naive) == datetime(2026, 12, 16, 1, tzinfo=UTC)


def test_is_cron() -> None:
    assert is_cron("0 0 9 * * ?")
    assert is_cron("0 0 9 ? * 6#3")
    assert not is_cron("0 9 * * *")
    assert not is_cron("0 0 9 * * ? 2026 1")
    assert not is_cron("a b c d e f")
    assert not is_cron("0 0 9 ? * 0")


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        ("__import__('os')", "name '__import__' is not allowed: names starting with '_'"),
        ("().__class__", "attribute .__class__ is not allowed"),
        ("x._secret", "attribute ._secret is not allowed"),
        ("open('f')", "call to 'open' is not allowed"),
        ("lambda: 1", "lambda is not allowed"),
        ("(y := 1)", "assignment (:=) is not allowed"),
        ("'{0.__class__}'.format(x)", "method .format() is not allowed"),
        ("sorted(x, key='{}'.format)", "attribute .format is not allowed"),
        ("[g for g in (x for x in y)][0].gi_frame", "attribute .gi_frame is not allowed"),
        ("f'{x.__class__}'", "attribute .__class__ is not allowed"),
        ("items[0]()", "only calls to allow-listed functions and methods"),
        ("_vf_get(a, '__class__')", "name '_vf_get' is not allowed"),
        ("${a.__class__}", "property '__class__' is not allowed"),
        ("${_secret}", "variable '_secret' is not allowed"),
        ("${open('f')}", "function 'open' is not allowed"),
        ("${a.b()}", "method b() is not supported; allowed: "),
        ("${x instanceof y}", "'instanceof' is not supported"),
    ],
)
def test_forbidden_constructs_are_rejected_with_a_reason(expr: str, reason: str) -> None:
    with pytest.raises(ExpressionError) as info:
        check_expression(expr)
    assert reason in info.value.reason
    assert info.value.expression == expr
    assert reason in str(info.value)


@pytest.mark.parametrize(
    ("expr", "column", "reason"),
    [
        ("a +* b", 4, "syntax error"),
        ("  score >= ", 11, "syntax error"),
        ("(a", 1, "was never closed"),
        ("${a +* b}", 6, "expected a variable name but found '*'"),
        ("${x > 1 ? 'a'}", 14, "expected ':' but found the end of the expression"),
        ("${(a}", 5, "expected ')'"),
        ("${a b}", 5, "unexpected 'b'"),
        ("${a ~ b}", 5, "unexpected character '~'"),
        ("ok ${a", 4, "missing '}'"),
        ("${}", 3, "empty ${} expression"),
    ],
)
def test_syntax_errors_report_a_column(expr: str, column: int, reason: str) -> None:
    with pytest.raises(ExpressionError) as info:
        check_expression(expr)
    assert reason in info.value.reason
    assert info.value.column == column


def test_empty_expression_and_bad_mode_are_rejected() -> None:
    with pytest.raises(ExpressionError, match="empty"):
        check_expression("   ")
    with pytest.raises(ValueError, match="mode"):
        to_python("x", "juel")


def test_runtime_property_access_cannot_reach_private_attributes() -> None:
    with pytest.raises(TypeError, match="cannot read property"):
        evaluate("${a['__class__']}", {"a": 1})
    assert evaluate("${a['__class__']}", {"a": {"__class__": "data"}}) == "data"


def test_eval_has_no_builtins_even_if_variables_try_to_add_them() -> None:
    scope = safe_globals()
    assert scope["__builtins__"] == {}
    assert "open" not in scope
    assert "_vf_get" in scope
    with pytest.raises(NameError):
        evaluate("print", {"__builtins__": {"print": print}})


def test_compile_expression_is_cached() -> None:
    assert compile_expression("${a && b}") is compile_expression("${a && b}")


def test_now_follows_the_clock() -> None:
    with time_machine.travel(datetime(2026, 12, 15, 2, tzinfo=UTC), tick=False):
        assert now() == datetime(2026, 12, 15, 2, tzinfo=UTC)
        assert evaluate("now() + timedelta(days=1)", {}) == datetime(2026, 12, 16, 2, tzinfo=UTC)
        assert evaluate("${now().year}", {}) == 2026


def test_iso_date_helper_reads_offset_free_values_in_shanghai() -> None:
    assert evaluate("iso_date(d)", {"d": "2026-12-15T09:00:00"}) == datetime(
        2026, 12, 15, 1, tzinfo=UTC)


def test_camunda_juel_built_ins() -> None:
    moment = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        assert evaluate("${dateTime().plusDays(2).toDate()}", {}, "text") == datetime(
            2026, 4, 1, 8, 0, tzinfo=UTC)
        assert evaluate("${dateTime().minusMonths(1).toDate()}", {}, "text") == moment.replace(
            month=2, day=28)
        assert evaluate("${now()}", {}, "text") == moment
    assert evaluate("${execution.getVariable('x') + 1}", {"x": 41}, "text") == 42
    assert evaluate("${execution.processBusinessKey}", {"business_key": "B-7"}, "text") == "B-7"
    assert evaluate("${continue && name.startsWith('Li')}", {"continue": True, "name": "Li"},
                    "text") is True
    assert evaluate("${items.size() == 2}", {"items": [1, 2]}, "text") is True
    with pytest.raises(ExpressionError, match=r"method format\(\) is not supported"):
        evaluate("${s.format(1)}", {"s": "a"}, "text")
    with pytest.raises(TypeError, match="size"):
        evaluate("${n.size()}", {"n": 3}, "text")
