"""Fixtures of the Camunda REST tests: an app on the shared uow_factory and Basic users."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.engine_rest import blueprint
from engine.uow import UowFactory
from tests.factories import make_user

PASSWORD = "s3cret-pass"


def basic(username: str, password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Accept": "application/json"}


@pytest.fixture
def app(uow_factory: UowFactory) -> Iterator[Flask]:
    app = Flask("engine_rest_test")
    app.config["TESTING"] = True
    app.extensions["uow_factory"] = uow_factory
    app.register_blueprint(blueprint)
    yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def designer(uow_factory: UowFactory) -> dict[str, str]:
    make_user(uow_factory, "designer1", "designer", password=PASSWORD)
    return basic("designer1")


@pytest.fixture
def ops(uow_factory: UowFactory) -> dict[str, str]:
    make_user(uow_factory, "ops1", "ops", password=PASSWORD)
    return basic("ops1")
