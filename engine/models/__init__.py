"""SQLAlchemy 2 declarative tables; no queries, no commits. One module per area."""

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

__all__ = [
    "Base", "Deployment", "DeploymentResource", "Group", "HistoryEvent", "HumanTask",
    "Incident", "Job", "Membership", "ProcessDefinition", "ProcessInstance", "TaskCandidate",
    "User", "UtcDateTime",
]
