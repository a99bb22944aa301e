"""Which identifier an expression or script could not resolve, said as Camunda says it.

Camunda's incident for `${!creditApproved}` without the variable reads "Unknown property
used in expression: ${!creditApproved}. Cause: Cannot resolve identifier 'creditApproved'";
ours read the same, so an operator sees at once which variable to set before a retry.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from engine.expressions.juel import to_python

_NAME_ERROR = re.compile(r"name '([^']+)' is not defined")
_JS_REFERENCE = re.compile(r"ReferenceError: \"?([\w$]+)\"? is not defined")


class UnknownProperty(NameError):
    """An expression read a variable that is not set (a NameError, so callers that
    catch NameError for an unknown variable still do)."""

    def __init__(self, expression: str, name: str) -> None:
        super().__init__(f"Unknown property used in expression: {expression}. "
                         f"Cause: Cannot resolve identifier '{name}'", name=name)
        self.expression = expression


def identifier(exc: BaseException, expression: str | None = None,
               mode: str = "expression") -> str | None:
    """The identifier exc says could not be resolved, or None when it is another error.

    A JUEL variable named like a Python keyword (`continue`) is read as `_vf_vars['continue']`,
    so for an expression a KeyError of exactly that lookup counts too; a JavaScript
    ReferenceError counts for scripts.
    """
    if isinstance(exc, UnknownProperty):
        return exc.name
    if isinstance(exc, NameError):
        found = _NAME_ERROR.search(str(exc))
        return exc.name or (found.group(1) if found else None)
    if isinstance(exc, KeyError) and expression is not None and len(exc.args) == 1:
        key = exc.args[0]
        if isinstance(key, str) and f"_vf_vars[{key!r}]" in _python(expression, mode):
            return key
        return None
    if type(exc).__name__ == "JavaScriptError":
        found = _JS_REFERENCE.search(str(exc))
        return found.group(1) if found else None
    return None


def _python(expression: str, mode: str) -> str:
    try:
        return to_python(expression, mode)
    except (ValueError, SyntaxError):
        return ""


def suggestion(name: str, known: Iterable[str]) -> str:
    """The hint "; did you mean 'x'?" when a set variable is spelt almost like name, else ""."""
    names = [k for k in known if isinstance(k, str) and not k.startswith("_")]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.8)
    return f"; did you mean '{close[0]}'?" if close else ""
