"""FEEL as Camunda's DMN uses it: simple unary tests and expressions, parsed once, evaluated.

The parser builds closures over a closed grammar (no Python eval), so nothing here can reach
outside the variables it is given. SpiffWorkflow's Python spellings the product's tables were
written in stay readable: `True`/`False`/`None` and chained comparisons such as `0.8 <= ? < 1`.
"""

from __future__ import annotations

import functools
from collections import ChainMap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.expressions import feel_values as fv
from engine.expressions.base import ExpressionError
from engine.expressions.feel_tokens import LITERALS, Token, tokenize, unescape

Scope = Mapping[str, Any]
Fn = Callable[[Scope], Any]
Test = Callable[[Any, Scope], "bool | None"]
_COMPARE = ("<", "<=", ">", ">=", "=", "!=", "==")
_TEMPORAL = {"date": fv.parse_date, "time": fv.parse_time,
             "date and time": fv.parse_datetime, "duration": fv.parse_duration}


class _Parser:
    """Recursive descent over FEEL tokens; every parse method returns a closure."""

    def __init__(self, source: str) -> None:
        self.source, self.tokens, self.index = source, tokenize(source), 0
        self.uses_input = False
        self.endpoint = False

    # -- token helpers ---------------------------------------------------------------
    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def at(self, *texts: str) -> bool:
        token = self.peek()
        return token.kind in ("op", "name") and token.text in texts

    def take(self) -> Token:
        token = self.peek()
        self.index += 1
        return token

    def fail(self, reason: str, token: Token | None = None) -> ExpressionError:
        return ExpressionError(self.source, reason, (token or self.peek()).pos + 1)

    def expect(self, text: str) -> Token:
        if not self.at(text):
            found = self.peek().text or "the end"
            raise self.fail(f"expected {text!r} but found {found!r}")
        return self.take()

    def finish(self) -> None:
        if self.peek().kind != "end":
            raise self.fail(f"unexpected {self.peek().text!r}")

    # -- unary tests -----------------------------------------------------------------
    def unary_tests(self) -> Test:
        if self.at("not") and self.peek(1).text == "(":
            self.take(), self.take()
            inner = self.positive_tests(")")
            self.expect(")")
            self.finish()

            def negated(value: Any, scope: Scope) -> bool | None:
                result = inner(value, scope)
                return None if result is None else not result
            return negated
        tests = self.positive_tests("end")
        self.finish()
        return tests

    def positive_tests(self, closer: str) -> Test:
        tests = [self.positive_test()]
        while self.at(","):
            self.take()
            tests.append(self.positive_test())

        def any_of(value: Any, scope: Scope) -> bool | None:
            results = [test(value, scope) for test in tests]
            return True if True in results else (None if None in results else False)
        return tests[0] if len(tests) == 1 else any_of

    def positive_test(self) -> Test:
        if self.at("<", "<=", ">", ">=", "=", "!=", "=="):
            op = self.take().text.replace("==", "=")
            endpoint = self.additive()
            return lambda value, scope: fv.compare(value, op, endpoint(scope))
        interval = self.interval()
        if interval is not None:
            return interval
        before, self.uses_input = self.uses_input, False
        expr = self.expression()
        uses_input, self.uses_input = self.uses_input, before or self.uses_input

        def test(value: Any, scope: Scope) -> bool | None:
            result = expr(ChainMap({"?": value}, scope))  # type: ignore[arg-type]
            if isinstance(result, bool) and (uses_input or not isinstance(value, bool)):
                return result
            if isinstance(result, list):
                return fv.member(value, result)
            return fv.equal(value, result)
        return test

    def interval(self) -> Test | None:
        if not self.at("[", "]", "("):
            return None
        start = self.index
        opening = self.take().text
        try:
            low = self.additive()
        except ExpressionError:
            low = None
        if low is None or not self.at(".."):
            self.index = start
            return None
        self.take()
        self.endpoint = True  # `[1..x[`: the closing '[' is no index
        try:
            high = self.additive()
        finally:
            self.endpoint = False
        closing = self.take()
        if closing.text not in ("]", "[", ")"):
            raise self.fail("an interval ends with ']', '[' or ')'", closing)
        low_op = ">=" if opening == "[" else ">"
        high_op = "<=" if closing.text == "]" else "<"

        def within(value: Any, scope: Scope) -> bool | None:
            a = fv.compare(value, low_op, low(scope))
            b = fv.compare(value, high_op, high(scope))
            return fv.both(a, b)
        return within

    # -- expressions -----------------------------------------------------------------
    def expression(self) -> Fn:
        if self.at("if"):
            self.take()
            cond = self.expression()
            self.expect("then")
            then = self.expression()
            self.expect("else")
            other = self.expression()
            return lambda s: then(s) if cond(s) is True else other(s)
        return self.disjunction()

    def disjunction(self) -> Fn:
        left = self.conjunction()
        while self.at("or"):
            self.take()
            right, prev = self.conjunction(), left
            left = functools.partial(lambda p, r, s: fv.either(p(s), r(s)), prev, right)
        return left

    def conjunction(self) -> Fn:
        left = self.comparison()
        while self.at("and"):
            self.take()
            right, prev = self.comparison(), left
            left = functools.partial(lambda p, r, s: fv.both(p(s), r(s)), prev, right)
        return left

    def comparison(self) -> Fn:
        left = self.additive()
        if self.at("between"):
            self.take()
            low = self.additive()
            self.expect("and")
            high = self.additive()
            return lambda s: fv.both(fv.compare(left(s), ">=", low(s)),
                                  fv.compare(left(s), "<=", high(s)))
        if self.at("in"):
            self.take()
            tests = self.in_tests()
            return lambda s: tests(left(s), s)
        links: list[tuple[str, Fn]] = []
        while self.at(*_COMPARE):
            op = self.take().text.replace("==", "=")
            links.append((op, self.additive()))
        if not links:
            return left
        return functools.partial(fv.chain, left, links)

    def in_tests(self) -> Test:
        if self.at("(") and self.interval() is None:
            self.take()
            tests = self.positive_tests(")")
            self.expect(")")
            return tests
        return self.positive_test()

    def additive(self) -> Fn:
        left = self.multiplicative()
        while self.at("+", "-"):
            op, right, prev = self.take().text, self.multiplicative(), left
            left = functools.partial(lambda o, p, r, s: fv.arithmetic(o, p(s), r(s)),
                                     op, prev, right)
        return left

    def multiplicative(self) -> Fn:
        left = self.power()
        while self.at("*", "/"):
            op, right, prev = self.take().text, self.power(), left
            left = functools.partial(lambda o, p, r, s: fv.arithmetic(o, p(s), r(s)),
                                     op, prev, right)
        return left

    def power(self) -> Fn:
        left = self.unary()
        if self.at("**"):
            self.take()
            right = self.power()
            return lambda s: fv.arithmetic("**", left(s), right(s))
        return left

    def unary(self) -> Fn:
        if self.at("-"):
            self.take()
            inner = self.unary()
            return lambda s: fv.negate(inner(s))
        return self.postfix(self.primary())

    def postfix(self, base: Fn) -> Fn:
        while self.at(".") or (self.at("[") and not self.endpoint):
            if self.take().text == ".":
                name = self.take()
                if name.kind != "name":
                    raise self.fail("a name is expected after '.'", name)
                base = functools.partial(fv.path, base, name.text)
            else:
                index = self.expression()
                self.expect("]")
                base = functools.partial(fv.index, base, index)
        return base

    def primary(self) -> Fn:
        token = self.peek()
        if token.kind == "num":
            self.take()
            value = float(token.text) if "." in token.text else int(token.text)
            return lambda s: value
        if token.kind == "str":
            self.take()
            text = unescape(token.text[1:-1])
            return lambda s: text
        if token.kind == "at":
            self.take()
            return self.temporal_literal(token)
        if token.kind == "fn" or (token.kind == "name" and self.peek(1).text == "("
                                  and token.text not in LITERALS):
            return self.call()
        if token.kind == "name":
            return self.name()
        if token.text == "?":
            self.take()
            self.uses_input = True
            return lambda s: s.get("?")
        if token.text == "(":
            self.take()
            inner = self.expression()
            self.expect(")")
            return inner
        if token.text == "[":
            return self.list_literal()
        if token.text == "{":
            return self.context_literal()
        raise self.fail(f"unexpected {token.text or 'end of the entry'!r}")

    def name(self) -> Fn:
        token = self.take()
        if token.text in LITERALS:
            value = LITERALS[token.text]
            return lambda s: value
        if token.text in ("and", "or", "then", "else", "in", "between", "not"):
            raise self.fail(f"unexpected {token.text!r}", token)
        name = token.text
        return lambda s: s.get(name)

    def call(self) -> Fn:
        token = self.take()
        function = fv.BUILTINS.get(token.text)
        if function is None:
            known = ", ".join(sorted(fv.BUILTINS))
            raise self.fail(f"unknown function {token.text!r}; known: {known}", token)
        self.expect("(")
        args: list[Fn] = []
        first = self.peek()
        while not self.at(")"):
            args.append(self.expression())
            if not self.at(")"):
                self.expect(",")
        self.expect(")")
        if token.text in _TEMPORAL and len(args) == 1 and first.kind == "str":
            self._check_literal(token.text, unescape(first.text[1:-1]), first)
        return lambda s: function(*(a(s) for a in args))

    def temporal_literal(self, token: Token) -> Fn:
        text = unescape(token.text[2:-1])
        kind = ("duration" if text.lstrip("-").startswith("P") else
                "date and time" if "T" in text else "time" if ":" in text else "date")
        value = self._check_literal(kind, text, token)
        return lambda s: value

    def _check_literal(self, kind: str, text: str, token: Token) -> Any:
        try:
            return _TEMPORAL[kind](text)
        except ValueError as exc:
            raise self.fail(f"invalid {kind} literal {text!r}: {exc}", token) from exc

    def list_literal(self) -> Fn:
        self.take()
        items: list[Fn] = []
        while not self.at("]"):
            items.append(self.expression())
            if not self.at("]"):
                self.expect(",")
        self.take()
        return lambda s: [item(s) for item in items]

    def context_literal(self) -> Fn:
        self.take()
        entries: list[tuple[str, Fn]] = []
        while not self.at("}"):
            key = self.take()
            if key.kind not in ("name", "str"):
                raise self.fail("a context key is a name or a string", key)
            self.expect(":")
            entries.append((key.text.strip('"'), self.expression()))
            if not self.at("}"):
                self.expect(",")
        self.take()
        return lambda s: {k: v(s) for k, v in entries}


@dataclass(frozen=True)
class UnaryTests:
    """A parsed input entry: does an input value satisfy it?"""

    source: str
    test: Test

    def matches(self, value: Any, variables: Scope) -> bool:
        return self.test(value, variables) is True


@dataclass(frozen=True)
class Expression:
    """A parsed FEEL expression (input expression or output entry)."""

    source: str
    fn: Fn

    def evaluate(self, variables: Scope) -> Any:
        return self.fn(variables)


def _guard(source: str, build: Callable[[_Parser], Any]) -> Any:
    try:
        return build(_Parser(source))
    except RecursionError as exc:
        raise ExpressionError(source, "entry is nested too deeply") from exc


@functools.lru_cache(maxsize=4096)
def unary_tests(source: str) -> UnaryTests:
    """Parse an input entry (`-` or empty matches anything); raises ExpressionError."""
    if source.strip() in ("", "-"):
        return UnaryTests(source, lambda value, scope: True)
    return UnaryTests(source, _guard(source, lambda p: p.unary_tests()))


@functools.lru_cache(maxsize=4096)
def expression(source: str) -> Expression:
    """Parse a FEEL expression; raises ExpressionError naming the column."""
    if not source.strip():
        raise ExpressionError(source, "expression is empty")

    def build(parser: _Parser) -> Fn:
        fn = parser.expression()
        parser.finish()
        return fn
    return Expression(source, _guard(source, build))


plain = fv.plain
