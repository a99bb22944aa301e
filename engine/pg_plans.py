"""PostgreSQL: a ROLLBACK that keeps psycopg's prepared statements.

psycopg prepares a statement on the server after its fifth execution and forgets every one
of them on `rollback()` (it sends DEALLOCATE ALL and counts from zero again): after any
unit of work that failed (a 404, a 409, a 422, a failing job) each statement of the next
five steps runs unprepared, parsed and planned anew: 1.27 ms of server CPU for the step's
statements instead of 0.33 (docs/perf-issue-12.md, fifth round). Statements prepared by
the protocol's Parse are not transactional, so a ROLLBACK leaves them valid; psycopg drops
them to be safe after a rolled-back schema change, which only Alembic makes here, and
psycopg still drops them when it runs a DROP or ALTER. So the ROLLBACK is sent on libpq
itself, past psycopg's bookkeeping; anything unusual (a pipeline open, no transaction, an
error, a transaction in error) goes to psycopg's own rollback as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
from psycopg.pq import ExecStatus, TransactionStatus

# Only a transaction with no error: after one, the server skipped what the pipeline sent
# behind the failing statement (a Parse among it), so psycopg's cache may name statements
# the server never prepared; psycopg's own rollback forgets them all.
_OPEN = (TransactionStatus.INTRANS,)


def rollback_keeping_plans(plain_rollback: Callable[[Any], None]) -> Callable[[Any], None]:
    """A dialect `do_rollback` for psycopg connections."""

    def do_rollback(conn: Any) -> None:
        raw: Any = getattr(conn, "dbapi_connection", conn)
        pgconn = getattr(raw, "pgconn", None)
        if (pgconn is None or getattr(raw, "_pipeline", True) is not None
                or pgconn.transaction_status not in _OPEN):
            plain_rollback(conn)
            return
        try:
            done = pgconn.exec_(b"ROLLBACK").status == ExecStatus.COMMAND_OK
        except psycopg.Error:
            done = False
        if not done:
            plain_rollback(conn)  # psycopg raises what went wrong, or finishes the job

    return do_rollback
