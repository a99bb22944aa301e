"""Threat: messages and signals had no scope check; a message start bypassed start rules.

Correlating needs `messenger` (or `worker`, ops); it reaches only instances in the caller's
scope, and a message start obeys the rules of a direct start.
"""

from __future__ import annotations

import pytest

from engine import service
from engine.errors import Forbidden, MessageNotCorrelated
from engine.service import SYSTEM_ACTOR, Actor
from tests.factories import NOW, deploy_fixture, show, start

MESSENGER_11 = Actor("m11", frozenset({"messenger", "province:11:reviewer"}))


def _correlate(uow_factory, actor, **kwargs):
    with uow_factory() as uow:
        return service.correlate_message(uow, "reply_received", actor, NOW, **kwargs)


def test_correlating_needs_a_permission(uow_factory):
    deploy_fixture(uow_factory, "msg_wait.bpmn")
    waiting = start(uow_factory, "msg_wait", province_code="11")
    for actor in (Actor("unit", frozenset({"unit:U11"})),
                  Actor("p11", frozenset({"province:11:reviewer"}))):
        with pytest.raises(Forbidden, match="messenger"):
            _correlate(uow_factory, actor, process_instance_id=waiting.id)
    assert _correlate(uow_factory, MESSENGER_11, process_instance_id=waiting.id,
                      variables={"ok": True}) == [waiting.id]


def test_a_foreign_instance_is_out_of_reach_and_unchanged(uow_factory):
    deploy_fixture(uow_factory, "msg_wait.bpmn")
    foreign = start(uow_factory, "msg_wait", province_code="44")
    with pytest.raises(MessageNotCorrelated):
        _correlate(uow_factory, MESSENGER_11, process_instance_id=foreign.id,
                   variables={"province_code": "11", "hacked": True})
    detail = show(uow_factory, foreign.id)
    assert detail.instance.status == "running"
    assert "hacked" not in detail.variables and detail.variables["province_code"] == "44"
    assert _correlate(uow_factory, SYSTEM_ACTOR, process_instance_id=foreign.id) == [
        foreign.id]


def test_signals_reach_only_instances_in_scope(uow_factory):
    deploy_fixture(uow_factory, "signal_wait.bpmn")
    own = start(uow_factory, "signal_wait", province_code="11")
    foreign = start(uow_factory, "signal_wait", province_code="44")
    with pytest.raises(Forbidden), uow_factory() as uow:
        service.broadcast_signal(uow, "window_open", Actor("u", frozenset({"unit:U1"})), NOW)
    with uow_factory() as uow:
        reached = service.broadcast_signal(uow, "window_open", MESSENGER_11, NOW)
    assert reached == [own.id]
    assert show(uow_factory, foreign.id).instance.status == "running"


def test_a_message_start_obeys_the_start_rules(uow_factory):
    deploy_fixture(uow_factory, "msg_start.bpmn")
    unit = Actor("unit1", frozenset({"unit:U1", "messenger"}))
    with pytest.raises(Forbidden, match="unit U2"), uow_factory() as uow:
        service.correlate_message(uow, "application_filed", unit, NOW,
                                  variables={"unit_id": "U2"})
    with uow_factory() as uow:
        [started] = service.correlate_message(uow, "application_filed", unit, NOW)
    assert show(uow_factory, started).variables["unit_id"] == "U1"


def test_over_engine_rest_message_and_signal_are_checked(client, user, uow_factory):
    deploy_fixture(uow_factory, "msg_wait.bpmn", "signal_wait.bpmn")
    foreign = start(uow_factory, "msg_wait", province_code="44")
    unit = user("unit11", "unit:U11")
    messenger = user("m11", "messenger", "province:11:reviewer")
    body = {"messageName": "reply_received", "processInstanceId": foreign.id,
            "processVariables": {"hacked": {"value": True, "type": "Boolean"}}}
    assert client.post("/engine-rest/message", json=body, headers=unit).status_code == 403
    refused = client.post("/engine-rest/message", json=body, headers=messenger)
    assert refused.status_code == 400, refused.get_data(as_text=True)
    assert "hacked" not in show(uow_factory, foreign.id).variables
    signal = client.post("/engine-rest/signal", json={"name": "window_open"}, headers=unit)
    assert signal.status_code == 403
