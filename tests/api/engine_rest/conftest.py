"""Fixtures of the Camunda REST tests: Basic users on the app of tests/api/conftest.py."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from api import create_app
from engine import Settings
from engine.uow import UowFactory
from tests.factories import make_user

PASSWORD = "s3cret-pass"


def basic_header(username: str, password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Accept": "application/json"}


@pytest.fixture
def basic():
    return basic_header


@pytest.fixture
def user(uow_factory: UowFactory):
    """Create a user in some groups; returns their Basic headers."""
    def make(username: str, *groups: str) -> dict[str, str]:
        make_user(uow_factory, username, *groups, password=PASSWORD)
        return basic_header(username)
    return make


@pytest.fixture
def designer(user) -> dict[str, str]:
    return user("designer1", "designer")


@pytest.fixture
def ops(user) -> dict[str, str]:
    return user("ops1", "ops")


@pytest.fixture
def server_url(uow_factory) -> Iterator[str]:
    """A real HTTP server (werkzeug, threaded) on a free port over the test database, for
    the Camunda clients; its /engine-rest base URL."""
    app = create_app(Settings(secret_key="test-secret"), uow_factory=uow_factory, testing=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/engine-rest"
    server.shutdown()
    thread.join(timeout=5)
