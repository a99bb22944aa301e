"""`vocflow serve`: the API under gunicorn, with a worker process beside it unless told not to."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

import click
from gunicorn.app.base import BaseApplication

import api
from api.cli_support import Context, pass_ctx


class _Server(BaseApplication):  # type: ignore[misc]
    """gunicorn driven from code: each worker process builds its own app with create_app."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return api.create_app()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int,
              help="API processes (several need PostgreSQL).")
@click.option("--threads", default=4, show_default=True, type=int)
@click.option("--no-worker", is_flag=True, help="Do not start a job worker beside the API.")
@pass_ctx
def serve(ctx: Context, host: str, port: int, workers: int, threads: int,
          no_worker: bool) -> None:
    """Serve the REST API, the Camunda 7 REST subset and the web pages."""
    if workers > 1 and ctx.settings.is_sqlite:
        raise click.UsageError("--workers > 1 needs PostgreSQL (VOCFLOW_DATABASE_URL)")
    ctx.uow_factory  # noqa: B018 - create or upgrade the schema once, before forking
    worker = None
    if not no_worker:
        worker = subprocess.Popen(  # noqa: S603 - our own command line
            [sys.executable, "-m", "api.cli", "worker"], env=dict(os.environ))
        click.echo(f"worker started (pid {worker.pid})", err=True)
    click.echo(f"VocFlow: open http://{host}:{port}/signin (REST /api/v1, "
               f"Camunda Modeler /engine-rest)", err=True)
    try:
        _Server({"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                 "worker_class": "gthread", "accesslog": "-", "timeout": 60}).run()
    finally:
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)


def register(cli: click.Group) -> None:
    cli.add_command(serve)
