"""The practice corpus through a real `vocflow serve` and the Camunda-client corpus runner."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

import engine
from engine import service

SHARED = Path(__file__).resolve().parents[3] / "shared"
CORPUS = SHARED / "corpus-practice"
MANIFEST = CORPUS / "manifest.json"
RUNNER = SHARED / "tools" / "corpus_runner.py"
BIN = Path(sys.executable).parent


def corpus_entries() -> list[str]:
    if not MANIFEST.is_file() or not RUNNER.is_file():
        return []
    return [e["local"] for e in json.loads(MANIFEST.read_text())["entries"]]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()  # noqa: S310 - our own server
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server at {url} did not answer")


def _token(database_url: str) -> str:
    """A personal token for the runner: Basic would verify the password on every call."""
    db = engine.make_engine(database_url)
    try:
        uow_factory = engine.make_uow_factory(engine.make_sessionmaker(db))
        with uow_factory() as uow:
            actor = service.actor_for(uow, "runner")
            _, plain = service.accounts.create_token(uow, "runner", "corpus", actor,
                                                     engine.clock.now())
        return plain
    finally:
        db.dispose()


@pytest.fixture(scope="session")
def corpus_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the whole practice corpus once; {"seconds": s, "entries": {local: entry}}."""
    tmp = tmp_path_factory.mktemp("corpus")
    env = {**os.environ, "VOCFLOW_DATABASE_URL": f"sqlite:///{tmp / 'corpus.db'}"}
    vocflow = str(BIN / "vocflow")
    subprocess.run([vocflow, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([vocflow, "users", "add", "runner", "--password", secrets.token_urlsafe(18),
                    "--group", "designer", "--group", "ops", "--group", "admin"],
                   env=env, check=True, capture_output=True)
    token = _token(env["VOCFLOW_DATABASE_URL"])
    port = _free_port()
    log = (tmp / "serve.log").open("w")
    server = subprocess.Popen([vocflow, "serve", "--port", str(port)], env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}/engine-rest"
        _wait(f"{base}/version", 60)
        out = tmp / "corpus.json"
        started = time.monotonic()
        subprocess.run([sys.executable, str(RUNNER), "--base", base, "--token", token,
                        "--corpus", str(CORPUS),
                        "--manifest", str(MANIFEST), "--json", str(out),
                        "--max-seconds", "1200"], check=True, capture_output=True)
        seconds = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    result = json.loads(out.read_text())
    return {"seconds": seconds, "entries": {e["local"]: e for e in result["entries"]}}
