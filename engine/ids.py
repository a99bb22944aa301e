"""The Camunda ids of our runtime objects: activity instances, executions, variable instances.

One scheme for every door (/process-instance/{id}/activity-instances, /execution,
/variable-instance, /history/activity-instance, task and external-task DTOs):

- a process instance is its own root activity instance and its own execution (as Camunda);
- the activity instance of a BPMN element's SpiffWorkflow task is `{elementId}:{taskUuid}`
  (Camunda's form `activityId:uuid`); the task uuid is stable for the task's life, and
  history events and activity records carry both parts;
- the execution of a token (a waiting or working SpiffWorkflow task, or a subprocess scope)
  is `{processInstanceId}.{taskUuid}`: it names its instance, so it is found without a scan;
- a (process-wide) variable is `{processInstanceId}:{name}` (names are identifiers: no ':');
- a job definition (a timer of a diagram) is `{elementId}@{processDefinitionId}`.
"""

from __future__ import annotations


def activity_instance_id(element_id: str, task_id: str | None, instance_id: str = "") -> str:
    """The activity instance of one run of an element; the instance itself without a task."""
    return f"{element_id}:{task_id}" if task_id else instance_id


def task_of_activity_instance(activity_instance_id: str) -> str | None:
    """The SpiffWorkflow task uuid inside an activity instance id (None: the root)."""
    element, sep, task = activity_instance_id.rpartition(":")
    return task if sep and element and task else None


def execution_id(instance_id: str, task_id: str | None = None) -> str:
    """The instance's execution, or the execution of one token."""
    return f"{instance_id}.{task_id}" if task_id else instance_id


def instance_of_execution(execution_id: str) -> str:
    return execution_id.split(".", 1)[0]


def variable_instance_id(instance_id: str, name: str) -> str:
    return f"{instance_id}:{name}"


def split_variable_instance_id(variable_id: str) -> tuple[str, str] | None:
    """(instance id, variable name), or None when the id is not of our form."""
    instance_id, sep, name = variable_id.partition(":")
    return (instance_id, name) if sep and instance_id and name else None


def job_definition_id(definition_id: str | None, element_id: str | None) -> str | None:
    return f"{element_id}@{definition_id}" if element_id and definition_id else None


def split_job_definition_id(job_definition_id: str) -> tuple[str, str] | None:
    """(process definition id, element id), or None when the id is not of our form."""
    element_id, sep, definition_id = job_definition_id.partition("@")
    return (definition_id, element_id) if sep and element_id and definition_id else None
