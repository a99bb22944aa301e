"""FEEL tokens: numbers, strings, temporal literals, multi-word function names, operators."""

from __future__ import annotations

import re
from typing import NamedTuple

from engine.expressions.base import ExpressionError

_MULTI = ("date and time", "years and months duration", "days and time duration",
          "upper case", "lower case", "string length", "starts with", "ends with",
          "substring before", "substring after")
_TOKEN_RE = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?|\.\d+)"
    r'|(?P<str>"(?:[^"\\]|\\.)*")|(?P<at>@"(?:[^"\\]|\\.)*")'
    r"|(?P<fn>(?:" + "|".join(m.replace(" ", r"\s+") for m in _MULTI) + r")(?=\s*\())"
    r"|(?P<name>[^\W\d]\w*)"
    r"|(?P<op>\.\.|\*\*|<=|>=|!=|==|[-+*/<>=(),\[\]{}.:?]))")
LITERALS = {"true": True, "false": False, "null": None,
             "True": True, "False": False, "None": None}  # the last three: Spiff's Python
class Token(NamedTuple):
    kind: str
    text: str
    pos: int


def tokenize(source: str) -> list[Token]:
    tokens, pos, end = [], 0, len(source.rstrip())
    while pos < end:
        match = _TOKEN_RE.match(source, pos)
        if match is None or match.lastgroup is None:
            at = len(source) - len(source[pos:].lstrip())
            raise ExpressionError(source, f"unexpected character {source[at]!r}", at + 1)
        text = match.group(match.lastgroup)
        kind = match.lastgroup
        if kind == "fn":
            text = " ".join(text.split())
        tokens.append(Token(kind, text, match.start(kind)))
        pos = match.end()
    return [*tokens, Token("end", "", len(source))]


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)
