"""Helpers for the sign-in security tests: apps, clients from an address, Basic headers."""

from __future__ import annotations

import base64
from dataclasses import replace
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from engine import Settings
from engine.uow import UowFactory

PASSWORD = "correct horse battery"
NEW_PASSWORD = "violet kettle 47 lantern"
ADMIN_PASSWORD = "granite owl 93 meadow"


def make_app(uow_factory: UowFactory | None = None, settings: Settings | None = None
             ) -> Flask:
    settings = replace(settings or Settings(), secret_key="test-secret")
    return create_app(settings, uow_factory=uow_factory,
                      testing=True)


def from_address(app: Flask, address: str) -> FlaskClient:
    """A test client whose requests come from this client address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def basic(username: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> str:
    """Sign in with a cookie session; the CSRF token."""
    response = sign_in(client, username, password)
    assert response.status_code == 200, response.json
    return str(response.json["csrf_token"])


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("vocflow_session")
    assert cookie is not None
    return cookie.value


def with_cookie(app: Flask, value: str) -> FlaskClient:
    """A fresh client that replays a copied session cookie."""
    client = app.test_client()
    client.set_cookie("vocflow_session", value)
    return client
