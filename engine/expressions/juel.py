"""Translate Camunda expressions (JUEL ${...} / #{...} and timer literals) to Python source."""

from __future__ import annotations

import keyword
import re
from typing import NamedTuple

from engine.expressions import beans, juel_builtins  # juel_builtins fills FUNCTIONS
from engine.expressions.base import FUNCTIONS, ExpressionError
from engine.expressions.timers import normalize_datetime_literal, timer_kind

_MODES = ("expression", "text")


class _Token(NamedTuple):
    kind: str  # num, str, lit, name, op, end
    text: str
    pos: int


_TOKEN_RE = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<str>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
    r"|(?P<name>[A-Za-z_$][A-Za-z0-9_$]*)"
    r"|(?P<op>&&|\|\||==|!=|<=|>=|[-+*/%!<>?:()\[\].,]))")
_WORD_OPS = {"and": "and", "or": "or", "not": "not", "eq": "==", "ne": "!=", "lt": "<",
             "gt": ">", "le": "<=", "ge": ">=", "div": "/", "mod": "%", "empty": "empty",
             "&&": "and", "||": "or", "!": "not"}
_LITERALS = {"true": "True", "false": "False", "null": "None"}
# Quoted strings inside ${...} may hold "}" (and "&&"): skip them when finding the end.
_JUEL_RE = re.compile(r"""[$#]\{((?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^'"}])*)\}""")
_LEVELS = (("or",), ("and",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%"))


def has_juel(text: str) -> bool:
    """True when text holds a ${...} or #{...} expression."""
    return "${" in text or "#{" in text


def _tokenize(body: str, offset: int, source: str) -> list[_Token]:
    tokens, pos = [], 0
    while pos < len(body.rstrip()):
        match = _TOKEN_RE.match(body, pos)
        if match is None or match.lastgroup is None:
            column = offset + len(body) - len(body[pos:].lstrip()) + 1
            raise ExpressionError(source, f"unexpected character {body[column - offset - 1]!r}",
                                  column)
        kind, text = match.lastgroup, match.group(match.lastgroup)
        if text == "instanceof":
            raise ExpressionError(source, "'instanceof' is not supported", offset + pos + 1)
        if text in _WORD_OPS and kind in ("name", "op"):
            kind, text = "op", _WORD_OPS[text]
        elif text in _LITERALS and kind == "name":
            kind, text = "lit", _LITERALS[text]
        tokens.append(_Token(kind, text, offset + match.start(match.lastgroup)))
        pos = match.end()
    return [*tokens, _Token("end", "", offset + len(body))]


def _literal(token: _Token) -> str:
    if token.kind == "str":
        return repr(re.sub(r"\\([\\'\"])", r"\1", token.text[1:-1]))
    if token.kind == "num":
        return repr(float(token.text)) if set(".eE") & set(token.text) else str(int(token.text))
    return token.text


class _JuelParser:
    """Recursive descent over JUEL tokens, emitting fully parenthesised Python."""

    def __init__(self, tokens: list[_Token], source: str) -> None:
        self.tokens, self.index, self.source = tokens, 0, source

    def fail(self, reason: str, token: _Token | None = None) -> ExpressionError:
        return ExpressionError(self.source, reason, (token or self.tokens[self.index]).pos + 1)

    def found(self) -> str:
        token = self.tokens[self.index]
        return repr(token.text) if token.kind != "end" else "the end of the expression"

    def accept(self, *ops: str) -> str | None:
        token = self.tokens[self.index]
        if token.kind == "op" and token.text in ops:
            self.index += 1
            return token.text
        return None

    def expect(self, op: str) -> None:
        if self.accept(op) is None:
            raise self.fail(f"expected {op!r} but found {self.found()}")

    def ternary(self) -> str:
        condition = self.binary(0)
        if self.accept("?") is None:
            return condition
        then = self.ternary()
        self.expect(":")
        return f"({then} if {condition} else {self.ternary()})"

    def binary(self, level: int) -> str:
        if level == len(_LEVELS):
            return self.unary(lenient=False)
        left = self.binary(level + 1)
        while (op := self.accept(*_LEVELS[level])) is not None:
            left = f"({left} {op} {self.binary(level + 1)})"
        return left

    def unary(self, lenient: bool) -> str:
        # JUEL unary operators bind tighter than any binary one: `!a == b` is `(!a) == b`.
        op = self.accept("not", "-", "empty")
        if op is not None:
            operand = self.unary(lenient=op == "empty")
            return f"_vf_empty({operand})" if op == "empty" else f"({op} {operand})"
        result = self.primary(lenient)
        while (op := self.accept(".", "[")) is not None:
            if op == ".":
                token = self.name("property", keywords=True)
                key = repr(token.text)
                if self.accept("("):
                    if token.text not in juel_builtins.METHODS:
                        raise self.fail(self._unknown_method(result, token.text), token)
                    result = f"juel_method({', '.join([result, key, *self.arguments()])})"
                    continue
            else:
                key = self.ternary()
                self.expect("]")
            result = f"_vf_get({result}, {key})"
        return result

    @staticmethod
    def _unknown_method(base: str, method: str) -> str:
        reason = (f"method {method}() is not supported; allowed: "
                  f"{', '.join(sorted(juel_builtins.METHODS))}")
        if base.isidentifier():  # a plain name: a bean call, in Camunda's eyes
            known = ", ".join(beans.names()) or "none"
            reason += f" ('{base}' is not a registered bean; registered beans: {known})"
        return reason

    def bean(self, name: str) -> str:
        """A registered bean, its property or a call of its method (checked here)."""
        nxt = self.tokens[self.index + 1] if self.index + 1 < len(self.tokens) else None
        if not (self.tokens[self.index].text == "." and self.tokens[self.index].kind == "op"
                and nxt is not None and nxt.kind == "name"):
            return f"juel_bean({name!r})"
        self.index += 1
        member = self.name("property", keywords=True)
        call = self.accept("(") is not None
        if not beans.has_member(name, member.text, call=call):
            what = "method" if call else "property"
            raise self.fail(f"bean '{name}' has no public {what} "
                            f"'{member.text}'", member)
        if call:
            args = [repr(name), repr(member.text), *self.arguments()]
            return f"juel_bean_call({', '.join(args)})"
        return f"juel_bean_get({name!r}, {member.text!r})"

    def arguments(self) -> list[str]:
        """The arguments of a call whose '(' was just read, through its ')'."""
        args = [] if self.accept(")") else [self.ternary()]
        while args and self.accept(","):
            args.append(self.ternary())
        if args:
            self.expect(")")
        return args

    def name(self, what: str, keywords: bool = False) -> _Token:
        token = self.tokens[self.index]
        if token.kind != "name":
            raise self.fail(f"expected a {what} name but found {self.found()}")
        if token.text.startswith("_"):
            raise self.fail(f"{what} {token.text!r} is not allowed: names starting with '_' "
                            "are private")
        if "$" in token.text or (keyword.iskeyword(token.text) and not keywords):
            raise self.fail(f"{what} {token.text!r} is not supported (reserved word or '$')")
        self.index += 1
        return token

    def primary(self, lenient: bool) -> str:
        token = self.tokens[self.index]
        if token.kind in ("num", "str", "lit"):
            self.index += 1
            return _literal(token)
        if self.accept("("):
            inner = self.ternary()
            self.expect(")")
            return f"({inner})"
        name = self.name("variable", keywords=True).text
        if keyword.iskeyword(name) or name == "execution":
            # `continue` is a fine JUEL variable; `execution` is Camunda's, with its methods.
            if name == "execution":
                return "juel_execution(_vf_vars)"
            return f"_vf_vars[{name!r}]"
        if beans.is_bean(name) and self.tokens[self.index].text != "(":
            return self.bean(name)
        if self.accept("(") is None:
            # `empty x` of an unknown x is true in Camunda: read x from the scope mapping
            # (_vf_vars, bound by eval_scope) instead of raising NameError.
            return f"_vf_vars.get({name!r})" if lenient else name
        if name not in FUNCTIONS:
            raise self.fail(f"function {name!r} is not allowed; allowed: "
                            f"{', '.join(sorted(FUNCTIONS))}", token)
        return f"{name}({', '.join(self.arguments())})"


def _juel(body: str, offset: int, source: str) -> str:
    tokens = _tokenize(body, offset, source)
    if tokens[0].kind == "end":
        raise ExpressionError(source, "empty ${} expression", offset + 1)
    parser = _JuelParser(tokens, source)
    result = parser.ternary()
    if parser.tokens[parser.index].kind != "end":
        raise parser.fail(f"unexpected {parser.found()}")
    return result


def _template(expr: str) -> str:
    """Python for `literal ${expr} literal` text; a lone ${x} keeps x's type."""
    matches = list(_JUEL_RE.finditer(expr))
    for opening in re.finditer(r"[$#]\{", expr):
        if not any(m.start() <= opening.start() < m.end() for m in matches):
            raise ExpressionError(expr, "missing '}' to close '${'", opening.start() + 1)
    if len(matches) == 1 and not _JUEL_RE.sub("", expr).strip():
        return _juel(matches[0].group(1), matches[0].start(1), expr)
    pieces, last = [], 0
    for match in matches:
        pieces += [repr(expr[last:match.start()])] if match.start() > last else []
        pieces.append(f"_vf_str({_juel(match.group(1), match.start(1), expr)})")
        last = match.end()
    return " + ".join([*pieces, *([repr(expr[last:])] if expr[last:] else [])])


def to_python(expr: str, mode: str = "expression") -> str:
    """Translate a Camunda expression ("expression" or "text" mode) to Python source."""
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, not {mode!r}")
    if has_juel(expr):
        return _template(expr)
    if mode == "text":
        return repr(expr)
    stripped = expr.strip()
    if timer_kind(stripped) is not None:
        return repr(normalize_datetime_literal(stripped))
    return stripped
