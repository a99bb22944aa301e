"""Threat: a file could be read by naming its id in a variable of one's own instance.

A file is readable by its owner's scope, and through an instance only when a task of that
instance attached it.
"""

from __future__ import annotations

from engine import files, service
from engine.config import Settings
from engine.errors import NotFound
from engine.service import SYSTEM_ACTOR, Actor
from tests.api.test_files import PLAN_PROCESS, _plan
from tests.factories import NOW, open_tasks, start

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
UNIT_A = Actor("a", frozenset({"unit:UA"}))
UNIT_B = Actor("b", frozenset({"unit:UB"}))
PROVINCE = Actor("p11", frozenset({"province:11:reviewer"}))


def _unreadable(uow_factory, file_id, actor, why):
    with uow_factory() as uow:
        try:
            files.get_file(uow, file_id, actor)
        except NotFound:
            return
    raise AssertionError(why)


def _upload(uow_factory, tmp_path, actor, owner):
    settings = Settings(file_dir=tmp_path)
    with uow_factory() as uow:
        return files.upload_file(uow, settings, owner, "plan.pdf", PDF, actor, NOW)


def test_a_file_id_in_a_variable_gives_nothing(uow_factory, tmp_path):
    ref = _upload(uow_factory, tmp_path, UNIT_A, "unit:UA")
    with uow_factory() as uow:
        service.deploy(uow, {"plan.bpmn": PLAN_PROCESS.encode()}, SYSTEM_ACTOR, NOW)
    start(uow_factory, "plan_test", actor=UNIT_B, evidence={"file_id": ref.file_id},
          review_due="2026-12-15T23:59:00+08:00")
    _unreadable(uow_factory, ref.file_id, UNIT_B, "unit B read unit A's file")
    with uow_factory() as uow:
        assert files.get_file(uow, ref.file_id, UNIT_A).id == ref.file_id


def test_a_file_attached_by_a_task_is_readable_through_the_instance(uow_factory, tmp_path):
    ref = _upload(uow_factory, tmp_path, UNIT_A, "unit:UA")
    with uow_factory() as uow:
        service.deploy(uow, {"plan.bpmn": PLAN_PROCESS.encode()}, SYSTEM_ACTOR, NOW)
    instance = start(uow_factory, "plan_test", unit_id="UA", province_code="11",
                     review_due="2026-12-15T23:59:00+08:00")
    [task] = open_tasks(uow_factory, instance.id)
    _unreadable(uow_factory, ref.file_id, PROVINCE, "the province read an unattached file")
    with uow_factory() as uow:
        service.complete_task(uow, task.id, _plan(ref.as_dict()), UNIT_A, NOW)
    with uow_factory() as uow:
        assert files.get_file(uow, ref.file_id, PROVINCE).id == ref.file_id
    _unreadable(uow_factory, ref.file_id, Actor("p44", frozenset({"province:44:reviewer"})),
                "another province read the file")
