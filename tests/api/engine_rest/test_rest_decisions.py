"""Camunda /decision-definition over deployed DMN: reads, XML, diagram, typed evaluation."""

from __future__ import annotations

import io

from tests.factories import FIXTURES

R = "/engine-rest"


def _deploy(client, headers, *names, tenant=None, extra=None):
    data = {"deployment-name": "decisions"}
    if tenant:
        data["tenant-id"] = tenant
    for name in names:
        data[name] = (io.BytesIO((FIXTURES / name).read_bytes()), name)
    for name, content in (extra or {}).items():
        data[name] = (io.BytesIO(content), name)
    response = client.post(f"{R}/deployment/create", data=data, headers=headers,
                           content_type="multipart/form-data")
    assert response.status_code == 200, response.json
    return response.json


def test_lists_reads_and_xml(client, designer, user):
    reader = user("reader", "province:11:reviewer")
    deployed = _deploy(client, designer, "dmn_drd.dmn", "dmn_collect.dmn")
    assert sorted(deployed["deployedDecisionDefinitions"]) == sorted(
        d["id"] for d in client.get(f"{R}/decision-definition", headers=reader).json)
    listed = client.get(f"{R}/decision-definition?sortBy=key&sortOrder=desc",
                        headers=reader).json
    assert [d["key"] for d in listed] == ["dmn_drd_season", "dmn_drd_dish", "dmn_collect"]
    assert listed[0]["resource"] == "dmn_drd.dmn" and listed[0]["version"] == 1
    assert client.get(f"{R}/decision-definition/count?keyLike=dmn_drd%25",
                      headers=reader).json == {"count": 2}
    one = client.get(f"{R}/decision-definition/key/dmn_collect", headers=reader).json
    assert one["name"] == "通知对象" and one["deploymentId"] == deployed["id"]
    assert client.get(f"{R}/decision-definition/{one['id']}", headers=reader).json == one
    xml = client.get(f"{R}/decision-definition/{one['id']}/xml", headers=reader).json
    assert xml["id"] == one["id"] and 'id="dmn_collect"' in xml["dmnXml"]
    assert client.get(f"{R}/decision-definition/key/nope", headers=reader).status_code == 404
    assert client.get(f"{R}/decision-definition/key/dmn_collect/diagram",
                      headers=reader).status_code == 204
    bad = client.get(f"{R}/decision-definition?versionTag=1", headers=reader)
    assert bad.status_code == 400 and "versionTag" in bad.json["message"]
    again = _deploy(client, designer, "dmn_collect.dmn",
                    extra={"dmn_collect.png": b"\x89PNG fake"})
    latest = client.get(f"{R}/decision-definition?latestVersion=true&key=dmn_collect",
                        headers=reader).json
    assert [d["version"] for d in latest] == [2]
    assert client.get(f"{R}/decision-definition?version=1", headers=reader).json[0][
        "version"] == 1
    image = client.get(f"{R}/decision-definition/key/dmn_collect/diagram", headers=reader)
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.data == b"\x89PNG fake"
    assert again["id"] != deployed["id"]


def test_evaluate_takes_typed_variables_and_answers_typed_results(client, designer, user):
    reader = user("reader", "province:11:reviewer")
    _deploy(client, designer, "dmn_drd.dmn", "dmn_collect.dmn")
    result = client.post(f"{R}/decision-definition/key/dmn_collect/evaluate", headers=reader,
                         json={"variables": {"department": {"value": "it", "type": "String"}}})
    assert result.status_code == 200, result.json
    assert result.json == [
        {"group": {"type": "String", "value": "it-staff", "valueInfo": {}},
         "mail": {"type": "Boolean", "value": True, "valueInfo": {}}},
        {"group": {"type": "String", "value": "office", "valueInfo": {}},
         "mail": {"type": "Boolean", "value": False, "valueInfo": {}}}]
    dish = client.get(f"{R}/decision-definition/key/dmn_drd_dish", headers=reader).json
    required = client.post(f"{R}/decision-definition/{dish['id']}/evaluate", headers=reader,
                           json={"variables": {"month": {"value": 7, "type": "Integer"},
                                               "guests": {"value": 4, "type": "Integer"}}})
    assert required.json == [{"dish": {"type": "String", "value": "salad for 4",
                                       "valueInfo": {}}}]
    failed = client.post(f"{R}/decision-definition/{dish['id']}/evaluate", headers=reader,
                         json={"variables": {"month": {"value": "x", "type": "String"}}})
    assert failed.status_code == 400 and "Cannot evaluate decision" in failed.json["message"]
    untyped = client.post(f"{R}/decision-definition/{dish['id']}/evaluate", headers=reader,
                          json={"variables": {"month": {"value": 1, "type": "Colour"}}})
    assert untyped.status_code == 400 and "month" in untyped.json["message"]


def test_tenant_paths_answer_only_the_deployments_tenant(client, designer):
    _deploy(client, designer, "dmn_collect.dmn", tenant="province-11")
    base = f"{R}/decision-definition/key/dmn_collect/tenant-id"
    found = client.get(f"{base}/province-11", headers=designer).json
    assert found["key"] == "dmn_collect" and found["tenantId"] == "province-11"
    assert client.get(f"{R}/decision-definition", headers=designer).json[0][
        "tenantId"] == "province-11"
    _deploy(client, designer, "dmn_drd.dmn")
    assert [d["key"] for d in client.get(f"{R}/decision-definition?tenantIdIn=province-11",
                                         headers=designer).json] == ["dmn_collect"]
    assert client.get(f"{R}/decision-definition/count?withoutTenantId=true",
                      headers=designer).json == {"count": 2}
    assert client.get(f"{base}/province-11/xml", headers=designer).json["id"] == found["id"]
    assert client.get(f"{base}/province-11/diagram", headers=designer).status_code == 204
    evaluated = client.post(f"{base}/province-11/evaluate", headers=designer, json={
        "variables": {"department": {"value": "hr", "type": "String"}}}).json
    assert [r["group"]["value"] for r in evaluated] == ["office", "hr-staff"]
    for path in ("", "/xml", "/diagram"):
        other = client.get(f"{base}/province-12{path}", headers=designer)
        assert other.status_code == 404 and "province-12" in other.json["message"], path
    assert client.post(f"{base}/province-12/evaluate", headers=designer,
                       json={}).status_code == 404
