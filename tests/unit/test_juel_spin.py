"""Camunda Spin's S() in JUEL expressions: JSON variables and JSON text read as Spin nodes."""

from __future__ import annotations

import pytest

from engine.expressions import ExpressionError, check_expression, evaluate

ORDER = {"order": {"total": 120, "lines": [{"sku": "A"}, {"sku": "B"}], "vip": True},
         "text": '{"a": [1, 2], "name": "王五"}'}


@pytest.mark.parametrize(("expression", "expected"), [
    ('${S(order).prop("total").numberValue() > 100}', True),
    ('${S(order).prop("lines").elements().size()}', 2),
    ('${S(order).prop("lines").elements().get(1).prop("sku").stringValue()}', "B"),
    ('${S(order).hasProp("vip") && S(order).prop("vip").boolValue()}', True),
    ('${S(order).hasProp("coupon")}', False),
    ('${S(order).fieldNames().contains("total")}', True),
    ('${S(text).prop("a").toString()}', "[1,2]"),
    ('${S(text).prop("name").toString()}', '"王五"'),
    ('${S(text).prop("name").value()}', "王五"),
    ('${S(text).prop("a").isArray() && S(order).isObject()}', True),
])
def test_spin_nodes_read_json_as_camunda_does(expression, expected):
    check_expression(expression, "text")  # what deploy checks
    assert evaluate(expression, ORDER, "text") == expected


@pytest.mark.parametrize(("expression", "message"), [
    ('${S(order).prop("coupon")}', "SpinJsonPropertyException: Unable to find 'coupon'"),
    ('${S(order).prop("total").stringValue()}', "Expected 'String', got 'NUMBER'"),
    ('${S("<order/>").isNull()}', "JSON only, not XML"),
    ('${S(order, "application/xml").isNull()}', "JSON only, not application/xml"),
])
def test_spin_refuses_as_camunda_does_and_reads_no_xml(expression, message):
    with pytest.raises(ValueError, match=message):
        evaluate(expression, ORDER, "text")


def test_nothing_else_is_reachable_through_a_node():
    with pytest.raises(ExpressionError, match=r"method mapTo\(\) is not supported"):
        check_expression('${S(order).mapTo("java.util.HashMap")}', "text")
    with pytest.raises(ExpressionError, match="private"):
        check_expression("${S(order)._value}", "text")

