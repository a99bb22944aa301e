"""Engine and session factories; SQLite pragmas and BEGIN IMMEDIATE for write units of work;
on PostgreSQL (psycopg), writes nobody reads back travel with the next statement."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from engine.pg_cursor import LAZY_DESCRIPTIONS_FIT, LazyDescriptionCursor
from engine.pg_fold import FOLD_FITS, FOLDED, Item, fold
from engine.pg_plans import rollback_keeping_plans

if FOLD_FITS:
    from engine.pg_fold import FoldCursor


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    """Create the SQLAlchemy engine; SQLite gets WAL, foreign keys and explicit BEGIN IMMEDIATE."""
    if database_url.startswith("sqlite"):
        return _make_sqlite_engine(database_url, **kwargs)
    ping_when_idle = "pool_pre_ping" not in kwargs
    engine = create_engine(database_url, **kwargs)
    if ping_when_idle:
        _ping_when_idle(engine)
    if engine.dialect.driver == "psycopg":
        _batch_round_trips(engine)
        if LAZY_DESCRIPTIONS_FIT:
            event.listen(engine, "connect", _lazy_descriptions)
    return engine


def _lazy_descriptions(dbapi_conn: Any, _record: Any) -> None:
    # cursor.description built only when read: SQLAlchemy asks only "is it None?" of a
    # statement it has run before (engine/pg_cursor.py)
    dbapi_conn.cursor_factory = LazyDescriptionCursor


PING_IDLE_SECONDS = 2.0


def _ping_when_idle(engine: Engine) -> None:
    """pool_pre_ping, but only for a connection that sat idle in the pool for a while.

    A pre-ping is a round trip on every checkout, i.e. on every unit of work; a connection
    given back a moment ago is as alive as its last statement showed. A dead one raises
    DisconnectionError, on which the pool replaces it (SQLAlchemy's pessimistic disconnect
    handling)."""

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _used(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is not None and time.monotonic() - since < PING_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(f"connection lost while idle: {exc}") from exc


_IDLE_SINCE = "vocflow_idle_since"


def private_dir(path: Path) -> None:
    """Create path (and missing parents) readable by this user only (0700)."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True)
    for created in missing:
        created.chmod(0o700)  # mkdir's mode is masked by the umask


def private_file(path: Path) -> None:
    """Create path empty with mode 0600 unless it exists; an existing one loses group and
    other access. SQLite gives its -wal and -shm files the database file's mode."""
    private_dir(path.parent)
    # Never open (and close) an existing database file: closing any descriptor of a file
    # drops every POSIX lock this process holds on it, including those of SQLite's own
    # connections, and other processes then see "disk I/O error" (SQLite's howtocorrupt).
    if not path.exists():
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass  # another process made it first
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        path.chmod(mode & 0o700)


def _make_sqlite_engine(database_url: str, **kwargs: Any) -> Engine:
    path = database_url.split("///", 1)[-1]
    if path and path != ":memory:" and not path.startswith("file:"):
        private_file(Path(path))
    kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
    if path in ("", ":memory:"):
        kwargs.setdefault("poolclass", NullPool)
    engine = create_engine(database_url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so that we can emit
        # BEGIN IMMEDIATE ourselves; SAVEPOINT then works as well.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        # A 64 MB page cache and reads through mmap: the task list walks 10,000 index rows
        # per request, and with the default 2 MB cache each request re-reads its pages.
        cur.execute("PRAGMA cache_size=-65536")
        cur.execute("PRAGMA mmap_size=268435456")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Every transaction takes the write lock up front: a read-then-write
        # unit of work can then never fail half-way with SQLITE_BUSY. Sent on the sqlite3
        # connection itself: through exec_driver_sql it cost 40 us of SQLAlchemy's execution
        # path on every unit of work, for a statement that has no parameters and no rows.
        conn.connection.dbapi_connection.execute("BEGIN IMMEDIATE")

    return engine


def libpq_dsn(database_url: str) -> str | None:
    """The PostgreSQL connection string for psycopg itself (the LISTEN connection); None
    for other databases."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return None
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


# --- PostgreSQL: fewer round trips -------------------------------------------------------

DEFER = "vocflow_defer"  # execution option: a DELETE/UPDATE whose row count nobody reads
# What the server says when a versioned UPDATE that checks itself found its row changed
STALE_VERSION = "vocflow: stale instance version, rows updated: "


def is_stale_version(error: BaseException) -> bool:
    """True for the error of a self-checking versioned UPDATE that lost a race."""
    return STALE_VERSION in str(getattr(error, "orig", None) or error)
_QUEUE = "vocflow_queue"
_BEGIN: Item = ("BEGIN", None, False, None)


def write_queue(conn: Any) -> list[Item] | None:
    """PostgreSQL: the writes waiting in this transaction to go with the next statement
    that needs an answer, as (SQL, parameters, executemany, Shape or None: what it reads
    and writes, engine/pg_fold.py); None: send at once."""
    queue: list[Item] | None = conn.info.get(_QUEUE)
    return queue


def flush_queue(conn: Any) -> None:
    """Send the waiting writes now (before a statement sent on the driver's own cursor)."""
    queue = conn.info.get(_QUEUE)
    if queue:
        _flush(conn.connection.dbapi_connection, queue, None, None)


def _batch_round_trips(engine: Engine) -> None:
    """Send BEGIN and every write whose answer nobody waits for with the next statement.

    An INSERT without RETURNING (Core or the ORM's flush), or a statement marked with the
    DEFER execution option, is queued on the connection instead of sent; the next statement
    that needs an answer (a SELECT, a versioned UPDATE, SAVEPOINT) or the COMMIT takes the
    queue along in one psycopg pipeline: one round trip where there were several. Order is
    kept, so a read sees every write queued before it; an error in a queued write aborts
    the transaction and is raised by the statement that carried it. BEGIN is queued too
    (psycopg runs in autocommit mode and we open the transaction), so a unit of work's first
    statement costs one round trip, and one that sent nothing commits without any.
    """

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        raw = conn.connection.dbapi_connection
        if (conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
                or raw.isolation_level is not None or raw.read_only is not None):
            return  # psycopg's own BEGIN carries those settings
        if not raw.autocommit:
            raw.autocommit = True  # so that psycopg sends no BEGIN of its own
        conn.info[_QUEUE] = [_BEGIN]

    @event.listens_for(engine, "do_execute")
    def _execute(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
        return _send(cursor, statement, parameters, context, many=False)

    @event.listens_for(engine, "do_execute_no_params")
    def _execute_no_params(cursor: Any, statement: str, context: Any) -> bool:
        return _send(cursor, statement, None, context, many=False)

    @event.listens_for(engine, "do_executemany")
    def _executemany(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
        return _send(cursor, statement, parameters, context, many=True)

    # SQLAlchemy wraps what the dialect's do_commit raises (a commit event's errors it would not)
    setattr(engine.dialect, "do_commit",  # noqa: B010 - this engine's dialect only
            _commit_with_queue(engine.dialect.do_commit))
    setattr(engine.dialect, "do_rollback",  # noqa: B010 - keeps the prepared statements
            rollback_keeping_plans(engine.dialect.do_rollback))

    @event.listens_for(engine, "rollback")
    def _rollback(conn: Any) -> None:
        conn.info.pop(_QUEUE, None)  # never sent: nothing to undo

    @event.listens_for(engine, "reset")
    def _reset(_dbapi_conn: Any, record: Any, _state: Any) -> None:
        record.info.pop(_QUEUE, None)


_ROLLBACK = rollback_keeping_plans(lambda raw: raw.rollback())


def _commit_with_queue(plain_commit: Any) -> Any:
    """do_commit: COMMIT goes with the writes still queued, in one round trip."""

    def do_commit(conn: Any) -> None:
        raw: Any = getattr(conn, "dbapi_connection", None)  # pool's connection, not psycopg's
        queue = conn.info.pop(_QUEUE, None) if raw is not None else None
        if queue == [_BEGIN]:
            return  # nothing was sent, nothing to commit
        if queue:  # psycopg's own commit would find no transaction begun yet
            try:
                _flush(raw, queue, None, ("COMMIT", None, False, None))
            except BaseException:
                # A queued write failed, so the server skipped the COMMIT: the transaction
                # is still open (aborted), and SQLAlchemy, which counts it as ended, will
                # not roll it back. End it here, then let the error through.
                with contextlib.suppress(Exception):
                    _ROLLBACK(raw)  # a lost version race too: keep the prepared statements
                raise
            return
        plain_commit(conn)
    return do_commit


def _deferrable(context: Any) -> bool:
    if context.execution_options.get(DEFER):
        return True
    compiled = context.compiled
    return bool(context.isinsert and compiled is not None
                and not getattr(compiled, "effective_returning", None))


def _send(cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> bool:
    """True if the statement was queued or sent here; False: SQLAlchemy sends it itself."""
    try:
        queue = context.root_connection.info.get(_QUEUE)
    except NotImplementedError:  # the dialect's first look at a new connection
        return False
    if queue is None:
        return False  # outside a transaction we opened: psycopg as usual
    if _deferrable(context):
        queue.append((statement, parameters, many, None))
        return True
    if not queue:
        return False
    if not parameters:  # perhaps several commands: psycopg sends those only outside a pipeline
        _flush(cursor.connection, queue, None, None)
        return False
    _flush(cursor.connection, queue, cursor, (statement, parameters, many, None))
    return True


def _flush(dbapi_conn: Any, queue: list[Item], cursor: Any, last: Item | None) -> None:
    """Send the queue, then `last` on `cursor` (whose results the caller reads), at once;
    runs of queued writes that may go together as one statement (engine/pg_fold.py)."""
    items = fold(queue) if FOLD_FITS and len(queue) > 2 else list(queue)
    queue.clear()  # sent, or (on an error) the transaction is lost anyway
    side = FoldCursor(dbapi_conn) if FOLD_FITS else dbapi_conn.cursor()
    with dbapi_conn.pipeline():
        for item in items:
            _run(side, item)
        if last is not None:
            _run(cursor or side, last)


def _run(cursor: Any, item: Item) -> None:
    statement, parameters, many, shape = item
    if shape is FOLDED:
        cursor.execute(statement, parameters, prepare=True)
    elif many:
        cursor.executemany(statement, parameters)
    elif parameters is None:
        cursor.execute(statement)
    else:
        cursor.execute(statement, parameters)
