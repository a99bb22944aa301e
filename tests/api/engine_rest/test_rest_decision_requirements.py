"""Camunda /decision-requirements-definition: one per deployed DMN file of several decisions
(as Camunda makes them), read as pycamunda's data class reads it; its historic statistics."""

from __future__ import annotations

import importlib

import pytest
from pycamunda.decisionreqdef import DecisionRequirementsDefinition
from sqlalchemy import delete

from engine.models import DecisionRequirements
from tests.api.engine_rest.test_rest_decisions import _deploy

R = "/engine-rest"
D = f"{R}/decision-requirements-definition"


def decisions_of(deployed):
    return {d["key"]: i for i, d in deployed["deployedDecisionDefinitions"].items()}


def _load(answer):
    return DecisionRequirementsDefinition.load(answer)


def test_a_file_of_several_decisions_is_a_drd_and_one_of_one_decision_is_not(
        client, designer, user):
    reader = user("reader", "province:11:reviewer")
    deployed = _deploy(client, designer, "dmn_drd.dmn", "dmn_collect.dmn")
    [listed] = client.get(D, headers=reader).json
    drd = _load(listed)
    assert (drd.key, drd.name, drd.version, drd.resource, drd.deployment_id, drd.tenant_id) == (
        "Definitions_DmnDrd", "菜单决策图", 1, "dmn_drd.dmn", deployed["id"], None)
    assert deployed["deployedDecisionRequirementsDefinitions"] == {drd.id_: listed}
    assert deployed["deployedDecisionDefinitions"][decisions_of(deployed)["dmn_drd_dish"]][
        "decisionRequirementsDefinitionId"] == drd.id_
    decisions = {d["key"]: d for d in client.get(f"{R}/decision-definition", headers=reader).json}
    for key in ("dmn_drd_season", "dmn_drd_dish"):
        assert decisions[key]["decisionRequirementsDefinitionId"] == drd.id_
        assert decisions[key]["decisionRequirementsDefinitionKey"] == drd.key
    assert decisions["dmn_collect"]["decisionRequirementsDefinitionId"] is None
    one = client.get(f"{R}/decision-definition/key/dmn_drd_dish", headers=reader).json
    assert one["decisionRequirementsDefinitionKey"] == "Definitions_DmnDrd"
    assert client.get(f"{D}/{drd.id_}", headers=reader).json == listed
    assert client.get(f"{D}/key/Definitions_DmnDrd", headers=reader).json == listed
    assert client.get(f"{D}/count", headers=reader).json == {"count": 1}
    xml = client.get(f"{D}/{drd.id_}/xml", headers=reader).json
    assert xml["id"] == drd.id_ and 'id="dmn_drd_season"' in xml["dmnXml"]
    assert xml == client.get(f"{D}/key/Definitions_DmnDrd/xml", headers=reader).json
    assert client.get(f"{D}/{drd.id_}/diagram", headers=reader).status_code == 204
    missing = client.get(f"{D}/key/Definitions_DmnCollect", headers=reader)
    assert missing.status_code == 404 and "Definitions_DmnCollect" in missing.json["message"]


def test_versions_tenants_filters_sorting_and_the_image(client, designer, user):
    reader = user("reader", "province:11:reviewer")
    first = _deploy(client, designer, "dmn_drd.dmn")
    second = _deploy(client, designer, "dmn_drd.dmn", "dmn_collect_aggregate.dmn",
                     tenant="t1", extra={"dmn_drd.png": b"\x89PNG drd"})
    rows = client.get(f"{D}?sortBy=version&sortOrder=desc&key=Definitions_DmnDrd",
                      headers=reader).json
    assert [(r["version"], r["deploymentId"], r["tenantId"]) for r in rows] == [
        (2, second["id"], "t1"), (1, first["id"], None)]
    asc = client.get(f"{D}?sortBy=version&sortOrder=asc&key=Definitions_DmnDrd",
                     headers=reader).json
    assert [r["version"] for r in asc] == [1, 2]
    latest = client.get(f"{D}?latestVersion=true", headers=reader).json
    assert sorted((r["key"], r["version"]) for r in latest) == [
        ("Definitions_DmnAggregate", 1), ("Definitions_DmnDrd", 2)]
    by_tenant = client.get(f"{D}/key/Definitions_DmnDrd/tenant-id/t1", headers=reader).json
    assert by_tenant["version"] == 2
    assert client.get(f"{D}?withoutTenantId=true", headers=reader).json[0]["version"] == 1
    assert [r["key"] for r in client.get(f"{D}?tenantIdIn=t1&sortBy=key&sortOrder=asc",
                                         headers=reader).json] == [
        "Definitions_DmnAggregate", "Definitions_DmnDrd"]
    assert client.get(f"{D}/count?nameLike=%25决策%25", headers=reader).json == {"count": 2}
    assert client.get(f"{D}?resourceName=dmn_collect_aggregate.dmn&maxResults=5",
                      headers=reader).json[0]["key"] == "Definitions_DmnAggregate"
    page = client.get(f"{D}?sortBy=key&sortOrder=asc&firstResult=1&maxResults=1",
                      headers=reader).json
    assert [r["key"] for r in page] == ["Definitions_DmnDrd"]
    image = client.get(f"{D}/key/Definitions_DmnDrd/tenant-id/t1/diagram", headers=reader)
    assert image.status_code == 200 and image.data == b"\x89PNG drd"
    assert client.get(f"{D}/key/Definitions_DmnDrd/diagram", headers=reader).data == (
        b"\x89PNG drd")
    assert client.get(f"{D}/key/Definitions_DmnDrd/tenant-id/t2",
                      headers=reader).status_code == 404


@pytest.mark.parametrize(("query", "named"), [
    ("category=x", "category"), ("versionTag=1", "versionTag"),
    ("sortBy=category&sortOrder=asc", "category"), ("version=abc", "version"),
    ("sortBy=key", "sortOrder")])
def test_unknown_or_bad_parameters_are_400_naming_them(client, designer, user, query, named):
    reader = user("reader", "province:11:reviewer")
    _deploy(client, designer, "dmn_drd.dmn")
    for url in (f"{D}?{query}", f"{D}/count?{query}"):
        bad = client.get(url, headers=reader)
        if url.startswith(f"{D}/count") and query.startswith("sortBy"):
            continue  # a count has no order; Camunda's /count takes no sortBy either
        assert bad.status_code == 400, (url, bad.json)
        assert bad.json["type"] == "InvalidRequestException"
        assert named in bad.json["message"]


def test_unauthenticated_is_401(client):
    assert client.get(D).status_code == 401


def test_statistics_count_the_evaluations_of_the_drds_decisions(client, designer, user, ops):
    reader = user("reader", "province:11:reviewer")
    _deploy(client, designer, "dmn_drd.dmn")
    dish = client.get(f"{R}/decision-definition/key/dmn_drd_dish", headers=reader).json
    for month in (7, 1):
        done = client.post(f"{R}/decision-definition/{dish['id']}/evaluate", headers=reader,
                           json={"variables": {"month": {"value": month, "type": "Integer"},
                                               "guests": {"value": 4, "type": "Integer"}}})
        assert done.status_code == 200, done.json
    drd = dish["decisionRequirementsDefinitionId"]
    url = f"{R}/history/decision-requirements-definition/{drd}/statistics"
    assert client.get(url, headers=reader).json == [
        {"decisionDefinitionKey": "dmn_drd_dish", "evaluations": 2},
        {"decisionDefinitionKey": "dmn_drd_season", "evaluations": 2}]
    # another reader evaluated nothing and sees none of the reader's REST evaluations
    other = user("other", "province:12:reviewer")
    assert client.get(url, headers=other).json == []
    assert len(client.get(url, headers=ops).json) == 2
    roots = client.get(f"{R}/history/decision-instance?rootDecisionInstancesOnly=true",
                       headers=reader).json
    one = client.get(f"{url}?decisionInstanceId={roots[0]['id']}", headers=reader).json
    assert [r["evaluations"] for r in one] == [1, 1]
    bad = client.get(f"{url}?firstResult=0", headers=reader)
    assert bad.status_code == 400 and "firstResult" in bad.json["message"]
    assert client.get(f"{R}/history/decision-requirements-definition/nope/statistics",
                      headers=reader).status_code == 404


def test_the_migration_makes_the_drds_of_files_deployed_before_it(client, designer, user,
                                                                  uow_factory):
    reader = user("reader", "province:11:reviewer")
    first = _deploy(client, designer, "dmn_drd.dmn", "dmn_collect.dmn")
    _deploy(client, designer, "dmn_drd.dmn")
    made = client.get(f"{D}?sortBy=version&sortOrder=asc", headers=reader).json
    migration = importlib.import_module(
        "engine.migrations.versions.0074_decision_requirements")
    with uow_factory() as uow:
        uow.session.execute(delete(DecisionRequirements))
        migration.backfill(uow.session.connection())
    again = client.get(f"{D}?sortBy=version&sortOrder=asc", headers=reader).json
    same = ("key", "name", "version", "resource", "deploymentId", "tenantId")
    assert [{k: r[k] for k in same} for r in again] == [{k: r[k] for k in same} for r in made]
    assert again[0]["deploymentId"] == first["id"] and len(again) == 2
    dish = client.get(f"{R}/decision-definition/key/dmn_drd_dish", headers=reader).json
    assert dish["decisionRequirementsDefinitionId"] == again[1]["id"]


def test_deleting_the_deployment_deletes_its_drd(client, designer, user):
    reader = user("reader", "province:11:reviewer")
    deployed = _deploy(client, designer, "dmn_drd.dmn")
    gone = client.delete(f"{R}/deployment/{deployed['id']}", headers=designer)
    assert gone.status_code == 204, gone.json
    assert client.get(f"{D}/count", headers=reader).json == {"count": 0}


def test_decisions_filter_by_their_drd(client, designer, user):
    reader = user("reader", "province:11:reviewer")
    _deploy(client, designer, "dmn_drd.dmn", "dmn_collect.dmn")
    [drd] = client.get(D, headers=reader).json
    url = f"{R}/decision-definition?sortBy=key&sortOrder=asc&"
    by_id = client.get(f"{url}decisionRequirementsDefinitionId={drd['id']}",
                       headers=reader).json
    assert [d["key"] for d in by_id] == ["dmn_drd_dish", "dmn_drd_season"]
    by_key = client.get(f"{url}decisionRequirementsDefinitionKey=Definitions_DmnDrd",
                        headers=reader).json
    assert by_key == by_id
    alone = client.get(f"{url}withoutDecisionRequirementsDefinition=true", headers=reader).json
    assert [d["key"] for d in alone] == ["dmn_collect"]
    assert client.get(f"{R}/decision-definition/count?decisionRequirementsDefinitionKey=nope",
                      headers=reader).json == {"count": 0}
