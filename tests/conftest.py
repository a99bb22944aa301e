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

PG_URL = os.environ.get(
    "VOCFLOW_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/vocflow_test"
)
REQUIRE_PG = os.environ.get("VOCFLOW_REQUIRE_PG") == "1"
ROOT = Path(__file__).resolve().parent.parent


def _ensure_pg_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
            ).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        admin.dispose()


def _fresh_schema(engine: Engine) -> None:
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine)


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
    _fresh_schema(engine)
    yield engine
    engine.dispose()


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
