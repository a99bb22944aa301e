"""Engine and session factories; SQLite pragmas and BEGIN IMMEDIATE for write units of work."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    """Create the SQLAlchemy engine; SQLite gets WAL, foreign keys and explicit BEGIN IMMEDIATE."""
    if database_url.startswith("sqlite"):
        return _make_sqlite_engine(database_url, **kwargs)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(database_url, **kwargs)


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
        # unit of work can then never fail half-way with SQLITE_BUSY.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

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
