"""Public Camunda 7 clients against a real HTTP server: pycamunda, external-task client."""

from __future__ import annotations

import warnings

import pycamunda.deployment
import pycamunda.externaltask
import pycamunda.processdef
import pycamunda.processinst
import pycamunda.task
import pytest
import requests

from tests.factories import FIXTURES

JS_FIXTURES = FIXTURES.parent / "api" / "engine_rest" / "fixtures"

with warnings.catch_warnings():  # the client's pydantic v1-style validators warn on import
    warnings.simplefilter("ignore", DeprecationWarning)
    from camunda.external_task.external_task_worker import ExternalTaskWorker

pytestmark = pytest.mark.committed_db


def _auth(request, username):
    request.auth = requests.auth.HTTPBasicAuth(username, "s3cret-pass")
    return request


def test_pycamunda_deploys_starts_lists_claims_completes_and_reads(server_url, user):
    user("designer1", "designer", "ops")
    user("wang", "province:11:reviewer")
    create = _auth(pycamunda.deployment.Create(server_url, name="review",
                                               source="pycamunda",
                                               enable_duplicate_filtering=True), "designer1")
    with open(FIXTURES / "review.bpmn", "rb") as bpmn_file:
        create.add_resource(bpmn_file)
        deployment = create()
    [definition] = deployment.deployed_process_definitions.values()
    assert definition.key == "simple_review"
    start = _auth(pycamunda.processdef.StartInstance(server_url, key="simple_review",
                                                     business_key="PC-1"), "designer1")
    start.add_variable("province_code", "11", type_="String")
    start.add_variable("review_due", "2026-12-15T23:59:00+08:00", type_="String")
    instance = start()
    assert instance.business_key == "PC-1" and instance.definition_id == definition.id_
    tasks = _auth(pycamunda.task.GetList(server_url, process_instance_id=instance.id_),
                  "wang")()
    [task] = tasks
    assert task.task_definition_key == "Task_Review"
    _auth(pycamunda.task.Claim(server_url, task.id_, user_id="wang"), "wang")()
    complete = _auth(pycamunda.task.Complete(server_url, task.id_), "wang")
    complete.add_variable("approved", True, type_="Boolean")
    complete.add_variable("score", 75, type_="Integer")
    complete()
    variables = _auth(pycamunda.processinst.VariablesGetList(server_url, instance.id_),
                      "designer1")()
    assert variables["result"].value == "approved"
    assert variables["score"].value == 75 and variables["score"].type_ == "Integer"
    found = _auth(pycamunda.processinst.GetList(server_url, business_key="PC-1"),
                  "designer1")()
    assert list(found) == []  # ended: no longer a runtime instance (Camunda keeps it in history)


def test_external_task_client_fetches_locks_and_completes(server_url, user):
    user("designer1", "designer", "ops", "worker")
    headers = {"Authorization": requests.auth._basic_auth_str("designer1", "s3cret-pass")}
    with open(FIXTURES / "rest_external.bpmn", "rb") as bpmn_file:
        deployed = requests.post(f"{server_url}/deployment/create", headers=headers,
                                 data={"deployment-name": "ext"},
                                 files={"rest_external.bpmn": bpmn_file}, timeout=10)
    assert deployed.status_code == 200, deployed.text
    started = requests.post(f"{server_url}/process-definition/key/rest_external/start",
                            headers=headers, timeout=10, json={"variables": {
                                "province_code": {"value": "11", "type": "String"},
                                "base": {"value": 4, "type": "Integer"}}}).json()
    worker = ExternalTaskWorker(worker_id="ext-worker-1", base_url=server_url, config={
        "auth_basic": {"username": "designer1", "password": "s3cret-pass"},
        "maxTasks": 1, "lockDuration": 10000, "asyncResponseTimeout": 0,
        "sleepSeconds": 0, "retries": 1, "retryTimeout": 100})
    seen = []

    def handle(task):
        seen.append((task.get_process_instance_id(), task.get_variable("base")))
        return task.complete({"score": task.get_variable("base") * 10})

    worker.fetch_and_execute("rest-score", handle)
    assert seen == [(started["id"], 4)]
    variables = requests.get(f"{server_url}/process-instance/{started['id']}/variables",
                             headers=headers, timeout=10).json()
    assert variables["score"]["value"] == 40
    tasks = requests.get(f"{server_url}/task?processInstanceId={started['id']}",
                         headers=headers, timeout=10).json()
    assert [t["taskDefinitionKey"] for t in tasks] == ["Task_Check"]


def _fetch(server_url, business_key=None):
    fetch = _auth(pycamunda.externaltask.FetchAndLock(server_url, worker_id="py-1",
                                                      max_tasks=1), "ops1")
    fetch.add_topic("js-check", lock_duration=10000)
    return list(fetch())


def test_pycamunda_external_task_protocol_and_statistics(server_url, user):
    user("ops1", "ops", "designer", "worker")
    create = _auth(pycamunda.deployment.Create(server_url, name="js"), "ops1")
    with open(JS_FIXTURES / "js_flow.bpmn", "rb") as bpmn_file:
        create.add_resource(bpmn_file)
        [definition] = create().deployed_process_definitions.values()
    deployment_id = definition.deployment_id
    [resource] = _auth(pycamunda.deployment.GetResources(server_url, deployment_id), "ops1")()
    assert resource.name == "js_flow.bpmn"
    one = _auth(pycamunda.deployment.GetResource(server_url, deployment_id, resource.id_),
                "ops1")()
    assert one.id_ == resource.id_
    data = _auth(pycamunda.deployment.GetResource(server_url, deployment_id, resource.id_,
                                                  binary=True), "ops1")()
    assert data == (JS_FIXTURES / "js_flow.bpmn").read_bytes()
    start = _auth(pycamunda.processdef.StartInstance(server_url, key="js_flow"), "ops1")
    first = start()
    [task] = _fetch(server_url)
    assert task.process_instance_id == first.id_ and task.retries is None
    _auth(pycamunda.externaltask.HandleBPMNError(server_url, task.id_, "py-1", "REJECTED",
                                                 "rejected"), "ops1")()
    tasks = _auth(pycamunda.task.GetList(server_url, process_instance_id=first.id_), "ops1")()
    assert [t.task_definition_key for t in tasks] == ["Task_Fix"]
    second = start()
    [task] = _fetch(server_url)
    _auth(pycamunda.externaltask.HandleFailure(server_url, task.id_, "py-1", "down",
                                               "trace", retries=0, retry_timeout=0), "ops1")()
    # pycamunda asks for errorDetails without credentials: that part is read by hand
    got = _auth(pycamunda.externaltask.Get(server_url, task.id_,
                                           request_error_details=False), "ops1")()
    assert got.retries == 0 and got.error_message == "down"
    details = requests.get(f"{server_url}/external-task/{task.id_}/errorDetails",
                           auth=("ops1", "s3cret-pass"), timeout=10)
    assert details.text == "trace"
    assert _fetch(server_url) == []  # no retries left: an incident, not fetchable
    stats = _auth(pycamunda.processdef.GetActivityInstanceStats(
        server_url, id_=definition.id_, incidents=True), "ops1")()
    by_activity = {s.id_: s for s in stats}
    assert by_activity["Task_Check"].instances == 1 and by_activity["Task_Fix"].instances == 1
    assert [i.incident_count for i in by_activity["Task_Check"].incidents] == [1]
    _auth(pycamunda.externaltask.SetRetries(server_url, task.id_, retries=2), "ops1")()
    _auth(pycamunda.externaltask.SetRetriesSync(server_url, retries=3,
                                                external_task_ids=[task.id_]), "ops1")()
    # pycamunda's Count sends no credentials either: its parameters, sent with them
    count = pycamunda.externaltask.Count(server_url, process_instance_id=second.id_)
    counted = requests.get(count.url, params=count.query_parameters(),
                           auth=("ops1", "s3cret-pass"), timeout=10)
    assert counted.json() == {"count": 1}, counted.text
    [again] = _fetch(server_url)
    assert again.id_ == task.id_ and again.retries == 3
    [overall] = _auth(pycamunda.processdef.GetProcessInstanceStats(server_url), "ops1")()
    assert overall.id_ == definition.id_ and overall.instances == 2
