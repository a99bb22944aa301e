"""A psycopg cursor whose `description` is built only when somebody reads its columns.

psycopg builds `cursor.description` anew on every access: one `Column` per result column
(name decoded, type looked up), about seven Python calls each. SQLAlchemy reads it after
every statement, but for a statement it has run before (its compiled form keeps the result
metadata) it only asks whether it is None. The step's locking SELECT has 36 columns: about
250 Python calls, 25-30 us of a 1.5 ms PostgreSQL step, for a list nobody looks into. Here
`description` is a sequence of the same `Column`s, made from the result it was taken from
the first time an element or the list is read (so a later statement on the cursor does not
change it); its length and truth come from the result alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import psycopg
from psycopg.pq import ExecStatus

# The lazy description reads what psycopg.Column reads (cursor._encoding, .adapters,
# .pgresult); a psycopg release without them gets its own cursor, not a broken one.
LAZY_DESCRIPTIONS_FIT = all(hasattr(psycopg.Cursor, name)
                            for name in ("_encoding", "adapters", "pgresult"))

_ROWS = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK)


class _Taken:
    """What `psycopg.Column` reads from its cursor, as it was when the result came."""

    __slots__ = ("_encoding", "adapters", "pgresult")

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self.pgresult = cursor.pgresult
        self._encoding = cursor._encoding
        self.adapters = cursor.adapters


class Description(Sequence[psycopg.Column]):
    """cursor.description, its `Column`s made on first use."""

    __slots__ = ("_columns", "_taken")

    def __init__(self, taken: _Taken) -> None:
        self._taken = taken
        self._columns: list[psycopg.Column] | None = None

    def _made(self) -> list[psycopg.Column]:
        if self._columns is None:
            taken: Any = self._taken
            self._columns = [psycopg.Column(taken, i)
                             for i in range(self._taken.pgresult.nfields)]  # type: ignore[union-attr]
        return self._columns

    def __len__(self) -> int:
        return int(self._taken.pgresult.nfields)  # type: ignore[union-attr]

    @overload
    def __getitem__(self, index: int) -> psycopg.Column: ...

    @overload
    def __getitem__(self, index: slice) -> list[psycopg.Column]: ...

    def __getitem__(self, index: int | slice) -> psycopg.Column | list[psycopg.Column]:
        return self._made()[index]

    def __iter__(self) -> Iterator[psycopg.Column]:
        return iter(self._made())

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._made())


class LazyDescriptionCursor(psycopg.Cursor[Any]):
    """psycopg's client cursor, but `description` is a `Description` (None as before when
    the result has no columns)."""

    @property
    def description(self) -> Any:
        res = self.pgresult
        if res is None or not (res.nfields or res.status in _ROWS):
            return None
        return Description(_Taken(self))
