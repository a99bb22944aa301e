"""camunda:resultVariable on a Python script: its last expression is stored."""

from __future__ import annotations

from engine.bpmn.script_results import store_last_value


def test_the_last_expression_is_assigned_on_its_own_line():
    script = "base = amount * 2\n\nbase + 1  # the result\n"
    expected = "base = amount * 2\n\ntotal = base + 1  # the result\n"
    assert store_last_value(script, "total") == expected


def test_a_script_ending_otherwise_or_not_parsing_is_left_as_it_is():
    assert store_last_value("x = 1\nif x:\n    y = 2\n", "total") == "x = 1\nif x:\n    y = 2\n"
    assert store_last_value("x = (\n", "total") == "x = (\n"
    assert store_last_value("x + 1", "not a name") == "x + 1"
