"""camunda:resultVariable on a Python script task: the value of the script's last
expression is stored in that variable, as Camunda stores a script's return value."""

from __future__ import annotations

import ast


def store_last_value(script: str, variable: str) -> str:
    """The script with its last statement assigned to `variable` when that statement is an
    expression (lines and columns otherwise unchanged, so errors keep their lines); as it
    was when it does not parse (the deploy check reports that) or ends otherwise."""
    try:
        body = ast.parse(script).body
    except SyntaxError:
        return script
    if not body or not isinstance(body[-1], ast.Expr) or not variable.isidentifier():
        return script
    last = body[-1]
    lines = script.splitlines(keepends=True)
    row = lines[last.lineno - 1]
    lines[last.lineno - 1] = f"{row[:last.col_offset]}{variable} = {row[last.col_offset:]}"
    return "".join(lines)
