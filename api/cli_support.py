"""Shared plumbing for the `vocflow` commands: settings, units of work, output, errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click

import engine
from engine import service
from engine.errors import EngineError
from engine.uow import UnitOfWork

T = TypeVar("T")


@dataclass
class Context:
    settings: engine.Settings
    as_json: bool
    _factory: engine.UowFactory | None = None
    _engine: Any = None

    @property
    def uow_factory(self) -> engine.UowFactory:
        if self._factory is None:
            self._engine = engine.make_engine(self.settings.database_url)
            engine.ensure_current(self._engine)
            self._factory = engine.make_uow_factory(engine.make_sessionmaker(self._engine))
        return self._factory

    def close(self) -> None:
        """Release pooled connections when the command ends."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine, self._factory = None, None

    @contextmanager
    def uow(self) -> Iterator[UnitOfWork]:
        with self.uow_factory() as uow:
            yield uow

    def actor(self, uow: UnitOfWork, username: str | None) -> service.Actor:
        return service.SYSTEM_ACTOR if not username else service.actor_for(uow, username)

    def execute(self, command: Callable[..., T], *args: Any, user: str | None = None,
                **kwargs: Any) -> T:
        """Run one engine command as --user (default: the system) in its own unit of work.

        The command checks the user's permissions, as for every other door.
        """
        who: engine.ActorSource = (
            service.SYSTEM_ACTOR if not user
            else (lambda uow: service.actor_for(uow, user)))
        return engine.execute(self.uow_factory, who, command, *args, **kwargs)


pass_ctx = click.make_pass_decorator(Context)


def run(fn: Callable[[], Any]) -> Any:
    """Turn engine errors into a clear message and exit code 1 (no traceback)."""
    try:
        return fn()
    except EngineError as exc:
        click.secho(f"error [{exc.code}]: {exc.message}", fg="red", err=True)
        for problem in exc.details.get("problems", [])[:50]:
            where = f"{problem['file']}"
            if problem.get("line"):
                where += f":{problem['line']}"
            if problem.get("element_id"):
                where += f" [{problem['element_id']}]"
            click.echo(f"  {where}: {problem['message']}", err=True)
        if exc.details and "problems" not in exc.details:
            click.echo("  " + json.dumps(exc.details, ensure_ascii=False, default=str), err=True)
        sys.exit(1)


LOCAL_TZ = ZoneInfo("Asia/Shanghai")  # stored in UTC, shown in the product's zone


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).isoformat(timespec="seconds")
    return value


def _json_default(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def emit(ctx: Context, rows: Sequence[dict[str, Any]] | dict[str, Any],
         columns: Sequence[str] | None = None) -> None:
    """Print rows as a table for people, or as JSON with --json."""
    if ctx.as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=_json_default))
        return
    if isinstance(rows, dict):
        for key, value in rows.items():
            click.echo(f"{key}: {_plain(value)}")
        return
    if not rows:
        click.echo("(none)")
        return
    columns = list(columns or rows[0].keys())
    cells = [[str(_plain(r.get(c, "")) if r.get(c) is not None else "-") for c in columns]
             for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    click.echo("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)))
    for row in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))


def parse_vars(pairs: Sequence[str]) -> dict[str, Any]:
    """k=v pairs; v is read as JSON when it parses (numbers, true/false, lists), else text."""
    result: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise click.BadParameter(f"'{pair}' is not k=v", param_hint="--var")
        key, raw = pair.split("=", 1)
        try:
            result[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            result[key.strip()] = raw
    return result
