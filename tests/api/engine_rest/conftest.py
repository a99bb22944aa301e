"""Fixtures of the Camunda REST tests: Basic users on the app of tests/api/conftest.py."""

from __future__ import annotations

import base64

import pytest

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
