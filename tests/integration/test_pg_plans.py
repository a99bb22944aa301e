"""engine.pg_plans: a unit of work that rolls back leaves the connection's prepared
statements in place, on the server and in psycopg's cache, and the connection usable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from engine import make_engine, make_sessionmaker, make_uow_factory
from engine.models import Group
from engine.repository.prepared import Prepared
from engine.uow import UowFactory

NAME = "pg-plans-test-group"


@pytest.fixture
def one_connection(pg_engine: Engine) -> Iterator[tuple[Engine, UowFactory]]:
    """A pool of one connection, so that every unit of work runs on the same session."""
    engine = make_engine(pg_engine.url.render_as_string(hide_password=False),
                         pool_size=1, max_overflow=0)
    try:
        yield engine, make_uow_factory(make_sessionmaker(engine))
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM groups WHERE name = :n"), {"n": NAME})
        engine.dispose()


def _prepared(engine: Engine) -> tuple[int, int]:
    """(statements prepared on the server, names in psycopg's cache) of the one connection."""
    with engine.connect() as conn:
        on_server = conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar()
        cached = len(conn.connection.dbapi_connection._prepared._names)  # type: ignore[union-attr]
    return int(on_server or 0), cached


def _warm(uow_factory: UowFactory) -> None:
    for _ in range(7):  # psycopg prepares a statement at its sixth execution
        with uow_factory() as uow:
            uow.users.get("nobody")


def test_a_failed_unit_of_work_keeps_the_prepared_statements(one_connection):
    engine, uow_factory = one_connection
    _warm(uow_factory)
    before = _prepared(engine)
    assert before[0] >= 1 and before[1] >= 1
    with pytest.raises(LookupError), uow_factory() as uow:
        uow.users.get("nobody")  # the transaction is open on the server
        raise LookupError("a request that fails")
    assert _prepared(engine) == before
    with uow_factory() as uow:  # the statement runs prepared, and the connection works
        assert uow.users.get("nobody") is None
    assert _prepared(engine) == before


def test_a_transaction_in_error_rolls_back_and_the_connection_goes_on(one_connection):
    engine, uow_factory = one_connection
    with uow_factory() as uow:
        uow.session.add(Group(name=NAME))
    _warm(uow_factory)
    assert _prepared(engine)[0] >= 1
    with pytest.raises(IntegrityError), uow_factory() as uow:
        uow.session.add(Group(name=NAME))  # the unique name: the server aborts the transaction
        uow.flush()
        uow.users.get("nobody")
    with uow_factory() as uow:
        assert uow.users.get("nobody") is None
        count = uow.session.execute(text("SELECT count(*) FROM groups WHERE name = :n"),
                                    {"n": NAME}).scalar()
    assert count == 1
    on_server, cached = _prepared(engine)  # psycopg's own rollback: nothing it cannot vouch for
    assert on_server == cached


def test_a_write_failing_with_the_commit_leaves_no_plan_the_server_lacks(one_connection):
    engine, uow_factory = one_connection
    with uow_factory() as uow:
        uow.session.add(Group(name=NAME))
    _warm(uow_factory)
    before = _prepared(engine)
    insert = Prepared(Group.__table__.insert())  # queued: sent with the COMMIT
    with pytest.raises(IntegrityError), uow_factory() as uow:
        uow.users.get("nobody")
        insert.execute(uow.session, {"id": 10**9, "name": NAME, "display_name": ""})
    on_server, cached = _prepared(engine)
    assert on_server == cached <= before[0]  # the transaction was in error: psycopg's rollback
    with uow_factory() as uow:
        assert uow.users.get("nobody") is None
