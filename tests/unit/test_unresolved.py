"""Which identifier an expression could not resolve (engine.expressions.unresolved)."""

from __future__ import annotations

import pytest

from engine import expressions
from engine.expressions import unresolved


def test_unknown_juel_variable_is_an_unknown_property_and_a_name_error():
    with pytest.raises(NameError) as caught:
        expressions.evaluate("${amount > 5}", {}, "text")
    assert isinstance(caught.value, expressions.UnknownProperty)
    assert caught.value.name == "amount"
    assert str(caught.value) == ("Unknown property used in expression: ${amount > 5}. "
                                 "Cause: Cannot resolve identifier 'amount'")


def test_a_keyword_named_variable_is_resolved_by_its_own_name():
    with pytest.raises(expressions.UnknownProperty) as caught:
        expressions.evaluate("${continue}", {}, "text")
    assert caught.value.name == "continue"
    assert expressions.evaluate("${continue}", {"continue": True}, "text") is True


def test_a_missing_map_key_is_not_an_unknown_variable():
    with pytest.raises(KeyError):
        expressions.evaluate("d['x']", {"d": {}})
    assert unresolved.identifier(KeyError("x"), "d['x']") is None
    assert unresolved.identifier(ValueError("name 'x' is not defined")) is None


def test_suggestion_only_for_a_near_spelling():
    assert unresolved.suggestion("approved", ["aproved", "initiator"]) == (
        "; did you mean 'aproved'?")
    assert unresolved.suggestion("approved", ["initiator", "_approved"]) == ""
