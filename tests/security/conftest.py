"""Security tests use the API fixtures (an app on the shared SQLite/PostgreSQL uow_factory)."""

from tests.api.conftest import app, client  # noqa: F401 - fixtures re-exported for pytest
from tests.api.engine_rest.conftest import basic, user  # noqa: F401
