"""Named Python objects ("beans") that JUEL expressions may call: `${mailer.send(x)}`.

Camunda 7 resolves an unknown identifier of an expression against the beans of its
configuration (Spring beans, or the `beans` map). VocFlow has a registry of such objects,
filled the way handlers are (`register_bean(name, obj)` at start-up). Expressions reach a
bean's public methods and properties only; a name or method that is not registered is
refused when the diagram is deployed, naming the element.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

_BEANS: dict[str, Any] = {}
_LOCK = threading.Lock()
_ON_CHANGE: list[Callable[[], None]] = []  # caches of compiled expressions to clear


def register_bean(name: str, bean: Any) -> Any:
    """Make `bean` reachable as `${name}` in expressions (last one wins)."""
    if not name.isidentifier() or name.startswith("_"):
        raise ValueError(f"bean name {name!r} must be an identifier not starting with '_'")
    with _LOCK:
        _BEANS[name] = bean
    _changed()
    return bean


def unregister_bean(name: str) -> None:
    with _LOCK:
        _BEANS.pop(name, None)
    _changed()


def on_change(clear: Callable[[], None]) -> None:
    """Call `clear` whenever the registry changes (compiled expressions depend on it)."""
    _ON_CHANGE.append(clear)


def _changed() -> None:
    for clear in _ON_CHANGE:
        clear()


def is_bean(name: str) -> bool:
    return name in _BEANS


def names() -> list[str]:
    return sorted(_BEANS)


def has_member(name: str, member: str, *, call: bool) -> bool:
    """True when the bean has this public method (call) or readable property."""
    bean = _BEANS.get(name)
    if bean is None or member.startswith("_"):
        return False
    value = getattr(bean, member, _MISSING)
    if value is _MISSING:
        return False
    return callable(value) if call else not callable(value)


_MISSING = object()


def juel_bean(name: str) -> Any:
    """The bean itself (`${myBean}`), looked up when the expression runs."""
    try:
        return _BEANS[name]
    except KeyError:
        raise NameError(f"bean '{name}' is not registered") from None


def juel_bean_call(name: str, member: str, *args: Any) -> Any:
    """`${myBean.method(args)}`: a public method of a registered bean."""
    if member.startswith("_"):
        raise AttributeError(f"method {member}() of bean '{name}' is private")
    method = getattr(juel_bean(name), member)
    if not callable(method):
        raise TypeError(f"{name}.{member} is a property, not a method")
    return method(*args)


def juel_bean_get(name: str, member: str) -> Any:
    """`${myBean.property}`: a public, non-callable attribute of a registered bean."""
    if member.startswith("_"):
        raise AttributeError(f"property {member} of bean '{name}' is private")
    value = getattr(juel_bean(name), member)
    if callable(value):
        raise TypeError(f"{name}.{member} is a method: call it as {name}.{member}()")
    return value
