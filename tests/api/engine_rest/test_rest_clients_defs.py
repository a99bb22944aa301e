"""pycamunda against a real HTTP server: identity, decisions, definition and deployment writes."""

from __future__ import annotations

import pycamunda.decisiondef
import pycamunda.deployment
import pycamunda.group
import pycamunda.identity
import pycamunda.processdef
import pycamunda.tenant
import pycamunda.user
import pytest
import requests

from tests.api.engine_rest.conftest import PASSWORD
from tests.factories import FIXTURES

pytestmark = pytest.mark.committed_db
STRONG = "Kettle-Orbit-Lantern-93"


def _as(request, username, password=PASSWORD):
    request.auth = requests.auth.HTTPBasicAuth(username, password)
    return request


def test_pycamunda_manages_users_and_groups(server_url, user):  # noqa: F811
    user("root", "admin")
    user("wang", "province:11:reviewer")
    url = server_url
    create = pycamunda.user.Create(url, id_="chen", first_name="陈", last_name="明",
                                   email="chen@example.cn", password=STRONG)
    _as(create, "root")()
    profile = _as(pycamunda.user.GetProfile(url, id_="chen"), "root")()
    assert (profile.id_, profile.first_name, profile.email) == ("chen", "陈 明",
                                                                 "chen@example.cn")
    assert _as(pycamunda.user.Count(url, first_name_like="陈%"), "root")() == 1
    listed = _as(pycamunda.user.GetList(url, sort_by="id_", ascending=False), "root")()
    assert [u.id_ for u in listed] == ["wang", "root", "chen"]
    _as(pycamunda.user.UpdateProfile(url, id_="chen", new_user_id="chen", first_name="陈明",
                                     last_name="", email="c@example.cn"), "root")()
    _as(pycamunda.user.UpdateCredentials(url, id_="chen", password=STRONG + "!",
                                         authenticated_user_password=PASSWORD),
        "root")()
    _as(pycamunda.user.Unlock(url, id_="chen"), "root")()
    _as(pycamunda.group.Create(url, id_="ministry:KT02", name="KT02", type_=None), "root")()
    _as(pycamunda.group.MemberCreate(url, id_="ministry:KT02", user_id="chen"), "root")()
    group = _as(pycamunda.group.Get(url, id_="ministry:KT02"), "root")()
    assert (group.id_, group.name) == ("ministry:KT02", "KT02")
    _as(pycamunda.group.Update(url, id_="ministry:KT02", name="行业共同体", type_=None),
        "root")()
    mine = _as(pycamunda.group.GetList(url, member="chen"), "chen", STRONG + "!")()
    assert [(g.id_, g.name) for g in mine] == [("ministry:KT02", "行业共同体")]
    info = _as(pycamunda.identity.GetGroups(url, user_id="chen"), "chen", STRONG + "!")()
    assert [g.id_ for g in info.groups] == ["ministry:KT02"]
    assert [u.id_ for u in info.group_users] == ["chen"]
    verified = _as(pycamunda.identity.VerifyUser(url, username="chen", password="wrong"),
                   "root")()
    assert verified.authenticated is False and verified.user_id == "chen"
    with pytest.raises(pycamunda.PyCamundaException):
        _as(pycamunda.user.Delete(url, id_="chen"), "wang")()
    _as(pycamunda.group.MemberDelete(url, id_="ministry:KT02", user_id="chen"), "root")()
    _as(pycamunda.group.Delete(url, id_="ministry:KT02"), "root")()
    _as(pycamunda.user.Delete(url, id_="chen"), "root")()
    assert _as(pycamunda.user.Count(url), "root")() == 2
    assert _as(pycamunda.tenant.GetList(url, sort_by="name"), "root")() == ()


def test_pycamunda_evaluates_decisions_suspends_and_deletes(server_url, user):  # noqa: F811
    user("designer1", "designer", "ops")
    url = server_url
    create = _as(pycamunda.deployment.Create(url, name="dmn"), "designer1")
    with open(FIXTURES / "dmn_collect.dmn", "rb") as dmn, \
            open(FIXTURES / "call_child.bpmn", "rb") as bpmn:
        create.add_resource(dmn)
        create.add_resource(bpmn)
        deployment = create()
    [decision] = deployment.deployed_decision_definitions.values()
    found = _as(pycamunda.decisiondef.GetList(url, key="dmn_collect", latest_version=True),
                "designer1")()
    assert [d.id_ for d in found] == [decision.id_]
    assert _as(pycamunda.decisiondef.Count(url, key_like="dmn%"), "designer1")() == 1
    one = _as(pycamunda.decisiondef.Get(url, key="dmn_collect"), "designer1")()
    assert one.name == "通知对象"
    xml = _as(pycamunda.decisiondef.GetXML(url, id_=decision.id_), "designer1")()
    assert 'id="dmn_collect"' in xml
    evaluate = _as(pycamunda.decisiondef.Evaluate(url, key="dmn_collect"), "designer1")
    evaluate.add_variable("department", "hr", type_="String")
    results = evaluate()
    assert [r["group"].value for r in results] == ["office", "hr-staff"]
    _as(pycamunda.processdef.Suspend(url, key="call_child", include_process_instances=True),
        "designer1")()
    child = _as(pycamunda.processdef.Get(url, key="call_child"), "designer1")()
    assert child.suspended is True
    _as(pycamunda.processdef.Activate(url, id_=child.id_), "designer1")()
    assert _as(pycamunda.processdef.Get(url, id_=child.id_), "designer1")().suspended is False
    _as(pycamunda.processdef.UpdateHistoryTimeToLive(url, history_time_to_live=5,
                                                      key="call_child"), "designer1")()
    assert _as(pycamunda.processdef.Get(url, id_=child.id_),
               "designer1")().history_time_to_live == 5
    assert _as(pycamunda.processdef.GetProcessDiagram(url, id_=child.id_),
               "designer1")() == b""
    assert _as(pycamunda.decisiondef.GetDiagram(url, key="dmn_collect"), "designer1")() == b""
    _as(pycamunda.processdef.Delete(url, id_=child.id_, cascade=True), "designer1")()
    assert _as(pycamunda.processdef.Count(url, key="call_child"), "designer1")() == 0
    _as(pycamunda.deployment.Delete(url, id_=deployment.id_, cascade=True), "designer1")()
    assert _as(pycamunda.decisiondef.Count(url), "designer1")() == 0
