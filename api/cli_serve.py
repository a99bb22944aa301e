"""`vocflow serve`: the API under uvicorn (ASGI), a job worker beside it unless told not to.

The Flask app runs in a pool of --threads threads behind api.asgi's door; long-polling
fetchAndLock requests wait in the event loop instead (no thread, no database connection
per waiting client). --workers N runs N such processes on one socket (PostgreSQL only).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from types import FrameType

import click
import uvicorn
from uvicorn.supervisors import Multiprocess

from api import asgi
from api.cli_support import Context, pass_ctx
from api.handler_modules import load_handlers

THREADS_ENV = "VOCFLOW_SERVE_THREADS"
GRACE_SECONDS = 10  # then requests still running at a stop are cut off
HEALTHCHECK_SECONDS = 60  # --workers > 1: a child building its app on a busy machine is slow


class _Server(uvicorn.Server):
    """uvicorn's server; a stop by signal ends with exit status 0 once the worker process
    is stopped (uvicorn would re-raise the signal after its shutdown, killing us first)."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        self._captured_signals.clear()


def app_factory() -> asgi.VocflowAsgi:
    """Each server process builds its own app (the import string of --workers > 1), knowing
    the handlers and beans the worker knows, so that deploys are checked against them."""
    load_handlers()
    return asgi.create_asgi_app(threads=int(os.environ.get(THREADS_ENV, "4")))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int,
              help="API processes (several need PostgreSQL).")
@click.option("--threads", default=4, show_default=True, type=int,
              help="Threads per API process for requests (waiting long polls need none).")
@click.option("--no-worker", is_flag=True, help="Do not start a job worker beside the API.")
@pass_ctx
def serve(ctx: Context, host: str, port: int, workers: int, threads: int,
          no_worker: bool) -> None:
    """Serve the REST API, the Camunda 7 REST subset and the web pages."""
    if workers > 1 and ctx.settings.is_sqlite:
        raise click.UsageError("--workers > 1 needs PostgreSQL (VOCFLOW_DATABASE_URL)")
    ctx.uow_factory  # noqa: B018 - create or upgrade the schema once, before the processes
    os.environ[THREADS_ENV] = str(threads)
    worker = None
    if not no_worker:
        worker = subprocess.Popen(  # noqa: S603 - our own command line
            [sys.executable, "-m", "api.cli", "worker"], env=dict(os.environ))
        click.echo(f"worker started (pid {worker.pid})", err=True)
    click.echo(f"VocFlow: open http://{host}:{port}/signin (REST /api/v1, "
               f"Camunda Modeler /engine-rest)", err=True)
    config = uvicorn.Config("api.cli_serve:app_factory", factory=True, host=host, port=port,
                            workers=workers, lifespan="on", http="h11",
                            timeout_graceful_shutdown=GRACE_SECONDS,
                            timeout_worker_healthcheck=HEALTHCHECK_SECONDS)
    try:
        if workers > 1:
            Multiprocess(config, sockets=[config.bind_socket()]).run()
        else:
            _Server(config).run()
    finally:
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)


def register(cli: click.Group) -> None:
    cli.add_command(serve)
