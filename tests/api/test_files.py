"""/api/v1/files: upload limits and types, scoped metadata and download; plan file ownership."""

from __future__ import annotations

import io

import pytest

from api import create_app
from engine import Settings, service
from engine.service import SYSTEM_ACTOR
from tests.api.conftest import assert_error, bearer
from tests.factories import FIXTURES, NOW, open_tasks, start

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
REVIEW = (FIXTURES / "review.bpmn").read_text(encoding="utf-8")
PLAN_PROCESS = (REVIEW.replace('id="simple_review"', 'id="plan_test"')
                .replace('camunda:formKey="simple_review"', 'camunda:formKey="plan_submission"')
                .replace("province:${province_code}:reviewer", "unit:${unit_id}"))


@pytest.fixture
def app(uow_factory, tmp_path):
    settings = Settings(secret_key="test-secret", file_dir=tmp_path / "files",
                        max_file_bytes=4096)
    return create_app(settings, uow_factory=uow_factory, testing=True)


def _upload(client, headers, name="方案 v1.pdf", content=PDF, owner=None):
    data = {"file": (io.BytesIO(content), name)}
    if owner:
        data["owner"] = owner
    return client.post("/api/v1/files", data=data, headers=headers,
                       content_type="multipart/form-data")


def test_upload_metadata_and_download_within_scope(client, uow_factory):
    u1 = bearer(uow_factory, "unit1", "unit:u1")
    up = _upload(client, u1, name="../../etc/方案<1>.pdf")
    assert up.status_code == 201, up.json
    ref = up.json
    assert set(ref) == {"file_id", "name", "size", "sha256"} and ref["size"] == len(PDF)
    meta = client.get(f"/api/v1/files/{ref['file_id']}", headers=u1)
    assert meta.json["owner"] == "unit:u1" and meta.json["mime_type"] == "application/pdf"
    assert meta.json["name"] == "方案_1_.pdf" and meta.json["uploaded_by"] == "unit1"
    body = client.get(f"/api/v1/files/{ref['file_id']}/content", headers=u1)
    assert body.status_code == 200 and body.data == PDF
    assert body.mimetype == "application/pdf"
    disposition = body.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="') and "/" not in disposition
    assert "filename*=UTF-8''%E6%96%B9%E6%A1%88_1_.pdf" in disposition
    ops = bearer(uow_factory, "ops1", "ops")
    assert client.get(f"/api/v1/files/{ref['file_id']}/content", headers=ops).data == PDF
    u2 = bearer(uow_factory, "unit2", "unit:u2")
    p44 = bearer(uow_factory, "p44", "province:44:reviewer")
    for headers in (u2, p44):
        assert_error(client.get(f"/api/v1/files/{ref['file_id']}", headers=headers), 404)
        assert_error(client.get(f"/api/v1/files/{ref['file_id']}/content", headers=headers),
                     404)
    assert_error(client.get("/api/v1/files/nope", headers=u1), 404)


def test_owner_rules(client, uow_factory):
    both = bearer(uow_factory, "both", "unit:u1", "unit:u2")
    assert_error(_upload(client, both), 400)  # two units: say which
    assert _upload(client, both, owner="unit:u2").status_code == 201
    assert_error(_upload(client, both, owner="unit:u3"), 403, "forbidden")
    p11 = bearer(uow_factory, "p11", "province:11:reviewer")
    assert _upload(client, p11, owner="province:11").status_code == 201
    nobody = bearer(uow_factory, "nobody")
    assert_error(_upload(client, nobody), 400)


def test_limits_and_content_types(client, uow_factory):
    u1 = bearer(uow_factory, "unit1", "unit:u1")
    assert _upload(client, u1, name="a.png", content=PNG).status_code == 201
    assert_error(_upload(client, u1, name="fake.pdf", content=PNG), 400)
    assert_error(_upload(client, u1, name="run.exe", content=b"MZ\x90\x00"), 400)
    assert_error(_upload(client, u1, content=b"%PDF-" + b"x" * 5000), 400)
    assert_error(_upload(client, u1, content=b""), 400)
    missing = client.post("/api/v1/files", data={}, headers=u1,
                          content_type="multipart/form-data")
    assert_error(missing, 422)
    assert_error(client.post("/api/v1/files", data={"file": (io.BytesIO(PDF), "a.pdf")},
                             content_type="multipart/form-data"), 401)


def _plan(ref):
    return {"key_task": "KT03", "project_name": "实践中心建设", "period_start_year": 2024,
            "period_end_year": 2025, "plan_file": ref, "evidence_files": [],
            "targets": [{"year": 2024, "indicator": "IND01", "target_value": 5, "unit": "个"},
                        {"year": 2025, "indicator": "IND01", "target_value": 8, "unit": "个"}]}


@pytest.mark.parametrize("api", ["v1", "engine-rest"])
def test_plan_submission_checks_file_ownership(client, uow_factory, api):
    with uow_factory() as uow:
        service.deploy(uow, {"plan.bpmn": PLAN_PROCESS.encode()}, SYSTEM_ACTOR, NOW)
    instance = start(uow_factory, "plan_test", unit_id="u1", province_code="11",
                     review_due="2026-12-15T23:59:00+08:00")
    [task] = open_tasks(uow_factory, instance.id)
    u1 = bearer(uow_factory, "unit1", "unit:u1")
    u2 = bearer(uow_factory, "unit2", "unit:u2")
    foreign = _upload(client, u2, name="u2.pdf").json
    own = _upload(client, u1, name="u1.pdf").json

    def complete(ref):
        if api == "v1":
            return client.post(f"/api/v1/tasks/{task.id}/complete",
                               json={"data": _plan(ref)}, headers=u1)
        return client.post(f"/engine-rest/task/{task.id}/complete", headers=u1, json={
            "variables": {k: {"value": v, "type": "Json" if isinstance(v, dict | list)
                              else None} for k, v in _plan(ref).items()}})

    refused = complete(foreign)
    assert refused.status_code in (400, 422), refused.get_data(as_text=True)
    assert "plan_file" in refused.get_data(as_text=True)
    assert complete(own).status_code in (200, 204)
    assert open_tasks(uow_factory, instance.id) == []
