"""/history/decision-definition/cleanable-decision-instance-report(+/count): evaluations per
decision definition and those older than its history time to live."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import FIXTURES

R = "/engine-rest"
URL = f"{R}/history/decision-definition/cleanable-decision-instance-report"
T0 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def _deploy(client, headers) -> None:
    """dmn_drd with a 30-day camunda:historyTimeToLive on the season, as the Modeler writes."""
    dmn = (FIXTURES / "dmn_drd.dmn").read_text(encoding="utf-8").replace(
        '<decision id="dmn_drd_season" name="季节">',
        '<decision id="dmn_drd_season" name="季节" camunda:historyTimeToLive="30">')
    data = {"deployment-name": "decisions",
            "dmn_drd.dmn": (io.BytesIO(dmn.encode()), "dmn_drd.dmn"),
            "dmn_drd.bpmn": (io.BytesIO((FIXTURES / "dmn_drd.bpmn").read_bytes()),
                             "dmn_drd.bpmn")}
    answer = client.post(f"{R}/deployment/create", data=data, headers=headers,
                         content_type="multipart/form-data")
    assert answer.status_code == 200, answer.json


def _evaluate(client, headers, dish_id: str, month: int) -> None:
    answer = client.post(f"{R}/decision-definition/{dish_id}/evaluate", headers=headers,
                         json={"variables": {"month": {"value": month},
                                             "guests": {"value": 3}}})
    assert answer.status_code == 200, answer.json


@pytest.fixture
def dish(client, designer, ops) -> dict:
    """Two REST evaluations of the dish (each evaluates the season first), an hour apart;
    the dish keeps its history one day."""
    _deploy(client, designer)
    found = client.get(f"{R}/decision-definition/key/dmn_drd_dish", headers=ops).json
    assert client.put(f"{R}/decision-definition/{found['id']}/history-time-to-live",
                      json={"historyTimeToLive": 1}, headers=ops).status_code == 204
    with time_machine.travel(T0, tick=False) as traveller:
        _evaluate(client, ops, found["id"], 1)
        traveller.shift(timedelta(hours=1))
        _evaluate(client, ops, found["id"], 7)
    return dict(found)


def _rows(client, headers, query: str = "") -> list[tuple]:
    with time_machine.travel(T0 + timedelta(days=1, minutes=30), tick=False):
        answer = client.get(f"{URL}{query}", headers=headers)
    assert answer.status_code == 200, answer.json
    return [(r["decisionDefinitionKey"], r["historyTimeToLive"],
             r["finishedDecisionInstanceCount"], r["cleanableDecisionInstanceCount"])
            for r in answer.json]


def test_evaluations_past_the_time_to_live_are_cleanable(client, ops, dish):
    assert _rows(client, ops, "?sortBy=finished&sortOrder=asc") == [
        ("dmn_drd_dish", 1, 2, 1), ("dmn_drd_season", 30, 2, 0)]
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        [row] = client.get(f"{URL}?decisionDefinitionIdIn={dish['id']}", headers=ops).json
    assert row == {"decisionDefinitionId": dish["id"], "decisionDefinitionKey": "dmn_drd_dish",
                   "decisionDefinitionName": "菜", "decisionDefinitionVersion": 1,
                   "historyTimeToLive": 1, "finishedDecisionInstanceCount": 2,
                   "cleanableDecisionInstanceCount": 0, "tenantId": None}  # within the day
    assert _rows(client, ops, "?decisionDefinitionKeyIn=dmn_drd_season&withoutTenantId=true"
                 ) == [("dmn_drd_season", 30, 2, 0)]
    assert _rows(client, ops, "?tenantIdIn=t1") == []
    assert client.get(f"{URL}/count?compact=true", headers=ops).json == {"count": 2}
    assert client.get(f"{URL}?firstResult=1&maxResults=5", headers=ops).json[0][
        "decisionDefinitionKey"] == "dmn_drd_season"


def test_compact_leaves_out_decisions_never_evaluated(client, designer, ops):
    _deploy(client, designer)
    assert len(client.get(URL, headers=ops).json) == 2
    assert client.get(f"{URL}?compact=true", headers=ops).json == []
    assert client.get(f"{URL}/count?compact=true", headers=ops).json == {"count": 0}


def test_others_see_only_their_own_evaluations(client, user, dish):
    other = user("li", "province:44:reviewer")
    assert _rows(client, other) == [("dmn_drd_dish", 1, 0, 0), ("dmn_drd_season", 30, 0, 0)]


@pytest.mark.parametrize(("query", "word"), [
    ("?processDefinitionIdIn=x", "processDefinitionIdIn"), ("?compact=maybe", "compact"),
    ("?sortBy=key&sortOrder=asc", "sortBy"), ("?maxResults=-2", "maxResults")])
def test_bad_report_queries_are_400(client, ops, query, word):
    answer = client.get(f"{URL}{query}", headers=ops)
    assert answer.status_code == 400 and word in answer.json["message"], answer.json
