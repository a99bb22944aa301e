"""Camunda's answers: error shape everywhere with CORS, runtime vs ended, /job, statistics."""

from __future__ import annotations

from tests.factories import deploy_fixture, start

R = "/engine-rest"


def test_unknown_routes_and_methods_answer_camundas_shape_with_cors(client, ops):
    for method, url, status in (("get", f"{R}/no-such-resource", 404),
                                ("get", "/rest/filter/abc/list", 404),
                                ("delete", f"{R}/version", 405),
                                ("get", f"{R}/process-definition/a/b/c/d", 404)):
        response = getattr(client, method)(url, headers={**ops, "Origin": "null"})
        assert response.status_code == status, (url, response.get_data(as_text=True))
        assert set(response.json) >= {"type", "message"} and "error" not in response.json
        assert response.headers["Access-Control-Allow-Origin"] == "null"
    assert client.get(f"{R}/no-such-resource").status_code == 404
    assert "error" in client.get("/api/v1/no-such-resource").json  # /api/v1 keeps its own


def test_job_lists_timers_only_and_external_task_count(client, uow_factory, ops):
    deploy_fixture(uow_factory, "rest_external.bpmn", "timer_duration.bpmn")
    external = start(uow_factory, "rest_external", province_code="11")
    [timer_key] = [d.key for d in deploy_fixture(uow_factory, "timer_duration.bpmn")]
    timed = start(uow_factory, timer_key)
    jobs = client.get(f"{R}/job", headers=ops).json
    assert [j["processInstanceId"] for j in jobs] == [timed.id]
    assert client.get(f"{R}/job/count", headers=ops).json == {"count": 1}
    tasks = client.get(f"{R}/external-task", headers=ops).json
    assert [t["processInstanceId"] for t in tasks] == [external.id]
    assert client.get(f"{R}/external-task/count", headers=ops).json == {"count": 1}
    assert client.get(f"{R}/external-task/count?topicName=other",
                      headers=ops).json == {"count": 0}


def test_definition_and_activity_statistics(client, uow_factory, ops):
    [definition] = deploy_fixture(uow_factory, "review.bpmn")
    for _ in range(2):
        start(uow_factory, "simple_review", province_code="11", review_due="")
    stats = client.get(f"{R}/process-definition/statistics?incidents=true",
                       headers=ops).json
    [entry] = stats
    assert entry["id"] == definition.id and entry["instances"] == 2
    assert entry["incidents"] == [] and entry["definition"]["key"] == "simple_review"
    activities = client.get(f"{R}/process-definition/{definition.id}/statistics",
                            headers=ops).json
    assert activities == [{"id": "Task_Review", "instances": 2, "failedJobs": 0,
                           "incidents": []}]
    assert client.get(f"{R}/process-definition/nope/statistics",
                      headers=ops).status_code == 404
