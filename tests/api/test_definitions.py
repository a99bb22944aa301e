"""/api/v1/definitions: list, one with XML, deploy (multipart, designers only), versions."""

from __future__ import annotations

import io

from tests.api.conftest import API_FIXTURES, assert_error, bearer
from tests.factories import FIXTURES, deploy_fixture

REVIEW = (FIXTURES / "review.bpmn").read_bytes()


def _files(*pairs):
    return {"files": [(io.BytesIO(content), name) for name, content in pairs]}


def test_designer_deploys_several_files_and_duplicates_are_filtered(client, uow_factory):
    headers = bearer(uow_factory, "des", "designer")
    timer = (API_FIXTURES / "api_timer.bpmn").read_bytes()
    data = {"name": "two", **_files(("review.bpmn", REVIEW), ("api_timer.bpmn", timer))}
    first = client.post("/api/v1/definitions", data=data, headers=headers,
                        content_type="multipart/form-data")
    assert first.status_code == 201, first.json
    assert sorted(d["key"] for d in first.json["definitions"]) == ["api_timer", "simple_review"]
    assert first.json["duplicate"] is False
    again = {"name": "two", **_files(("review.bpmn", REVIEW), ("api_timer.bpmn", timer))}
    second = client.post("/api/v1/definitions", data=again, headers=headers,
                         content_type="multipart/form-data")
    assert second.json["duplicate"] is True and second.json["id"] == first.json["id"]


def test_non_designer_gets_403_and_empty_upload_400(client, uow_factory):
    headers = bearer(uow_factory, "rev", "province:11:reviewer")
    refused = client.post("/api/v1/definitions", data=_files(("review.bpmn", REVIEW)),
                          headers=headers, content_type="multipart/form-data")
    assert_error(refused, 403, "forbidden")
    designer = bearer(uow_factory, "des", "designer")
    empty = client.post("/api/v1/definitions", data={"name": "x"}, headers=designer,
                        content_type="multipart/form-data")
    assert_error(empty, 400, "validation_failed")


def test_bad_bpmn_is_422_naming_the_problem(client, uow_factory):
    headers = bearer(uow_factory, "des", "designer")
    broken = REVIEW.replace(b"${approved &amp;&amp; score &gt;= 60}", b"${approved &amp;&amp;}")
    response = client.post("/api/v1/definitions", data=_files(("broken.bpmn", broken)),
                           headers=headers, content_type="multipart/form-data")
    error = assert_error(response, 422, "process_definition_error")
    assert "Flow_Approve" in error["message"]
    assert error["details"]["problems"]


def test_list_one_and_versions(client, uow_factory):
    deploy_fixture(uow_factory, "review.bpmn")
    headers = bearer(uow_factory, "any")
    listed = client.get("/api/v1/definitions", headers=headers).json
    assert [d["key"] for d in listed] == ["simple_review"]
    one = client.get("/api/v1/definitions/simple_review", headers=headers).json
    assert one["version"] == 1 and "<bpmn:definitions" in one["bpmn_xml"]
    by_id = client.get(f"/api/v1/definitions/{one['id']}", headers=headers)
    assert by_id.json["id"] == one["id"]
    versions = client.get("/api/v1/definitions/key/simple_review/versions", headers=headers)
    assert [v["version"] for v in versions.json] == [1]
    assert_error(client.get("/api/v1/definitions/nope", headers=headers), 404, "not_found")
    assert_error(client.get("/api/v1/definitions/key/nope/versions", headers=headers), 404)
    assert_error(client.get("/api/v1/definitions"), 401, "unauthenticated")
