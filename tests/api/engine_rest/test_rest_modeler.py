"""Replay of Camunda Modeler's Deploy and Start requests, byte for byte in shape."""

from __future__ import annotations

import time

from tests.factories import FIXTURES

MODELER_HEADERS = {"accept": "application/json", "Origin": "null"}


def _modeler_multipart(name: str, content: bytes, *extra: tuple[str, str, bytes]) -> list:
    """The part order of CamundaAPI.deployDiagram: settings first, then one part per file."""
    parts = [
        ("deployment-name", (None, name.rsplit(".", 1)[0])),
        ("deployment-source", (None, "Camunda Modeler")),
        ("enable-duplicate-filtering", (None, "true")),
        (name, (name, content, "text/xml")),
    ]
    parts += [(part, (fname, data, "text/xml")) for part, fname, data in extra]
    return parts


def _encode(parts: list) -> tuple[bytes, str]:
    boundary = "----WebKitFormBoundaryVocFlowTest"
    chunks = []
    for part, (filename, *rest) in parts:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{part}"'
        if filename is None:
            chunks.append(f"{head}\r\n\r\n{rest[0]}\r\n".encode())
        else:
            chunks.append(f'{head}; filename="{filename}"\r\nContent-Type: {rest[1]}\r\n\r\n'
                          .encode() + rest[0] + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def deploy_like_modeler(client, headers, name="review.bpmn", content=None):
    content = content if content is not None else (FIXTURES / "review.bpmn").read_bytes()
    data, ctype = _encode(_modeler_multipart(name, content))
    return client.post("/engine-rest/deployment/create", data=data,
                       headers={**headers, **MODELER_HEADERS, "Content-Type": ctype})


def test_connection_check_asks_for_credentials_then_accepts_basic(client, designer, basic):
    first = client.get("/engine-rest/deployment?maxResults=0", headers=MODELER_HEADERS)
    assert first.status_code == 401
    assert first.headers["WWW-Authenticate"] == 'Basic realm="VocFlow"'
    assert first.headers["Access-Control-Allow-Origin"] == "null"
    assert first.json["type"] == "AuthenticationException"
    second = client.get("/engine-rest/deployment?maxResults=0",
                        headers={**designer, **MODELER_HEADERS})
    assert second.status_code == 200
    assert second.json == []
    wrong = client.get("/engine-rest/deployment?maxResults=0",
                       headers={**basic("designer1", "wrong"), **MODELER_HEADERS})
    assert wrong.status_code == 401


def test_cors_preflight_allows_the_modeler(client):
    response = client.options("/engine-rest/deployment/create", headers={
        "Origin": "null", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,accept"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "null"
    assert "authorization" in response.headers["Access-Control-Allow-Headers"]
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_version_and_alias(client, designer):
    assert client.get("/engine-rest/version").json == {"version": "7.22.0"}
    assert client.get("/rest/deployment?maxResults=0", headers=designer).status_code == 200


def test_deploy_then_start_like_the_modeler(client, user):
    designer = user("modeler", "designer", "province:11:admin")  # may start for province 11
    started = time.perf_counter()
    response = deploy_like_modeler(client, designer)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.json
    assert elapsed < 5.0
    body = response.json
    assert body["name"] == "review"
    assert body["source"] == "Camunda Modeler"
    assert body["links"][0]["href"].endswith(f"/engine-rest/deployment/{body['id']}")
    [(def_id, definition)] = body["deployedProcessDefinitions"].items()
    assert definition["id"] == def_id and definition["key"] == "simple_review"
    assert definition["version"] == 1 and definition["resource"] == "review.bpmn"
    count = client.get("/engine-rest/deployment/count", headers=designer).json
    assert count == {"count": 1}
    start = client.post(f"/engine-rest/process-definition/{def_id}/start", json={
        "businessKey": "BK-1", "variables": {
            "province_code": {"value": "11", "type": "String"},
            "review_due": {"value": "2026-12-15T23:59:00+08:00", "type": "String"}}},
        headers={**designer, **MODELER_HEADERS})
    assert start.status_code == 200, start.json
    assert start.json["definitionId"] == def_id
    assert start.json["businessKey"] == "BK-1"
    assert start.json["ended"] is False and start.json["suspended"] is False
    assert set(start.json) >= {"links", "id", "caseInstanceId", "tenantId"}


def test_unchanged_redeploy_returns_existing_deployment_with_definitions(client, designer):
    first = deploy_like_modeler(client, designer).json
    again = deploy_like_modeler(client, designer)
    assert again.status_code == 200
    assert again.json["id"] == first["id"]
    assert again.json["deployedProcessDefinitions"] == first["deployedProcessDefinitions"]


def test_bad_diagram_error_names_file_element_and_line(client, designer):
    content = (FIXTURES / "review.bpmn").read_bytes().replace(
        b"${approved &amp;&amp; score &gt;= 60}", b"${approved &amp;&amp; (score &gt;= }")
    response = deploy_like_modeler(client, designer, "broken.bpmn", content)
    assert response.status_code == 400
    body = response.json
    assert body["type"] == "ParseException"
    assert "broken.bpmn" in body["message"] and "Flow_Approve" in body["message"]
    assert "line" in body["message"]
    [error] = body["details"]["broken.bpmn"]["errors"]
    assert error["mainBpmnElementId"] == "Flow_Approve"
    assert error["line"] > 1 and f"line {error['line']}" in body["message"]


def test_deploy_needs_designer(client, user):
    response = deploy_like_modeler(client, user("clerk", "unit:U1"))
    assert response.status_code == 403
    assert response.json["type"] == "AuthorizationException"


def test_well_known_webapps_at_root(client):
    body = client.get("/.well-known/camunda-automation-platform/webapps").json
    assert body["cockpitUrl"].startswith("http://localhost/")
