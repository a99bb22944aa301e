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


def test_camunda_spin_json_reads_and_builds_json_variables():
    data = {"order": {"lines": [{"price": 4, "sku": "A"}, {"price": 6, "sku": "B"}],
                      "customer": "Wang"}, "note": "x"}
    javascript.execute(javascript.mark(
        'var order = S(execution.getVariable("order"));\n'
        'var total = 0, lines = order.prop("lines").elements();\n'
        'for (var i = 0; i < lines.size(); i++) {\n'
        '  total += lines.get(i).prop("price").numberValue();\n'
        '}\n'
        'execution.setVariable("total", total);\n'
        'execution.setVariable("who", order.prop("customer").stringValue());\n'
        'execution.setVariable("plain", order.customer + "/" + order.lines.length);\n'
        'execution.setVariable("names", order.fieldNames().size());\n'
        'execution.setVariable("has", [order.hasProp("lines"), order.hasProp("nope")]);\n'
        'var made = S(\'{"a": 1}\').prop("b", S(\'[1, 2]\')).prop("c", "text");\n'
        'made.prop("b").append(3);\n'
        'execution.setVariable("made", made);\n'
        'execution.setVariable("text", made.toString());\n'
        'execution.setVariable("kind", execution.getVariableTyped("order").getType().getName());\n'
        'execution.setVariable("serialized", execution.getVariableTyped("order")'
        '.getValueSerialized().length > 10);'), data)
    assert data["total"] == 10 and data["who"] == "Wang" and data["plain"] == "Wang/2"
    assert data["names"] == 2 and data["has"] == [True, False]
    assert data["made"] == {"a": 1, "b": [1, 2, 3], "c": "text"}
    assert data["text"] == '{"a":1,"b":[1,2,3],"c":"text"}'
    assert data["kind"] == "json" and data["serialized"] is True
    assert data["order"]["customer"] == "Wang"  # read, not changed


def test_spin_refuses_what_camunda_refuses_and_xml():
    with pytest.raises(javascript.JavaScriptError, match="Unable to find 'nope'"):
        javascript.execute(javascript.mark('S({"a": 1}).prop("nope");'), {})
    with pytest.raises(javascript.JavaScriptError, match="Expected 'Number', got 'STRING'"):
        javascript.execute(javascript.mark('S({"a": "x"}).prop("a").numberValue();'), {})
    with pytest.raises(javascript.JavaScriptError, match="JSON only, not XML"):
        javascript.execute(javascript.mark('S("<order/>");'), {})
    data: dict[str, object] = {}
    javascript.execute(javascript.mark(
        'execution.setVariable("t", execution.getVariableTyped("missing"));'), data)
    assert data == {"t": None}  # as Camunda: no typed value for an unset variable
