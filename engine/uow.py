"""UnitOfWork: one Session, one transaction, the repositories, after-commit hooks."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from engine.errors import ConcurrencyConflict
from engine.repository import (
    ActivityHistoryRepository,
    ActivityStatisticsRepository,
    AnnotationRepository,
    DecisionHistoryRepository,
    DefinitionRepository,
    EventRepository,
    FactRepository,
    FilterRepository,
    HistoryRepository,
    InboxRepository,
    IncidentRepository,
    InstanceRepository,
    JobRepository,
    ProductRepository,
    QueryRepository,
    StatisticsRepository,
    TaskExtraRepository,
    TaskHistoryRepository,
    TaskRepository,
    UserRepository,
)


class UnitOfWork:
    """Use as `with uow_factory() as uow:`; commits on a clean exit, rolls back otherwise."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self._after_commit: list[Callable[[], None]] = []

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self.session.begin()
        dialect = self.session.get_bind().dialect.name
        self.instances = InstanceRepository(self.session, dialect)
        self.definitions = DefinitionRepository(self.session, dialect)
        self.tasks = TaskRepository(self.session, dialect)
        self.task_history = TaskHistoryRepository(self.session, dialect)
        self.activity_history = ActivityHistoryRepository(self.session, dialect)
        self.activity_statistics = ActivityStatisticsRepository(self.session, dialect)
        self.decision_history = DecisionHistoryRepository(self.session, dialect)
        self.annotations = AnnotationRepository(self.session, dialect)
        self.jobs = JobRepository(self.session, dialect)
        self.incidents = IncidentRepository(self.session, dialect)
        self.history = HistoryRepository(self.session, dialect)
        self.users = UserRepository(self.session, dialect)
        self.events = EventRepository(self.session, dialect)
        self.facts = FactRepository(self.session, dialect)
        self.inbox = InboxRepository(self.session, dialect)
        self.product = ProductRepository(self.session, dialect)
        self.queries = QueryRepository(self.session, dialect)
        self.statistics = StatisticsRepository(self.session, dialect)
        self.task_extras = TaskExtraRepository(self.session, dialect)
        self.filters = FilterRepository(self.session, dialect)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                try:
                    self.session.commit()
                except StaleDataError as stale:
                    self.session.rollback()
                    raise ConcurrencyConflict(
                        "another change to this instance was saved first; reload and retry"
                    ) from stale
            else:
                self.session.rollback()
        finally:
            self.session.close()
        if exc_type is None:
            for hook in self._after_commit:
                hook()

    def flush(self) -> None:
        try:
            self.session.flush()
        except StaleDataError as stale:
            raise ConcurrencyConflict(
                "another change to this instance was saved first; reload and retry"
            ) from stale

    def after_commit(self, hook: Callable[[], None]) -> None:
        """Queue work (mail, HTTP, handlers) to run only once the transaction is durable."""
        self._after_commit.append(hook)


UowFactory = Callable[[], UnitOfWork]


def make_uow_factory(session_factory: sessionmaker[Session]) -> UowFactory:
    return lambda: UnitOfWork(session_factory)
