"""Camunda typed variables <-> Python values (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from api.engine_rest.errors import RestError
from api.engine_rest.variables import format_date, from_camunda, to_typed


def test_camunda_date_format_round_trip():
    value = datetime(2026, 12, 15, 23, 59, 0, 123000, tzinfo=timezone(timedelta(hours=8)))
    text = format_date(value)
    assert text == "2026-12-15T23:59:00.123+0800"
    parsed = from_camunda({"d": {"value": text, "type": "Date"}})["d"]
    assert parsed == value and parsed.astimezone(UTC).hour == 15
    assert to_typed(parsed) == {"type": "Date", "value": text, "valueInfo": {}}


def test_each_type_converts():
    values = from_camunda({
        "s": {"value": "x", "type": "String"}, "b": {"value": "true", "type": "Boolean"},
        "i": {"value": 7, "type": "Integer"}, "l": {"value": 2**40, "type": "Long"},
        "h": {"value": 3, "type": "Short"}, "f": {"value": 1.5, "type": "Double"},
        "j": {"value": '{"a": 1}', "type": "Json"}, "n": {"value": None, "type": "Null"},
        "o": {"value": "[1, 2]", "type": "Object",
              "valueInfo": {"serializationDataFormat": "application/json",
                            "objectTypeName": "java.util.ArrayList"}},
        "u": {"value": 3},
    })
    assert values == {"s": "x", "b": True, "i": 7, "l": 2**40, "h": 3, "f": 1.5,
                      "j": {"a": 1}, "n": None, "o": [1, 2], "u": 3}
    assert to_typed(2**40)["type"] == "Long" and to_typed(7)["type"] == "Integer"
    assert to_typed({"a": 1}) == {"type": "Json", "value": '{"a": 1}', "valueInfo": {}}
    assert to_typed(None)["type"] == "Null" and to_typed(False)["type"] == "Boolean"


@pytest.mark.parametrize("typed", [
    {"value": "abc", "type": "Integer"}, {"value": 2**40, "type": "Integer"},
    {"value": 1.5, "type": "Long"}, {"value": "maybe", "type": "Boolean"},
    {"value": "not json", "type": "Json"}, {"value": "x", "type": "File"},
    {"value": "2026-13-45", "type": "Date"},
    {"value": "<a/>", "type": "Object",
     "valueInfo": {"serializationDataFormat": "application/x-java-serialized-object"}},
])
def test_bad_values_are_400_naming_the_variable(typed):
    with pytest.raises(RestError) as raised:
        from_camunda({"field_x": typed})
    assert raised.value.status == 400 and "field_x" in raised.value.message
