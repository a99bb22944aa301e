"""pycamunda 0.6's task and filter calls against a real HTTP server."""

from __future__ import annotations

import pycamunda.filter
import pycamunda.task
import pytest
import requests

from tests.factories import deploy_fixture, open_tasks, start

pytestmark = pytest.mark.committed_db


def _as(request, username):
    request.auth = requests.auth.HTTPBasicAuth(username, "s3cret-pass")
    return request


@pytest.fixture
def task_id(uow_factory, user) -> str:
    user("wang", "province:11:reviewer")
    user("zhou", "province:11:reviewer")
    user("ops1", "ops")
    user("li", "province:12:reviewer")
    deploy_fixture(uow_factory, "review.bpmn")
    instance = start(uow_factory, "simple_review", province_code="11", review_due="")
    return str(open_tasks(uow_factory, instance.id)[0].id)


def test_pycamunda_task_people_comments_and_local_variables(server_url, task_id):
    url = server_url
    _as(pycamunda.task.Claim(url, task_id, user_id="wang"), "wang")()
    _as(pycamunda.task.Delegate(url, task_id, user_id="zhou"), "wang")()
    task = _as(pycamunda.task.Get(url, task_id), "zhou")()
    assert (task.assignee, task.owner, task.delegation_state) == ("zhou", "wang", "PENDING")
    resolve = _as(pycamunda.task.Resolve(url, task_id), "zhou")
    resolve.add_variable("checked", True, type_="Boolean")
    resolve()
    links = _as(pycamunda.task.IdentityLinksGetList(url, task_id), "wang")()
    assert {(link.type_, link.user_id, link.group_id) for link in links} == {
        ("assignee", "wang", None), ("owner", "wang", None),
        ("candidate", None, "province:11:reviewer")}
    _as(pycamunda.task.IdentityLinksAdd(url, task_id, type_="candidate", user_id="zhou"),
        "ops1")()
    _as(pycamunda.task.IdentityLinksDelete(url, task_id, type_="candidate",
                                           user_id="zhou"), "ops1")()
    made = _as(pycamunda.task.CommentCreate(url, task_id, message="请补充附件"), "wang")()
    assert made.user_id == "wang" and made.time is not None
    [listed] = _as(pycamunda.task.CommentGetList(url, task_id), "zhou")()
    assert listed.id_ == made.id_
    assert _as(pycamunda.task.CommentGet(url, task_id, made.id_), "zhou")().message == (
        "请补充附件")
    modify = _as(pycamunda.task.LocalVariablesModify(url, task_id), "wang")
    modify.add_variable("note", "本地", type_="String")
    modify.add_variable("count", 3, type_="Integer")
    modify()
    # (LocalVariablesUpdate is left out: pycamunda 0.6 sends a non-binary value as a
    # multipart upload, which Camunda refuses too)
    local = _as(pycamunda.task.LocalVariablesGetList(url, task_id), "wang")()
    assert {k: v.value for k, v in local.items()} == {"note": "本地", "count": 3}
    assert _as(pycamunda.task.LocalVariablesGet(url, task_id, "count"), "wang")().value == 3
    _as(pycamunda.task.LocalVariablesDelete(url, task_id, "count"), "wang")()
    assert set(_as(pycamunda.task.LocalVariablesGetList(url, task_id), "wang")()) == {"note"}
    assert _as(pycamunda.task.GetCountByCandidateGroup(url), "ops1")() == ()  # assigned
    _as(pycamunda.task.Unclaim(url, task_id), "wang")()
    [count] = _as(pycamunda.task.GetCountByCandidateGroup(url), "ops1")()
    assert (count.group_name, count.task_count) == ("province:11:reviewer", 1)
    with pytest.raises(pycamunda.PyCamundaException):  # li's province does not see it
        _as(pycamunda.task.Delegate(url, task_id, user_id="wang"), "li")()


def test_pycamunda_filters(server_url, task_id):
    url = server_url
    create = _as(pycamunda.filter.Create(url, name="省级待办"), "wang")
    create.add_user_criteria(candidate_group="province:11:reviewer")
    made = create()
    assert made.owner == "wang" and made.resource_type == "Task"
    [found] = _as(pycamunda.filter.GetList(url, item_count=True), "wang")()
    assert found.id_ == made.id_ and found.item_count == 1
    assert _as(pycamunda.filter.Count(url), "wang")() == 1
    assert _as(pycamunda.filter.Get(url, made.id_), "wang")().name == "省级待办"
    [task] = _as(pycamunda.filter.Execute(url, made.id_), "wang")()
    assert task.id_ == task_id
    assert _as(pycamunda.filter.Execute(url, made.id_, single_result=True),
               "wang")().id_ == task_id
    assert _as(pycamunda.filter.ExecuteCount(url, made.id_), "wang")() == 1
    _as(pycamunda.filter.Update(url, made.id_, name="我的待办"), "wang")()
    assert _as(pycamunda.filter.Get(url, made.id_), "wang")().name == "我的待办"
    assert _as(pycamunda.filter.GetList(url), "zhou")() == ()
    _as(pycamunda.filter.Delete(url, made.id_), "wang")()
    assert _as(pycamunda.filter.Count(url), "wang")() == 0
