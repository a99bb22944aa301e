"""AST instrumentation for sandboxed code: ticks in loops and calls, guarded operators."""

from __future__ import annotations

import ast
from typing import TypeVar

_Tree = TypeVar("_Tree", bound=ast.AST)

TICK, BINOP, FORMAT, ATTR = "_vf_tick_", "_vf_binop_", "_vf_format_", "_vf_attr_"
_GUARDED_OPS: dict[type[ast.operator], str] = {
    ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<", ast.Add: "+", ast.Mod: "%",
}


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=list(args), keywords=[])


class Instrument(ast.NodeTransformer):
    """Insert a tick into every loop body, function entry and comprehension step.

    Route *, **, <<, + and % through size checks, f-string fields through a guarded format,
    and (for expressions, which do not go through RestrictedPython) attribute reads through
    the guarded getattr. Runs after the safety checks, so its own `_vf_` names are trusted.
    """

    def __init__(self, *, attributes: bool) -> None:
        self.attributes = attributes

    def _loop(self, node: ast.While | ast.For) -> ast.AST:
        self.generic_visit(node)
        node.body.insert(0, ast.Expr(_call(TICK)))
        return node

    visit_While = _loop  # noqa: N815 - NodeTransformer's naming
    visit_For = _loop  # noqa: N815

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        self.generic_visit(node)
        node.body.insert(0, ast.Expr(_call(TICK)))
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        self.generic_visit(node)
        node.body = ast.BoolOp(op=ast.And(), values=[_call(TICK), node.body])
        return node

    def visit_comprehension(self, node: ast.comprehension) -> ast.AST:
        self.generic_visit(node)
        node.ifs.insert(0, _call(TICK))
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        symbol = _GUARDED_OPS.get(type(node.op))
        if symbol is None:
            return node
        return _call(BINOP, ast.Constant(symbol), node.left, node.right)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        self.generic_visit(node)
        spec = node.format_spec if node.format_spec is not None else ast.Constant("")
        node.value = _call(FORMAT, node.value, ast.Constant(node.conversion), spec)
        node.conversion, node.format_spec = -1, None
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self.generic_visit(node)
        if not self.attributes or not isinstance(node.ctx, ast.Load):
            return node
        return _call(ATTR, node.value, ast.Constant(node.attr))


def instrument(tree: _Tree, *, attributes: bool) -> _Tree:
    """Instrument tree in place (see Instrument) and fill in locations."""
    Instrument(attributes=attributes).visit(tree)  # the root's visitor returns the root
    return ast.fix_missing_locations(tree)
