"""Threat: a unit started a project in another province (its own unit_id, province 44).

A unit's unit_id and province_code come from its record, never from the request.
"""

from __future__ import annotations

import pytest

from engine.errors import Forbidden
from engine.models import Unit
from engine.service import Actor
from tests.api.conftest import bearer
from tests.factories import NOW, deploy_fixture, show, start

UNIT = Actor("unit1", frozenset({"unit:U1"}))


@pytest.fixture
def unit_record(uow_factory):
    with uow_factory() as uow:
        uow.product.add(Unit(id="U1", name="北京示范学院", credit_code="91110000MA01234567",
                             unit_type="school", province_code="11", created_at=NOW))


def test_province_comes_from_the_unit_record(uow_factory, unit_record):
    deploy_fixture(uow_factory, "review.bpmn")
    instance = start(uow_factory, "simple_review", actor=UNIT, province_code="44",
                     review_due="2026-12-20T12:00:00+08:00")
    assert (instance.unit_id, instance.province_code) == ("U1", "11")
    assert show(uow_factory, instance.id).variables["province_code"] == "11"


def test_a_unit_cannot_start_for_another_unit(uow_factory, unit_record):
    deploy_fixture(uow_factory, "review.bpmn")
    with pytest.raises(Forbidden, match="unit U2"):
        start(uow_factory, "simple_review", actor=UNIT, unit_id="U2")


def test_province_staff_start_only_in_their_province(uow_factory):
    deploy_fixture(uow_factory, "review.bpmn")
    staff = Actor("p11", frozenset({"province:11:reviewer"}))
    with pytest.raises(Forbidden, match="province 44"):
        start(uow_factory, "simple_review", actor=staff, province_code="44")


def test_over_the_api_the_request_cannot_choose_the_province(client, uow_factory,
                                                             unit_record):
    deploy_fixture(uow_factory, "review.bpmn")
    headers = bearer(uow_factory, "unit1", "unit:U1")
    answer = client.post("/api/v1/instances", headers=headers, json={
        "process": "simple_review", "variables": {"province_code": "44",
                                                  "review_due": "2026-12-20T12:00:00+08:00"}})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert (answer.json["unit_id"], answer.json["province_code"]) == ("U1", "11")
