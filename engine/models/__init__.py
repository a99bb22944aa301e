"""SQLAlchemy 2 declarative tables; no queries, no commits. One module per area."""

from engine.models.activity import ActivityRecord as ActivityRecord
from engine.models.activity import HistoricActivity as HistoricActivity
from engine.models.auth import ApiToken as ApiToken
from engine.models.auth import SignInThrottle as SignInThrottle
from engine.models.core import (
    Base,
    Deployment,
    DeploymentResource,
    Group,
    HistoryEvent,
    HumanTask,
    Incident,
    Job,
    Membership,
    ProcessDefinition,
    ProcessInstance,
    TaskCandidate,
    User,
    UtcDateTime,
)
from engine.models.events import EventSubscription as EventSubscription
from engine.models.facts import InstanceFacts as InstanceFacts
from engine.models.facts import ProjectYear as ProjectYear
from engine.models.files import FileAttachment as FileAttachment
from engine.models.files import OutboxMessage as OutboxMessage
from engine.models.files import StoredFile as StoredFile
from engine.models.history import HistoricDecision as HistoricDecision
from engine.models.history import HistoricTask as HistoricTask
from engine.models.history import OperationAnnotation as OperationAnnotation
from engine.models.job_definitions import JobDefinitionSetting as JobDefinitionSetting
from engine.models.requirements import DecisionRequirements as DecisionRequirements
from engine.models.task_extras import TaskComment as TaskComment
from engine.models.task_extras import TaskDetail as TaskDetail
from engine.models.task_extras import TaskFilter as TaskFilter
from engine.models.units import Unit as Unit

__all__ = [
    "Base", "Deployment", "DeploymentResource", "Group", "HistoryEvent", "HumanTask",
    "Incident", "Job", "Membership", "ProcessDefinition", "ProcessInstance", "TaskCandidate",
    "User", "UtcDateTime",
]
