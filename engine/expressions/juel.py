"""Translate and check Camunda 7 expressions (JUEL subset, ISO-8601 timers, Quartz cron)."""

from __future__ import annotations

import ast
import functools
import keyword
import re
import sys
import types
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from croniter import croniter

PRODUCT_TZ = "Asia/Shanghai"
_MODES = ("expression", "text")
_HELPERS = frozenset({"_vf_str", "_vf_get", "_vf_empty", "_vf_lookup"})
_METHODS = frozenset({
    "get", "keys", "values", "items", "lower", "upper", "strip", "startswith", "endswith",
    "split", "join", "replace", "count", "index", "isoformat",
})
# Underscore-free attributes that still reach frames, code or str.format (sandbox escapes).
_DENIED_ATTRS = frozenset({
    "gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "cr_await", "ag_frame",
    "ag_code", "ag_await", "f_back", "f_globals", "f_locals", "f_builtins", "f_code",
    "tb_frame", "tb_next", "co_code", "mro", "format", "format_map",
})


class ExpressionError(ValueError):
    """Bad expression; .expression, .reason (human readable, English), .column (int|None)."""

    def __init__(self, expression: str, reason: str, column: int | None = None) -> None:
        where = f" at column {column}" if column is not None else ""
        super().__init__(f"{reason}{where} in expression {expression!r}")
        self.expression, self.reason, self.column = expression, reason, column


def now() -> datetime:
    """Current aware UTC datetime (tests move it with time-machine)."""
    return datetime.now(UTC)


def iso_date(text: str) -> datetime:
    """Parse an ISO date or date-time; no offset means Asia/Shanghai. Returns an aware value."""
    return _parse_point(text.strip(), text)


def _vf_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _vf_get(base: Any, key: Any) -> Any:
    # JUEL: a null base or a missing map key / list index gives null, not an error.
    if base is None or isinstance(base, Mapping):
        return None if base is None else base.get(key)
    if isinstance(base, list | tuple):
        index = int(key) if isinstance(key, str) and key.isdigit() else key
        if isinstance(index, int) and not isinstance(index, bool):
            return base[index] if 0 <= index < len(base) else None
    if isinstance(key, str) and key and not key.startswith("_") and key not in _DENIED_ATTRS:
        return getattr(base, key)
    raise TypeError(f"cannot read property {key!r} of a {type(base).__name__}")


def _vf_empty(value: Any) -> bool:
    if isinstance(value, str | list | tuple | dict | set | frozenset):
        return len(value) == 0
    return value is None


def _vf_lookup(name: str) -> Any:
    # `empty x` of an unknown x is true in Camunda, so look x up without a NameError.
    frame = sys._getframe(1)
    return frame.f_locals[name] if name in frame.f_locals else frame.f_globals.get(name)


_FUNCTIONS: dict[str, Any] = {
    "len": len, "str": str, "int": int, "float": float, "bool": bool, "abs": abs,
    "min": min, "max": max, "round": round, "sum": sum, "sorted": sorted, "any": any,
    "all": all, "list": list, "dict": dict, "set": set, "tuple": tuple, "range": range,
    "now": now, "iso_date": iso_date, "datetime": datetime, "timedelta": timedelta,
    "timezone": timezone,
}


def safe_globals() -> dict[str, Any]:
    """A fresh globals dict for eval: no builtins, the allow-listed functions and helpers."""
    helpers = {"_vf_str": _vf_str, "_vf_get": _vf_get, "_vf_empty": _vf_empty,
               "_vf_lookup": _vf_lookup}
    return {"__builtins__": {}, **_FUNCTIONS, **helpers}


_DATE = r"\d{4}-\d{2}-\d{2}"
_POINT = rf"{_DATE}(?:T\d{{2}}:\d{{2}}(?::\d{{2}}(?:[.,]\d+)?)?(?:Z|[+-]\d{{2}}(?::?\d{{2}})?)?)?"
_DURATION = (r"P(?:\d+W|(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+D)?"
             r"(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:[.,]\d+)?S)?)?)")
_DATE_RE, _DURATION_RE = re.compile(_POINT), re.compile(_DURATION)
_CYCLE_RE = re.compile(rf"R\d*/(?:{_DURATION}|{_POINT}/{_DURATION}|{_DURATION}/{_POINT})")
_OFFSET_RE = re.compile(r"T.*(?:Z|[+-]\d{2}(?::?\d{2})?)$")
_CRON_FIELDS = (r"[\d*/,-]+", r"[\d*/,-]+", r"[\d*/,-]+", r"[\d*?/,LW-]+",
                r"[\dA-Za-z*/,-]+", r"[\dA-Za-z*?/,#L-]+", r"[\d*/,-]+")
_TIMER_KINDS = {
    "timeDate": (("date",), "an ISO-8601 date-time such as 2026-12-15T23:59:59+08:00"),
    "timeDuration": (("duration",), "an ISO-8601 duration such as PT10M or P30D"),
    "timeCycle": (("cycle", "cron"), "a repeating interval such as R3/PT10M or a Quartz cron"),
}


def _parse_point(point: str, source: str) -> datetime:
    try:
        value = datetime.fromisoformat(point)
    except ValueError as exc:
        raise ExpressionError(source, f"invalid ISO-8601 date-time {point!r}: {exc}") from exc
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(PRODUCT_TZ))


def _normalize_point(point: str, source: str) -> str:
    if point.startswith("P"):
        return point
    value = _parse_point(point, source)
    return point if _OFFSET_RE.search(point) else value.isoformat()


def normalize_datetime_literal(text: str) -> str:
    """Give date / date-time literals (also inside R/<start>/<dur>) an explicit offset.

    SpiffWorkflow reads offset-free values in the server's zone; ours are Asia/Shanghai time.
    Other text is returned stripped and unchanged.
    """
    value = text.strip()
    if _CYCLE_RE.fullmatch(value):
        head, *rest = value.split("/")
        return "/".join([head, *(_normalize_point(p, text) for p in rest)])
    return _normalize_point(value, text) if _DATE_RE.fullmatch(value) else value


def _looks_like_cron(text: str) -> bool:
    fields = text.split()
    return len(fields) in (6, 7) and all(
        re.fullmatch(pattern, field) for pattern, field in zip(_CRON_FIELDS, fields, strict=False))


def timer_kind(text: str) -> str | None:
    """Classify a timer literal: "date", "duration", "cycle", "cron", or None (not a literal)."""
    value = text.strip()
    for kind, pattern in (("date", _DATE_RE), ("duration", _DURATION_RE), ("cycle", _CYCLE_RE)):
        if pattern.fullmatch(value):
            return kind
    return "cron" if _looks_like_cron(value) else None


def _quartz_to_croniter(cron: str) -> str:
    if not _looks_like_cron(cron):
        raise ExpressionError(cron, "not a Quartz cron (sec min hour day month weekday [year])")

    def weekday(match: re.Match[str]) -> str:
        if not 1 <= int(match.group()) <= 7:
            raise ExpressionError(cron, f"day-of-week {match.group()} is not in 1-7 (1 = SUN)")
        return str(int(match.group()) - 1)

    # Quartz numbers weekdays 1-7 = SUN-SAT and writes "6L" for the last Friday; croniter
    # counts 0-6 and writes "L5". "?" (no specific value) is "*" to croniter.
    fields = cron.replace("?", "*").split()
    dow = re.sub(r"(?<![/#\d])\d+", weekday, fields[5])
    fields[5] = re.sub(r"(\w+?)L(?=,|$)", r"L\1", dow)
    return " ".join(fields)


def is_cron(text: str) -> bool:
    """True when text is a valid Quartz cron (6 or 7 fields, seconds first)."""
    try:
        expr = _quartz_to_croniter(text.strip())
    except ExpressionError:
        return False
    return bool(croniter.is_valid(expr, second_at_beginning=True))


def next_cron_time(cron: str, after: datetime, tz: str = PRODUCT_TZ) -> datetime:
    """Next fire time of a Quartz cron evaluated in tz, as aware UTC. Naive `after` is in tz."""
    zone = ZoneInfo(tz)
    start = after.replace(tzinfo=zone) if after.tzinfo is None else after.astimezone(zone)
    expr = _quartz_to_croniter(cron.strip())
    try:
        fire: datetime = croniter(expr, start, second_at_beginning=True).get_next(datetime)
    except (ValueError, KeyError) as exc:
        raise ExpressionError(cron, f"invalid Quartz cron: {exc}") from exc
    return fire.astimezone(UTC)


def _has_juel(text: str) -> bool:
    return "${" in text or "#{" in text


def check_timer(kind: str, text: str) -> None:
    """Check a timeDate / timeDuration / timeCycle value; expressions only have to compile."""
    if kind not in _TIMER_KINDS:
        raise ExpressionError(text, f"unknown timer kind {kind!r}")
    value, (allowed, hint) = text.strip(), _TIMER_KINDS[kind]
    found = None if _has_juel(value) else timer_kind(value)
    if found is None:
        check_expression(value)
    elif found not in allowed:
        raise ExpressionError(text, f"a {found} literal is not valid for {kind}; expected {hint}")
    elif found == "cron" and not is_cron(value):
        raise ExpressionError(text, "invalid Quartz cron (sec min hour day month weekday [year])")
    else:
        normalize_datetime_literal(value)


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
                key = repr(self.name("property").text)
                if self.tokens[self.index].text == "(":
                    raise self.fail("method calls are not supported")
            else:
                key = self.ternary()
                self.expect("]")
            result = f"_vf_get({result}, {key})"
        return result

    def name(self, what: str) -> _Token:
        token = self.tokens[self.index]
        if token.kind != "name":
            raise self.fail(f"expected a {what} name but found {self.found()}")
        if token.text.startswith("_"):
            raise self.fail(f"{what} {token.text!r} is not allowed: names starting with '_' "
                            "are private")
        if "$" in token.text or keyword.iskeyword(token.text):
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
        name = self.name("variable").text
        if self.accept("(") is None:
            return f"_vf_lookup({name!r})" if lenient else name
        if name not in _FUNCTIONS:
            raise self.fail(f"function {name!r} is not allowed; allowed: "
                            f"{', '.join(sorted(_FUNCTIONS))}", token)
        args = [] if self.accept(")") else [self.ternary()]
        while args and self.accept(","):
            args.append(self.ternary())
        if args:
            self.expect(")")
        return f"{name}({', '.join(args)})"


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
    if _has_juel(expr):
        return _template(expr)
    if mode == "text":
        return repr(expr)
    stripped = expr.strip()
    if timer_kind(stripped) is not None:
        return repr(normalize_datetime_literal(stripped))
    return stripped


_NODE_REASONS: dict[type[ast.AST], str] = {
    ast.Lambda: "lambda is not allowed", ast.NamedExpr: "assignment (:=) is not allowed",
    ast.Yield: "yield is not allowed", ast.YieldFrom: "yield is not allowed",
    ast.Await: "await is not allowed",
}


def _call_problem(func: ast.expr, allowed: frozenset[str]) -> str | None:
    if isinstance(func, ast.Name):
        # A private name is reported by its own Name node, with the clearer reason.
        return None if func.id in allowed or func.id.startswith("_") else (
            f"call to {func.id!r} is not allowed; allowed: {', '.join(sorted(_FUNCTIONS))}")
    if isinstance(func, ast.Attribute):
        return None if func.attr in _METHODS else (
            f"method .{func.attr}() is not allowed; allowed: {', '.join(sorted(_METHODS))}")
    return "only calls to allow-listed functions and methods are allowed"


def _node_problem(node: ast.AST, helpers: bool) -> str | None:
    private = "is not allowed: names starting with '_' are private"
    if type(node) in _NODE_REASONS:
        return _NODE_REASONS[type(node)]
    if isinstance(node, ast.Name) and node.id.startswith("_"):
        return None if helpers and node.id in _HELPERS else f"name {node.id!r} {private}"
    if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
        return f"attribute .{node.attr} {private}"
    if isinstance(node, ast.Attribute) and node.attr in _DENIED_ATTRS:
        return f"attribute .{node.attr} is not allowed"
    if isinstance(node, ast.Call):
        return _call_problem(node.func, frozenset(_FUNCTIONS) | (_HELPERS if helpers else set()))
    return None


def _check_tree(tree: ast.Expression, expr: str, juel: bool) -> None:
    # Translator output is only trusted to use the _vf_ helpers; its columns are not the
    # user's, so JUEL problems carry no column (the translator reports its own).
    lead = len(expr) - len(expr.lstrip())
    for node in ast.walk(tree):
        problem = _node_problem(node, juel)
        if problem is not None:
            column = None if juel else getattr(node, "col_offset", -1) + lead + 1
            raise ExpressionError(expr, problem, column)


@functools.lru_cache(maxsize=4096)
def compile_expression(expr: str, mode: str = "expression") -> types.CodeType:
    """Translate, parse, safety-check and compile expr for eval; cached."""
    if not expr.strip() and mode == "expression":
        raise ExpressionError(expr, "expression is empty")
    try:
        tree = ast.parse(to_python(expr, mode), mode="eval")
    except SyntaxError as exc:
        lead = len(expr) - len(expr.lstrip())
        offset = exc.offset or len(expr.strip()) + 1  # CPython says 0 at end of input
        column = None if _has_juel(expr) else offset + lead
        raise ExpressionError(expr, f"syntax error: {exc.msg}", column) from exc
    except RecursionError as exc:
        raise ExpressionError(expr, "expression is nested too deeply") from exc
    _check_tree(tree, expr, juel=_has_juel(expr))
    return compile(tree, "<expression>", "eval")


def check_expression(expr: str, mode: str = "expression") -> None:
    """Raise ExpressionError if expr cannot be compiled safely."""
    compile_expression(expr, mode)


def evaluate(expr: str, variables: Mapping[str, Any], mode: str = "expression") -> Any:
    """Evaluate expr against variables; unknown variables raise NameError."""
    scope = {**safe_globals(), **variables, "__builtins__": {}}
    # The code object passed the AST safety check and runs without builtins.
    return eval(compile_expression(expr, mode), scope)  # noqa: S307
