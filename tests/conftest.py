"""DB fixtures: every DB test runs on SQLite and PostgreSQL in a rolled-back transaction."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from engine import make_engine, make_uow_factory, upgrade
from engine.models import Base
from engine.uow import UowFactory

_PG_BASE = os.environ.get(
    "VOCFLOW_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/vocflow_test"
)
# One database per test run, so that concurrent runs on one machine never share tables.
PG_URL = make_url(_PG_BASE).set(
    database=f"{make_url(_PG_BASE).database}_{os.getpid()}"
).render_as_string(hide_password=False)
REQUIRE_PG = os.environ.get("VOCFLOW_REQUIRE_PG") == "1"
ROOT = Path(__file__).resolve().parent.parent


def _pg_admin(url: str, sql: str) -> None:
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(sql))
    finally:
        admin.dispose()


def _ensure_pg_database(url: str) -> None:
    name = make_url(url).database
    _pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(url, f'CREATE DATABASE "{name}"')


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("db") / "vocflow-test.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    try:
        _ensure_pg_database(PG_URL)
        engine = make_engine(PG_URL)
        with engine.connect():
            pass
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server means "no PG"
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required (VOCFLOW_REQUIRE_PG=1) but unreachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc}")
    upgrade(engine)
    yield engine
    engine.dispose()
    _pg_admin(PG_URL, f'DROP DATABASE IF EXISTS "{make_url(PG_URL).database}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_engine(request: pytest.FixtureRequest) -> Engine:
    name = "sqlite_engine" if request.param == "sqlite" else "pg_engine"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


@pytest.fixture
def connection(db_engine: Engine) -> Iterator[Connection]:
    conn = db_engine.connect()
    trans = conn.begin()
    yield conn
    trans.rollback()
    conn.close()


@pytest.fixture
def uow_factory(request: pytest.FixtureRequest, db_engine: Engine) -> Iterator[UowFactory]:
    """A unit-of-work factory; rolled back after the test, or truncated for committed_db."""
    if request.node.get_closest_marker("committed_db"):
        yield make_uow_factory(sessionmaker(bind=db_engine, expire_on_commit=False))
        truncate(db_engine)
        return
    conn = request.getfixturevalue("connection")
    factory = sessionmaker(
        bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    yield make_uow_factory(factory)


def truncate(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def dialect(db_engine: Engine) -> str:
    return db_engine.dialect.name
