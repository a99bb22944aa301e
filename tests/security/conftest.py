"""The API fixtures (an app on the shared SQLite/PostgreSQL uow_factory) for these tests."""

from tests.api.conftest import app, client  # noqa: F401 - fixtures
