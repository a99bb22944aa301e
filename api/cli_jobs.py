"""`vocflow worker`, `jobs`, `correlate`, `stuck`: background work from the command line."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import timedelta
from typing import Any

import click

from api.cli_support import Context, emit, parse_vars, pass_ctx, run
from api.handler_modules import load_handlers
from engine import external, service
from engine.scheduler import Worker


@click.command()
@click.option("--concurrency", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Threads running claimed jobs.")
@click.option("--handlers", "modules", multiple=True,
              help="Extra module registering external-task handlers (repeatable).")
@pass_ctx
def worker(ctx: Context, concurrency: int, modules: tuple[str, ...]) -> None:
    """Run due timers, timer starts and external tasks until stopped (SIGTERM/Ctrl-C)."""
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # Our own log says what each job did; APScheduler's per-poll lines are noise.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    load_handlers(modules)
    if ctx.settings.is_sqlite and concurrency > 1:
        click.echo("note: SQLite serialises writes; --concurrency > 1 helps little", err=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    runner = Worker(ctx.uow_factory, ctx.settings, concurrency)
    click.echo(f"worker {runner.owner}: topics {', '.join(external.topics()) or '-'}",
               err=True)
    runner.start()
    stop.wait()
    click.echo("stopping: finishing the jobs in hand", err=True)
    runner.stop()


@click.command()
@click.option("--kind", type=click.Choice(["timer", "timer_start", "external"]))
@click.option("--limit", default=200, show_default=True, type=int)
@pass_ctx
def jobs(ctx: Context, kind: str | None, limit: int) -> None:
    """List jobs: when due, attempts, retries, lock and last error."""
    rows = [{"id": j.id, "kind": j.kind, "element": j.element_id, "topic": j.topic,
             "instance": j.instance_id or j.definition_id, "due_at": j.due_at,
             "attempts": j.attempts, "retries": j.retries, "locked_by": j.lock_owner,
             "last_error": (j.last_error or "")[:80] or None}
            for j in ctx.execute(service.scopes.list_jobs, kind=kind, limit=limit)]
    emit(ctx, rows)


@click.command()
@click.argument("message")
@click.option("--business-key")
@click.option("--var", "variables", multiple=True, help="k=v (JSON values allowed).")
@click.option("--user", help="Correlate as this user.")
@pass_ctx
def correlate(ctx: Context, message: str, business_key: str | None,
              variables: tuple[str, ...], user: str | None) -> None:
    """Send MESSAGE to the instance waiting for it, or start one by message."""
    values = parse_vars(variables)

    def act() -> list[str]:
        return ctx.execute(service.correlate_message, message, business_key=business_key,
                           variables=values, user=user)

    emit(ctx, [{"instance": i} for i in run(act)])


def stuck_rows(ctx: Context) -> list[dict[str, Any]]:
    """Printable rows of stuck instances: id, reason, element, detail."""
    grace = timedelta(seconds=ctx.settings.timer_grace_seconds)
    return [{"instance": r.instance_id, "reason": r.reason, "element": r.element_id,
             "detail": r.detail} for r in ctx.execute(service.find_stuck, grace=grace)]


@click.command()
@pass_ctx
def stuck(ctx: Context) -> None:
    """List stuck instances with the reason and the element (same as instances --stuck)."""
    emit(ctx, stuck_rows(ctx))


def register(cli_group: click.Group) -> None:
    for command in (worker, jobs, correlate, stuck):
        cli_group.add_command(command)
