"""Camunda /process-definition and /deployment writes: tenant paths, suspend, delete, forms."""

from __future__ import annotations

import io
from pathlib import Path

from tests.factories import FIXTURES, start

R = "/engine-rest"
API_FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _deploy(client, headers, *paths, tenant=None, extra=None):
    data = {"deployment-name": "admin-test"}
    if tenant:
        data["tenant-id"] = tenant
    for path in paths:
        data[path.name] = (io.BytesIO(path.read_bytes()), path.name)
    for name, content in (extra or {}).items():
        data[name] = (io.BytesIO(content), name)
    response = client.post(f"{R}/deployment/create", data=data, headers=headers,
                           content_type="multipart/form-data")
    assert response.status_code == 200, response.json
    return response.json


def _review(client, designer, tenant=None):
    deployed = _deploy(client, designer, FIXTURES / "review.bpmn", tenant=tenant)
    [definition] = deployed["deployedProcessDefinitions"].values()
    return deployed, definition


def test_tenant_paths_answer_the_deployments_tenant_only(client, designer, ops, uow_factory):
    _, definition = _review(client, designer, tenant="t1")
    base = f"{R}/process-definition/key/simple_review/tenant-id"
    found = client.get(f"{base}/t1", headers=ops).json
    assert found["id"] == definition["id"] and found["tenantId"] == "t1"
    assert definition["tenantId"] == "t1"
    assert client.get(f"{R}/process-definition/key/simple_review",
                      headers=ops).json["tenantId"] == "t1"
    assert [d["tenantId"] for d in client.get(f"{R}/process-definition",
                                              headers=ops).json] == ["t1"]
    assert client.get(f"{R}/process-definition?tenantIdIn=t1,t3", headers=ops).json[0][
        "id"] == definition["id"]
    assert client.get(f"{R}/process-definition/count?withoutTenantId=true",
                      headers=ops).json == {"count": 0}
    assert client.get(f"{base}/t1/xml", headers=ops).json["id"] == definition["id"]
    started = client.post(f"{base}/t1/start", headers=ops, json={
        "variables": {"province_code": {"value": "11", "type": "String"},
                      "review_due": {"value": "", "type": "String"}}})
    assert started.status_code == 200 and started.json["definitionId"] == definition["id"]
    stats = client.get(f"{base}/t1/statistics", headers=ops).json
    assert stats == client.get(f"{R}/process-definition/key/simple_review/statistics",
                               headers=ops).json
    assert [s["id"] for s in stats] == ["Task_Review"] and stats[0]["instances"] == 1
    for path in ("", "/xml", "/startForm", "/diagram"):
        assert client.get(f"{base}/t2{path}", headers=ops).status_code == 404, path
    assert client.post(f"{base}/t2/start", headers=ops, json={}).status_code == 404
    assert client.get(f"{R}/process-definition/key/nope/statistics",
                      headers=ops).status_code == 404


def test_suspend_by_id_and_by_key_with_instances(client, designer, ops, uow_factory):
    _, definition = _review(client, designer)
    instance = start(uow_factory, "simple_review", province_code="11", review_due="")
    url = f"{R}/process-definition/{definition['id']}/suspended"
    body = {"suspended": True, "includeProcessInstances": True}
    assert client.put(url, headers=designer, json=body).status_code == 403
    assert client.put(url, headers=ops, json={**body, "executionDate": "2026-12-01T00:00:00"}
                      ).status_code == 400
    assert client.put(url, headers=ops, json=body).status_code == 204
    assert client.get(f"{R}/process-definition/{definition['id']}",
                      headers=ops).json["suspended"] is True
    assert client.get(f"{R}/process-instance/{instance.id}",
                      headers=ops).json["suspended"] is True
    refused = client.post(f"{R}/process-definition/key/simple_review/start", headers=ops,
                          json={})
    assert refused.status_code == 400 and "suspended" in refused.json["message"]
    by_key = client.put(f"{R}/process-definition/suspended", headers=ops, json={
        "processDefinitionKey": "simple_review", "suspended": False,
        "includeProcessInstances": True})
    assert by_key.status_code == 204
    assert client.get(f"{R}/process-instance/{instance.id}",
                      headers=ops).json["suspended"] is False
    only = client.put(f"{R}/process-definition/key/simple_review/suspended", headers=ops,
                      json={"suspended": True})
    assert only.status_code == 204
    assert client.get(f"{R}/process-instance/{instance.id}",
                      headers=ops).json["suspended"] is False
    assert client.get(f"{R}/process-definition?suspended=true", headers=ops).json[0][
        "id"] == definition["id"]
    assert [d["id"] for d in client.get(f"{R}/process-definition?version=1",
                                        headers=ops).json] == [definition["id"]]
    assert client.put(f"{R}/process-definition/suspended", headers=ops,
                      json={"suspended": True}).status_code == 400


def test_delete_refuses_instances_without_cascade_and_cascades(client, designer, ops, user,
                                                               uow_factory):
    both = user("both", "designer", "ops")
    _, definition = _review(client, designer)
    instance = start(uow_factory, "simple_review", province_code="11", review_due="")
    url = f"{R}/process-definition/{definition['id']}"
    refused = client.delete(url, headers=designer)
    assert refused.status_code == 400 and "cascade=true" in refused.json["message"]
    assert client.delete(url + "?cascade=true", headers=designer).status_code == 403
    assert client.delete(url + "?cascade=true", headers=ops).status_code == 403
    assert client.delete(url + "?cascade=maybe", headers=both).status_code == 400
    assert client.delete(url + "?colour=red", headers=both).status_code == 400
    assert client.delete(url + "?cascade=true&skipCustomListeners=true",
                         headers=both).status_code == 204
    assert client.get(url, headers=ops).status_code == 404
    assert client.get(f"{R}/process-instance/{instance.id}", headers=ops).status_code == 404
    assert client.get(f"{R}/history/process-instance/{instance.id}",
                      headers=ops).status_code == 404
    _deploy(client, designer, FIXTURES / "call_child.bpmn")
    assert client.delete(f"{R}/process-definition/key/call_child",
                         headers=designer).status_code == 204
    assert client.get(f"{R}/process-definition/key/call_child",
                      headers=designer).status_code == 404
    assert client.delete(f"{R}/process-definition/key/call_child",
                         headers=designer).status_code == 404


def test_deployments_delete_redeploy_and_registered(client, designer, ops, uow_factory):
    deployed, definition = _review(client, designer)
    again = client.post(f"{R}/deployment/{deployed['id']}/redeploy", headers=designer,
                        json={"source": "redeploy"})
    assert again.status_code == 200, again.json
    [second] = again.json["deployedProcessDefinitions"].values()
    assert second["version"] == definition["version"] + 1 and again.json["source"] == "redeploy"
    assert client.post(f"{R}/deployment/{deployed['id']}/redeploy", headers=ops,
                       json={}).status_code == 403
    missing = client.post(f"{R}/deployment/{deployed['id']}/redeploy", headers=designer,
                          json={"resourceNames": ["nope.bpmn"]})
    assert missing.status_code == 404 and "nope.bpmn" in missing.json["message"]
    registered = client.get(f"{R}/deployment/registered", headers=ops).json
    assert set(registered) == {deployed["id"], again.json["id"]}
    start(uow_factory, "simple_review", province_code="11", review_due="")
    refused = client.delete(f"{R}/deployment/{again.json['id']}", headers=designer)
    assert refused.status_code == 400
    assert client.delete(f"{R}/deployment/{deployed['id']}", headers=designer
                         ).status_code == 204
    assert client.get(f"{R}/deployment/{deployed['id']}", headers=ops).status_code == 404
    assert client.get(f"{R}/deployment/{deployed['id']}/resources",
                      headers=ops).status_code == 404
    assert client.get(f"{R}/process-definition/key/simple_review",
                      headers=ops).json["id"] == second["id"]
    assert client.delete(f"{R}/deployment/nope", headers=designer).status_code == 404


def test_start_forms_are_read_validated_and_served(client, designer, user):
    starter = user("starter", "ops")
    html = b"<form><input name='decision'></form>"
    _deploy(client, designer, API_FIXTURES / "start_form.bpmn",
            API_FIXTURES / "start_deployed_form.bpmn", FIXTURES / "review.bpmn",
            extra={"start_form.html": html})
    base = f"{R}/process-definition/key"
    assert client.get(f"{base}/start_form_review/startForm", headers=starter).json == {
        "key": "review_decision", "camundaFormRef": None, "contextPath": None}
    assert client.get(f"{base}/simple_review/startForm", headers=starter).json["key"] is None
    assert client.get(f"{base}/start_form_review/form-variables",
                      headers=starter).json == {}
    assert client.get(f"{base}/start_form_review/form-variables?x=1",
                      headers=starter).status_code == 400
    rendered = client.get(f"{base}/start_form_review/rendered-form", headers=starter)
    assert rendered.status_code == 404 and "rendered start form" in rendered.json["message"]
    served = client.get(f"{base}/start_deployed_form/deployed-start-form", headers=starter)
    assert served.status_code == 200 and served.data == html
    assert served.mimetype == "text/html"
    not_deployed = client.get(f"{base}/start_form_review/deployed-start-form",
                              headers=starter)
    assert not_deployed.status_code == 400 and "review_decision" in not_deployed.json[
        "message"]
    assert client.get(f"{base}/simple_review/deployed-start-form",
                      headers=starter).status_code == 400
    invalid = client.post(f"{base}/start_form_review/submit-form", headers=starter, json={
        "variables": {"decision": {"value": "maybe", "type": "String"}}})
    assert invalid.status_code == 400 and "decision" in invalid.json["message"]
    submitted = client.post(f"{base}/start_form_review/submit-form", headers=starter, json={
        "businessKey": "SF-1",
        "variables": {"decision": {"value": "approve", "type": "String"},
                      "score": {"value": 88, "type": "Integer"}}})
    assert submitted.status_code == 200, submitted.json
    assert submitted.json["businessKey"] == "SF-1"
    variables = client.get(f"{R}/process-instance/{submitted.json['id']}/variables",
                           headers=starter).json
    assert variables["decision"]["value"] == "approve" and variables["score"]["value"] == 88


def test_called_definitions_diagram_and_restart(client, designer, ops, user, uow_factory):
    both = user("both", "designer", "ops")
    _deploy(client, designer, FIXTURES / "call_child.bpmn")
    deployed = _deploy(client, designer, FIXTURES / "call_parent.bpmn",
                       extra={"call_parent.png": b"\x89PNG parent"})
    [parent] = deployed["deployedProcessDefinitions"].values()
    called = client.get(f"{R}/process-definition/{parent['id']}/"
                        "static-called-process-definitions", headers=ops).json
    assert [(c["key"], c["calledFromActivityIds"], c["callingProcessDefinitionId"])
            for c in called] == [("call_child", ["Call_Child"], parent["id"])]
    image = client.get(f"{R}/process-definition/{parent['id']}/diagram", headers=ops)
    assert image.status_code == 200 and image.data == b"\x89PNG parent"
    assert client.get(f"{R}/process-definition/key/call_child/diagram",
                      headers=ops).status_code == 204
    start(uow_factory, "call_parent")
    called_by = client.delete(f"{R}/process-definition/key/call_child?cascade=true",
                              headers=both)
    assert called_by.status_code == 400 and "call" in called_by.json["message"]
    for path in ("restart", "restart-async"):
        url = f"{R}/process-definition/{parent['id']}/{path}"
        refused = client.post(url, headers=ops, json={})
        assert refused.status_code == 400 and "not supported" in refused.json["message"]
        assert client.post(url, headers=designer, json={}).status_code == 403


def test_history_time_to_live_is_set_over_the_diagrams(client, designer, ops, user):
    reader = user("reader", "province:11:reviewer")
    _, definition = _review(client, designer)
    decision = _deploy(client, designer, FIXTURES / "dmn_collect.dmn")
    [dmn] = decision["deployedDecisionDefinitions"].values()
    url = f"{R}/process-definition/{definition['id']}"
    assert client.get(url, headers=reader).json["historyTimeToLive"] == 180
    assert client.put(url + "/history-time-to-live", headers=reader,
                      json={"historyTimeToLive": 30}).status_code == 403
    for bad in ({}, {"historyTimeToLive": "30"}, {"historyTimeToLive": -1}):
        assert client.put(url + "/history-time-to-live", headers=ops,
                          json=bad).status_code == 400, bad
    assert client.put(url + "/history-time-to-live", headers=ops,
                      json={"historyTimeToLive": 30}).status_code == 204
    assert client.get(url, headers=reader).json["historyTimeToLive"] == 30
    by_key = f"{R}/process-definition/key/simple_review/history-time-to-live"
    assert client.put(by_key, headers=designer,
                      json={"historyTimeToLive": None}).status_code == 204
    assert client.get(url, headers=reader).json["historyTimeToLive"] is None
    dmn_url = f"{R}/decision-definition/key/dmn_collect"
    assert client.get(dmn_url, headers=reader).json["historyTimeToLive"] is None
    assert client.put(f"{R}/decision-definition/{dmn['id']}/history-time-to-live",
                      headers=designer, json={"historyTimeToLive": 7}).status_code == 204
    assert client.get(dmn_url, headers=reader).json["historyTimeToLive"] == 7
    assert client.put(f"{dmn_url}/tenant-id/t9/history-time-to-live", headers=designer,
                      json={"historyTimeToLive": 7}).status_code == 404
