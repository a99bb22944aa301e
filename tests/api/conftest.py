"""API fixtures: an app bound to the shared uow_factory (SQLite and PostgreSQL), sign-in helpers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from engine import Settings
from engine.service import accounts
from engine.uow import UowFactory
from tests.factories import NOW, deploy_files, make_user

API_FIXTURES = Path(__file__).resolve().parent / "fixtures"
PASSWORD = "correct horse battery"


@pytest.fixture
def app(uow_factory: UowFactory) -> Flask:
    return create_app(Settings(secret_key="test-secret"), uow_factory=uow_factory, testing=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def bearer(uow_factory: UowFactory, username: str, *groups: str) -> dict[str, str]:
    """Create a user in these groups and return Authorization headers with a fresh token."""
    actor = make_user(uow_factory, username, *groups, password=PASSWORD)
    with uow_factory() as uow:
        _row, plain = accounts.create_token(uow, username, "test", actor, NOW)
    return {"Authorization": f"Bearer {plain}"}


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> str:
    """Sign in with a cookie session; returns the CSRF token for X-CSRF-Token."""
    response = client.post("/api/v1/auth/login",
                           json={"username": username, "password": password})
    assert response.status_code == 200, response.json
    return str(response.json["csrf_token"])


def deploy_api_fixture(uow_factory: UowFactory, *names: str) -> list[Any]:
    return deploy_files(uow_factory, *(API_FIXTURES / n for n in names))


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response has this status and the error envelope; returns the error body."""
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.json["error"]
    assert set(error) == {"code", "message", "details"}
    if code is not None:
        assert error["code"] == code
    return dict(error)
