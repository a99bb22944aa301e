"""Response shapes (marshmallow dump schemas) and query/body shapes; no business rules."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

Str = fields.String
NStr = lambda **kw: fields.String(allow_none=True, **kw)  # noqa: E731 - a short alias
NDate = lambda **kw: fields.DateTime(allow_none=True, **kw)  # noqa: E731


class ErrorBody(Schema):
    code = Str(required=True)
    message = Str(required=True)
    details = fields.Raw()


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBody, required=True)


class DefinitionSchema(Schema):
    id = Str(required=True)
    kind = Str()
    key = Str(required=True)
    version = fields.Integer(required=True)
    name = NStr()
    resource_name = Str()
    deployment_id = Str()
    sha256 = Str()
    suspended = fields.Boolean()
    deployed_at = fields.DateTime()


class DefinitionDetailSchema(DefinitionSchema):
    bpmn_xml = Str(attribute="source_xml")


class DeploymentSchema(Schema):
    id = Str(required=True)
    name = Str()
    duplicate = fields.Boolean()
    definitions = fields.List(fields.Nested(DefinitionSchema))


class InstanceSchema(Schema):
    id = Str(required=True)
    definition_id = Str()
    process_key = Str()
    business_key = NStr()
    status = Str()
    province_code = NStr()
    key_task = NStr()
    unit_id = NStr()
    started_by = NStr()
    started_at = fields.DateTime()
    ended_at = NDate()
    stall_reason = NStr()


class InstancePageSchema(Schema):
    items = fields.List(fields.Nested(InstanceSchema), required=True)
    next_cursor = NStr()


class TaskSchema(Schema):
    id = Str(required=True)
    instance_id = Str()
    process_key = Str()
    element_id = Str()
    name = NStr()
    form_key = NStr()
    assignee = NStr()
    candidate_groups = fields.List(Str())
    candidate_users = fields.List(Str())
    due_at = NDate()
    follow_up_at = NDate()
    priority = fields.Integer()
    province_code = NStr()
    key_task = NStr()
    unit_id = NStr()
    created_at = fields.DateTime()


class TaskDetailSchema(TaskSchema):
    form_schema = fields.Dict(allow_none=True)
    data = fields.Dict()
    warnings = fields.List(fields.String(), metadata={
        "description": "what the person acting should know first (zh-CN), e.g. a credit "
                       "code that is already registered or pending twice"})


class TaskCountsSchema(Schema):
    mine = fields.Integer()
    claimable = fields.Integer()
    offered = fields.Integer()
    overdue = fields.Integer()


class IncidentSchema(Schema):
    id = Str(required=True)
    instance_id = Str()
    kind = Str()
    element_id = NStr()
    task_id = NStr()
    job_id = NStr()
    message = Str()
    line = fields.Integer(allow_none=True)
    error_line = NStr()
    created_at = fields.DateTime()
    resolved_at = NDate()
    resolved_by = NStr()
    resolution = NStr()


class IncidentDetailSchema(IncidentSchema):
    traceback = NStr()


class JobSchema(Schema):
    id = Str(required=True)
    kind = Str()
    instance_id = NStr()
    definition_id = NStr()
    task_id = NStr()
    element_id = NStr()
    topic = NStr()
    due_at = NDate()
    retries = fields.Integer(allow_none=True)
    attempts = fields.Integer()
    lock_owner = NStr()
    lock_expires_at = NDate()
    last_error = NStr()


class HistorySchema(Schema):
    id = fields.Integer()
    instance_id = NStr()
    at = fields.DateTime()
    actor = NStr()
    action = Str()
    element_id = NStr()
    task_id = NStr()
    data = fields.Dict()


class ActivitySchema(Schema):
    task_id = Str()
    element_id = Str()
    name = NStr()
    type = Str()
    state = Str()


class InstanceDetailSchema(InstanceSchema):
    activities = fields.List(fields.Nested(ActivitySchema))
    tasks = fields.List(fields.Nested(TaskSchema))
    incidents = fields.List(fields.Nested(IncidentSchema))
    jobs = fields.List(fields.Nested(JobSchema))
    variables = fields.Dict()


class VariablesSchema(Schema):
    variables = fields.Dict(required=True)


class UserSchema(Schema):
    username = Str(required=True)
    display_name = Str()
    email = NStr()
    is_active = fields.Boolean()
    supervisor = NStr()
    locked_until = NDate()
    failed_logins = fields.Integer()
    groups = fields.List(Str())


class GroupSchema(Schema):
    name = Str(required=True)
    display_name = Str()


class TokenSchema(Schema):
    id = fields.Integer(required=True)
    name = Str()
    username = Str()
    created_at = fields.DateTime()
    last_used_at = NDate()
    revoked_at = NDate()


class TokenCreatedSchema(TokenSchema):
    token = Str(required=True, metadata={"description": "shown once; store it now"})


def one_of(*choices: str) -> validate.OneOf:
    return validate.OneOf(choices)
