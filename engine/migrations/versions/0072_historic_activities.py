"""Historic activity instances: every run of a BPMN activity, for /history/activity-instance.

A new table rather than more columns on activity_records: those rows are written only when
the engine prunes a finished task (in batches, long after its end), while an activity
instance row must exist from the step that starts the activity and be ended by the step
that ends it.

What ran before this revision is taken from what was kept: user tasks from historic_tasks
(start, end, assignee), the other runs pruned from the stored workflows from
activity_records (their end is known, their start is not: NULL; their Camunda type mapped
from the task spec's class). What a stored workflow still holds is taken when it is next
loaded (engine.bpmn.activity_log.seed).

Revision ID: 0072
Revises: 0071 (depends on 0008 and 0020, whose tables it reads)
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0072"
down_revision: str | Sequence[str] | None = "0071"
branch_labels: str | Sequence[str] | None = None
# it reads activity_records (0008) and historic_tasks (0020), on other branches until merged
depends_on: str | Sequence[str] | None = ("0008", "0020")

_TYPES = {
    "UserTask": "userTask", "ServiceTask": "serviceTask", "ScriptTask": "scriptTask",
    "BusinessRuleTask": "businessRuleTask", "DmnBusinessRuleTask": "businessRuleTask",
    "ManualTask": "manualTask", "SendTask": "sendTask", "ReceiveTask": "receiveTask",
    "NoneTask": "task", "SubWorkflowTask": "subProcess", "CallActivity": "callActivity",
    "TransactionSubprocess": "transaction", "StartEvent": "startEvent",
    "EndEvent": "noneEndEvent", "ExclusiveGateway": "exclusiveGateway",
    "ParallelGateway": "parallelGateway", "InclusiveGateway": "inclusiveGateway",
    "EventBasedGateway": "eventBasedGateway", "IntermediateCatchEvent": "intermediateCatchEvent",
    "IntermediateThrowEvent": "intermediateThrowEvent",
}
_CASE = "CASE type " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in _TYPES.items()) + \
    " ELSE type END"
_USER_TASKS = """
INSERT INTO historic_activities (id, instance_id, parent_id, execution_id, element_id, name,
    type, task_id, assignee, started_at, ended_at, duration_ms, canceled, complete_scope,
    occurrence)
SELECT element_id || ':' || task_id, instance_id, instance_id, instance_id || '.' || task_id,
    element_id, name, 'userTask', task_id, assignee, created_at, ended_at, {duration},
    COALESCE(end_reason = 'deleted', FALSE), FALSE, 0
FROM historic_tasks WHERE id = task_id
"""
_DURATION = {
    "postgresql": "CAST(EXTRACT(EPOCH FROM (ended_at - created_at)) * 1000 AS BIGINT)",
    "sqlite": "CAST(ROUND((julianday(ended_at) - julianday(created_at)) * 86400000) AS INTEGER)",
}
_PRUNED = f"""
INSERT INTO historic_activities (id, instance_id, parent_id, execution_id, element_id, name,
    type, task_id, started_at, ended_at, canceled, complete_scope, occurrence)
SELECT element_id || ':' || task_id, instance_id, instance_id,
    instance_id || '.' || task_id, element_id, name,
    {_CASE}, CASE type WHEN 'UserTask' THEN task_id END, NULL, MIN(ended_at),
    state = 'CANCELLED', FALSE, MIN(id)
FROM activity_records a
WHERE type NOT IN ('BoundaryEvent') AND state IN ('COMPLETED', 'CANCELLED')
  AND NOT EXISTS (SELECT 1 FROM historic_activities h
                  WHERE h.id = a.element_id || ':' || a.task_id)
GROUP BY element_id, task_id, instance_id, name, type, state
"""  # noqa: S608 - built from the constant table above


def upgrade() -> None:
    op.create_table(
        "historic_activities",
        sa.Column("id", sa.String(250), primary_key=True),
        sa.Column("instance_id", sa.String(36),
                  sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False),
        sa.Column("parent_id", sa.String(250)),
        sa.Column("execution_id", sa.String(80), nullable=False),
        sa.Column("element_id", sa.String(200), nullable=False),
        sa.Column("name", sa.String(400)),
        sa.Column("type", sa.String(60), nullable=False),
        sa.Column("task_id", sa.String(36)),
        sa.Column("assignee", sa.String(120)),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("duration_ms", sa.BigInteger()),
        sa.Column("canceled", sa.Boolean(), nullable=False),
        sa.Column("complete_scope", sa.Boolean(), nullable=False),
        sa.Column("occurrence", sa.BigInteger(), nullable=False),
    )
    for column in ("instance_id", "element_id", "started_at"):  # each costs every step
        op.create_index(f"ix_historic_activities_{column}", "historic_activities", [column])
    dialect = op.get_bind().dialect.name
    op.execute(_USER_TASKS.format(duration=_DURATION.get(dialect, "NULL")))
    op.execute(_PRUNED)


def downgrade() -> None:
    op.drop_table("historic_activities")
