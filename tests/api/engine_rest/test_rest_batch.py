"""/batch (runtime batches) and DELETE /history/batch/{id}: an -Async operation's batch is
finished when it answers, so it is never a runtime batch."""

from __future__ import annotations

import pycamunda.base
import pycamunda.batch
import pytest
import requests

from tests.factories import deploy_fixture, start

R = "/engine-rest"


def _async_batch(client, uow_factory, headers) -> dict:
    """Suspend one instance with suspended-async: the batch Camunda would run."""
    deploy_fixture(uow_factory, "review.bpmn")
    instance = start(uow_factory, "simple_review", business_key="B-1", province_code="11",
                     review_due="")
    answer = client.post(f"{R}/process-instance/suspended-async", headers=headers,
                         json={"processInstanceIds": [instance.id], "suspended": True})
    assert answer.status_code == 200 and answer.json["totalJobs"] == 1, answer.json
    assert client.get(f"{R}/process-instance/{instance.id}",
                      headers=headers).json["suspended"] is True  # done before the answer
    return dict(answer.json)


@pytest.mark.parametrize("path", ["/batch", "/batch/statistics"])
def test_a_finished_batch_is_not_listed(client, uow_factory, ops, path):
    batch = _async_batch(client, uow_factory, ops)
    for query in ("", f"?batchId={batch['id']}", "?type=instance-update-suspension-state"
                  "&suspended=false&withoutTenantId=true&createdBy=ops1"):
        assert client.get(f"{R}{path}{query}", headers=ops).json == []
        assert client.get(f"{R}{path}/count{query}", headers=ops).json == {"count": 0}
    paged = client.get(f"{R}{path}?sortBy=batchId&sortOrder=desc&firstResult=0&maxResults=5",
                       headers=ops)
    assert paged.status_code == 200 and paged.json == []


@pytest.mark.parametrize(("query", "word"), [
    ("?suspended=maybe", "suspended"), ("?startedBefore=yesterday", "startedBefore"),
    ("?sortBy=type&sortOrder=asc", "sortBy"), ("?maxResults=-1", "maxResults")])
def test_bad_batch_filters_are_400(client, ops, query, word):
    answer = client.get(f"{R}/batch{query}", headers=ops)
    assert answer.status_code == 400 and word in answer.json["message"], answer.json


def test_a_finished_batch_id_is_camundas_unknown_batch(client, uow_factory, ops):
    batch_id = _async_batch(client, uow_factory, ops)["id"]
    got = client.get(f"{R}/batch/{batch_id}", headers=ops)
    assert got.status_code == 404
    assert got.json["message"] == f"Batch with id '{batch_id}' does not exist"
    for action, call in (("suspend", lambda: client.put(
            f"{R}/batch/{batch_id}/suspended", json={"suspended": True}, headers=ops)),
                         ("activate", lambda: client.put(
            f"{R}/batch/{batch_id}/suspended", json={"suspended": False}, headers=ops)),
                         ("delete", lambda: client.delete(
            f"{R}/batch/{batch_id}?cascade=true", headers=ops))):
        answer = call()
        assert answer.status_code == 400, answer.json
        assert answer.json["message"].startswith(f"Unable to {action} batch with id "
                                                 f"'{batch_id}'")


def test_a_finished_batch_is_not_kept_in_history_either(client, uow_factory, ops):
    batch_id = _async_batch(client, uow_factory, ops)["id"]
    assert client.get(f"{R}/history/batch?batchId={batch_id}", headers=ops).json == []
    got = client.get(f"{R}/history/batch/{batch_id}", headers=ops)
    assert got.status_code == 404
    assert got.json["message"] == f"Historic batch with id '{batch_id}' does not exist"
    gone = client.delete(f"{R}/history/batch/{batch_id}", headers=ops)
    assert gone.status_code == 400
    assert gone.json["message"].startswith(f"Unable to delete historic batch with id "
                                           f"'{batch_id}'")


@pytest.mark.parametrize(("method", "path", "body"), [
    ("put", "/batch/b-1/suspended", {"suspended": True}), ("delete", "/batch/b-1", None),
    ("delete", "/history/batch/b-1", None)])
def test_changing_batches_is_for_ops(client, user, method, path, body):
    staff = user("staff1", "reviewer")
    answer = getattr(client, method)(f"{R}{path}", json=body, headers=staff)
    assert answer.status_code == 403 and answer.json["type"] == "AuthorizationException"


@pytest.mark.parametrize(("method", "path", "body", "word"), [
    ("put", "/batch/b-1/suspended", {}, "suspended"),
    ("put", "/batch/b-1/suspended", {"suspended": True, "cascade": 1}, "cascade"),
    ("delete", "/batch/b-1?cascade=sometimes", None, "cascade"),
    ("delete", "/batch/b-1?force=true", None, "force")])
def test_bad_batch_changes_are_400(client, ops, method, path, body, word):
    answer = getattr(client, method)(f"{R}{path}", json=body, headers=ops)
    assert answer.status_code == 400 and word in answer.json["message"], answer.json


@pytest.mark.committed_db
def test_pycamunda_sees_no_runtime_batch(server_url, client, uow_factory, ops):
    batch_id = _async_batch(client, uow_factory, ops)["id"]
    auth = requests.auth.HTTPBasicAuth("ops1", "s3cret-pass")
    calls = [pycamunda.batch.GetList(server_url, type_="instance-update-suspension-state",
                                     suspended=True, sort_by="batch_id", ascending=False),
             pycamunda.batch.Count(server_url, batch_id=batch_id),
             pycamunda.batch.GetStats(server_url, batch_id=batch_id),
             pycamunda.batch.CountStats(server_url, without_tenant_id=True)]
    for call in calls:
        call.auth = auth
    assert [call() for call in calls] == [(), 0, (), 0]
    for call in (pycamunda.batch.Get(server_url, batch_id),
                 pycamunda.batch.Suspend(server_url, batch_id),
                 pycamunda.batch.Delete(server_url, batch_id, cascade=True)):
        call.auth = auth
        with pytest.raises(pycamunda.PyCamundaException):
            call()
