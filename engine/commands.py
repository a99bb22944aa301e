"""Run one engine command in its own unit of work: the one path every door takes.

A door (a page, /api/v1, /engine-rest, the CLI, a worker's handler) never opens a unit of
work or looks at a repository itself: it names a command of `engine.service` and its
arguments, and `execute` opens the unit of work, finds the actor inside it, supplies the
clock and calls the command, which checks its own permission (engine.authz).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

from engine import clock
from engine.config import Settings
from engine.service import file_variables
from engine.service.actors import Actor
from engine.uow import UnitOfWork, UowFactory

T = TypeVar("T")

# Who is acting: an Actor, or a function that finds it with the command's unit of work
# (a session cookie, a token or Basic credentials are read inside the same transaction).
ActorSource = Actor | Callable[[UnitOfWork], Actor]


@lru_cache(maxsize=1024)
def _parameters(command: Callable[..., Any]) -> frozenset[str]:
    return frozenset(inspect.signature(command).parameters)


def call(uow: UnitOfWork, actor: ActorSource, command: Callable[..., T], *args: Any,
         **kwargs: Any) -> T:
    """Call command(uow, *args, actor=..., now=...) in an open unit of work.

    `actor` and `now` are passed by keyword when the command takes them and the caller did
    not: every command names them so (engine.service's convention).
    """
    who = actor(uow) if callable(actor) else actor
    names = _parameters(command)
    if "actor" in names:
        kwargs.setdefault("actor", who)
    if "now" in names:
        kwargs.setdefault("now", clock.now())
    return command(uow, *args, **kwargs)


def execute(uow_factory: UowFactory, actor: ActorSource, command: Callable[..., T],
            *args: Any, **kwargs: Any) -> T:
    """Open a unit of work, run one command as actor, commit (or roll back on any error)."""
    with uow_factory() as uow:
        return call(uow, actor, command, *args, **kwargs)


def execute_storing_files(uow_factory: UowFactory, settings: Settings, actor: ActorSource,
                          command: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """execute, for arguments that carry File variables (file_variables.IncomingFile): their
    content goes to the file store and the command gets references in their place; the
    files are then attached to the instances the command changed, in the same transaction."""
    with uow_factory() as uow:
        who = actor(uow) if callable(actor) else actor
        now = clock.now()
        stored: list[str] = []
        args, kwargs = file_variables.store_all(uow, settings, (args, kwargs), who, now, stored)
        if "now" in _parameters(command):
            kwargs.setdefault("now", now)
        result = call(uow, who, command, *args, **kwargs)
        file_variables.attach_stored(uow, stored, who, now)
        return result
