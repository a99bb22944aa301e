"""Every query the engine runs: one repository class per aggregate, one module per area."""

from engine.repository import directory_queries as _directory_queries  # noqa: F401 - registers
from engine.repository.activity_history import (
    ActivityHistoryRepository,
    ActivityStatisticsRepository,
)
from engine.repository.base import Repository
from engine.repository.decision_history import DecisionHistoryRepository
from engine.repository.definitions import DefinitionRepository
from engine.repository.events import EventRepository
from engine.repository.facts import FactRepository
from engine.repository.filters import FilterRepository
from engine.repository.history_queries import USER_OPERATIONS
from engine.repository.inbox import InboxRepository
from engine.repository.instances import HistoryRepository, IncidentRepository, InstanceRepository
from engine.repository.job_definitions import JobDefinitionRepository
from engine.repository.jobs import JobRepository
from engine.repository.product import ProductRepository
from engine.repository.queries import Query, QueryRepository, StatisticsRepository
from engine.repository.removal_times import RemovalTimeRepository
from engine.repository.requirements import RequirementsRepository
from engine.repository.schema_log import SchemaLogRepository
from engine.repository.scopes import ScopeFilter, instance_scope_clause, task_scope_clause
from engine.repository.task_extras import TaskExtraRepository
from engine.repository.task_history import AnnotationRepository, TaskHistoryRepository
from engine.repository.tasks import TaskRepository
from engine.repository.users import UserRepository

__all__ = [
    "ActivityHistoryRepository", "ActivityStatisticsRepository", "AnnotationRepository",
    "DecisionHistoryRepository", "DefinitionRepository", "EventRepository", "FactRepository",
    "FilterRepository", "HistoryRepository", "InboxRepository", "IncidentRepository",
    "InstanceRepository", "JobDefinitionRepository", "JobRepository", "ProductRepository",
    "Query", "QueryRepository", "RemovalTimeRepository", "Repository",
    "RequirementsRepository", "SchemaLogRepository", "ScopeFilter",
    "StatisticsRepository", "TaskExtraRepository",
    "TaskHistoryRepository", "TaskRepository", "USER_OPERATIONS", "UserRepository",
    "instance_scope_clause", "task_scope_clause",
]
