"""JavaScript scripts in V8: JSON variables in and out, syntax checked, time and memory bounded."""

from __future__ import annotations

import pytest

from engine.bpmn import javascript


def test_set_and_remove_variables_through_execution():
    data = {"price": 4, "obsolete": "x"}
    javascript.execute(javascript.mark(
        'execution.setVariable("total", execution.getVariable("price") * 3);\n'
        'execution.removeVariable("obsolete"); var local = 1;'), data)
    assert data == {"price": 4, "total": 12}


def test_syntax_error_is_found_without_running_with_its_line():
    assert javascript.check("var a = 1;\nvar b = ;") == (2, "SyntaxError: Unexpected token ';'")
    assert javascript.check("while (true) {}") is None  # compiled, never run


def test_endless_loop_and_memory_hog_are_stopped():
    with pytest.raises(javascript.JavaScriptError, match="longer than"):
        javascript.execute("while (true) {}", {})
    with pytest.raises(javascript.JavaScriptError, match="MB"):
        javascript.execute("var a = []; while (true) { a.push(new Array(1e6).fill(1)); }", {})


def test_script_error_carries_the_line():
    with pytest.raises(javascript.JavaScriptError) as failed:
        javascript.execute("var a = 1;\nmissing.call();", {})
    assert failed.value.line == 2 and "missing is not defined" in str(failed.value)


def test_variables_are_script_globals_read_only_as_in_camunda():
    data = {"price": 4, "Math": "not the builtin", "bad-name": 1}
    javascript.execute(javascript.mark(
        'execution.setVariable("total", price * 3 + Math.max(1, 2));\n'
        'price = 100;'), data)  # an assignment alone is not stored (autoStore off)
    assert data == {"price": 4, "Math": "not the builtin", "bad-name": 1, "total": 14}


def test_extra_variables_are_read_and_not_kept():
    data: dict[str, object] = {}
    javascript.execute(javascript.mark('execution.setVariable("seen", loopCounter);'), data,
                       extra={"loopCounter": 2})
    assert data == {"seen": 2}


def test_a_result_variable_keeps_the_script_s_value_as_json():
    data = {"amount": 21}
    javascript.execute(javascript.mark("var x = amount * 2;\n({total: x, items: [x]})",
                                       "summary"), data)
    assert data == {"amount": 21, "summary": {"total": 42, "items": [42]}}
    data = {"amount": 21}
    javascript.execute(javascript.mark("var nothing = 1;", "summary"), data)
    assert data == {"amount": 21, "summary": None}
