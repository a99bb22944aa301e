"""pycamunda 0.6 against a real HTTP server: the runtime calls it has (activity instances,
modification, suspension, variable deletion, variable instances, incidents)."""

from __future__ import annotations

import pycamunda.incident
import pycamunda.processinst
import pycamunda.variable
import pytest
import requests

from tests.factories import deploy_fixture, start

pytestmark = pytest.mark.committed_db


def _as(request, username="ops1"):
    request.auth = requests.auth.HTTPBasicAuth(username, "s3cret-pass")
    return request


def test_pycamunda_tree_modify_suspend_and_variables(server_url, uow_factory, ops, user):
    deploy_fixture(uow_factory, "review.bpmn")
    instance_id = start(uow_factory, "simple_review", province_code="11", review_due="",
                        note="n", spare=1).id
    tree = _as(pycamunda.processinst.GetActivityInstance(server_url, instance_id))()
    [review] = tree.child_activity_instances
    assert review.activity_id == "Task_Review" and review.activity_type == "userTask"
    assert review.parent_activity_instance_id == instance_id
    modify = _as(pycamunda.processinst.Modify(server_url, instance_id,
                                              annotation="again"))
    modify.add_cancel_activity_instance_instruction(id_=review.id_)
    modify.add_before_activity_instruction(id_="Task_Review")
    modify()
    [again] = _as(pycamunda.processinst.GetActivityInstance(server_url, instance_id))(
        ).child_activity_instances
    assert again.activity_id == "Task_Review" and again.id_ != review.id_
    _as(pycamunda.processinst.Suspend(server_url, instance_id))()
    assert _as(pycamunda.processinst.Get(server_url, instance_id))().suspended is True
    _as(pycamunda.processinst.Activate(server_url, instance_id))()
    assert _as(pycamunda.processinst.Get(server_url, instance_id))().suspended is False
    _as(pycamunda.processinst.VariablesDelete(server_url, instance_id, "note"))()
    _as(pycamunda.processinst.VariablesModify(server_url, instance_id, deletions=["spare"]))()
    names = {v.name for v in _as(pycamunda.variable.GetList(
        server_url, process_instance_id_in=[instance_id]))()}
    assert "note" not in names and "spare" not in names and "province_code" in names
    one = _as(pycamunda.variable.Get(server_url, f"{instance_id}:province_code"))()
    assert one.value == "11" and one.process_instance_id == instance_id
    user("li", "province:44:reviewer")
    with pytest.raises(pycamunda.PyCamundaException):
        _as(pycamunda.processinst.GetActivityInstance(server_url, instance_id), "li")()


def test_pycamunda_incident_get_and_resolve(server_url, uow_factory, ops, user):
    deploy_fixture(uow_factory, "review.bpmn")
    instance_id = start(uow_factory, "simple_review", province_code="11", review_due="").id
    user("wang", "province:11:reviewer")
    session = requests.Session()
    session.auth = ("wang", "s3cret-pass")
    base = server_url
    [task] = session.get(f"{base}/task?processInstanceId={instance_id}").json()
    session.post(f"{base}/task/{task['id']}/complete",
                 json={"variables": {"approved": {"value": True, "type": "Boolean"}}})
    [listed] = _as(pycamunda.incident.GetList(server_url, process_instance_id=instance_id))()
    incident = _as(pycamunda.incident.Get(server_url, listed.id_))()
    assert incident.activity_id == "Gateway_Decision" and incident.process_instance_id == (
        instance_id)
    _as(pycamunda.incident.Resolve(server_url, listed.id_))()
    assert _as(pycamunda.incident.GetList(server_url, process_instance_id=instance_id))() == ()
