"""UnitOfWork: one Session, one transaction, the repositories, after-commit hooks."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from engine.db import is_stale_version
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
    JobDefinitionRepository,
    JobRepository,
    ProductRepository,
    QueryRepository,
    RemovalTimeRepository,
    RequirementsRepository,
    SchemaLogRepository,
    StatisticsRepository,
    TaskExtraRepository,
    TaskHistoryRepository,
    TaskRepository,
    UserRepository,
)

_REPOSITORIES: dict[str, type] = {
    "instances": InstanceRepository, "definitions": DefinitionRepository,
    "tasks": TaskRepository, "task_history": TaskHistoryRepository,
    "activity_history": ActivityHistoryRepository,
    "activity_statistics": ActivityStatisticsRepository,
    "decision_history": DecisionHistoryRepository,
    "annotations": AnnotationRepository, "jobs": JobRepository,
    "incidents": IncidentRepository, "history": HistoryRepository, "users": UserRepository,
    "events": EventRepository, "facts": FactRepository, "inbox": InboxRepository,
    "product": ProductRepository, "queries": QueryRepository,
    "statistics": StatisticsRepository, "task_extras": TaskExtraRepository,
    "filters": FilterRepository, "requirements": RequirementsRepository,
    "job_definitions": JobDefinitionRepository, "schema_log": SchemaLogRepository,
    "removal_times": RemovalTimeRepository,
}


class UnitOfWork:
    """Use as `with uow_factory() as uow:`; commits on a clean exit, rolls back otherwise.

    A repository is made the first time the unit of work is asked for it: a step uses a few
    of the twenty."""

    instances: InstanceRepository
    definitions: DefinitionRepository
    tasks: TaskRepository
    task_history: TaskHistoryRepository
    activity_history: ActivityHistoryRepository
    activity_statistics: ActivityStatisticsRepository
    decision_history: DecisionHistoryRepository
    annotations: AnnotationRepository
    jobs: JobRepository
    incidents: IncidentRepository
    history: HistoryRepository
    users: UserRepository
    events: EventRepository
    facts: FactRepository
    inbox: InboxRepository
    product: ProductRepository
    queries: QueryRepository
    statistics: StatisticsRepository
    task_extras: TaskExtraRepository
    filters: FilterRepository
    requirements: RequirementsRepository
    job_definitions: JobDefinitionRepository
    schema_log: SchemaLogRepository
    removal_times: RemovalTimeRepository

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self._after_commit: list[Callable[[], None]] = []

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self.session.begin()
        self._dialect = self.session.get_bind().dialect.name
        return self

    def __getattr__(self, name: str) -> Any:
        """A repository on first use (only names missing from the instance come here)."""
        repository = _REPOSITORIES.get(name)
        if repository is None or "session" not in self.__dict__:
            raise AttributeError(name)
        made = repository(self.session, self._dialect)
        setattr(self, name, made)
        return made

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                try:
                    history = self.__dict__.get("history")
                    if history is not None:
                        history.write_waiting()  # the events still waiting, in one INSERT
                    self.session.commit()
                except StaleDataError as stale:
                    self.session.rollback()
                    raise _conflict() from stale
                except DBAPIError as error:
                    if not is_stale_version(error):
                        raise
                    self.session.rollback()
                    raise _conflict() from error
            else:
                self.session.rollback()
                if isinstance(exc, DBAPIError) and is_stale_version(exc):
                    raise _conflict() from exc  # carried by a later statement of the block
        finally:
            self.session.close()
        if exc_type is None:
            for hook in self._after_commit:
                hook()

    def flush(self) -> None:
        try:
            self.session.flush()
        except StaleDataError as stale:
            raise _conflict() from stale
        except DBAPIError as error:
            if is_stale_version(error):
                raise _conflict() from error
            raise

    def after_commit(self, hook: Callable[[], None]) -> None:
        """Queue work (mail, HTTP, handlers) to run only once the transaction is durable."""
        self._after_commit.append(hook)


def _conflict() -> ConcurrencyConflict:
    return ConcurrencyConflict("another change to this instance was saved first; reload and retry")


UowFactory = Callable[[], UnitOfWork]


def make_uow_factory(session_factory: sessionmaker[Session]) -> UowFactory:
    return lambda: UnitOfWork(session_factory)
