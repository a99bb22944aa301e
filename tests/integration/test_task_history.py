"""Historic tasks: each user task's row from its start to its end, and the 0020 backfill."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from types import ModuleType

from sqlalchemy import delete, select, text

from engine import service
from engine.models import HistoricTask
from engine.schema import MIGRATIONS_DIR
from tests.factories import NOW, deploy_fixture, make_user, open_tasks, start

HOUR = timedelta(hours=1)


def _migration() -> ModuleType:
    path = MIGRATIONS_DIR / "versions" / "0020_historic_tasks.py"
    spec = importlib.util.spec_from_file_location("migration_0020", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows(uow_factory):
    with uow_factory() as uow:
        rows = uow.session.scalars(select(HistoricTask)).all()
        return {r.id: (r.end_reason, r.assignee, r.created_at, r.ended_at) for r in rows}


def _three_tasks(uow_factory):
    """One task skipped by ops at +1h, one completed by a reviewer at +2h, one open."""
    deploy_fixture(uow_factory, "review.bpmn")
    ops = make_user(uow_factory, "ops1", "ops")
    wang = make_user(uow_factory, "wang", "province:11:reviewer")
    ids = []
    for _ in range(3):
        instance = start(uow_factory, "simple_review", province_code="11", review_due="")
        [task] = open_tasks(uow_factory, instance.id)
        ids.append((instance.id, task.id))
    with uow_factory() as uow:
        service.skip_task(uow, ids[0][0], ids[0][1], ops, NOW + HOUR)
    with uow_factory() as uow:
        service.complete_task(uow, ids[1][1], {"approved": True, "score": 80}, wang,
                              NOW + 2 * HOUR)
    return [task_id for _, task_id in ids]


def test_each_task_ends_once_with_its_reason(uow_factory):
    skipped, completed, still_open = _three_tasks(uow_factory)
    assert _rows(uow_factory) == {
        skipped: ("skipped", None, NOW, NOW + HOUR),
        completed: ("completed", "wang", NOW, NOW + 2 * HOUR),
        still_open: (None, None, NOW, None),
    }


def test_the_migration_backfills_open_and_completed_tasks(uow_factory):
    skipped, completed, still_open = _three_tasks(uow_factory)
    migration = _migration()
    with uow_factory() as uow:
        uow.session.execute(delete(HistoricTask))
        uow.session.execute(text(migration._OPEN))
        uow.session.execute(text(migration._ENDED))
    # A completed task's start is not in its events; skips are left out (one may be a
    # service task).
    assert _rows(uow_factory) == {
        completed: ("completed", "wang", None, NOW + 2 * HOUR),
        still_open: (None, None, NOW, None),
    }


def test_a_task_opened_again_under_its_id_is_a_new_historic_task(uow_factory):
    """A token moved back resets a finished task in place: same engine id, second run."""
    _skipped, completed, _open = _three_tasks(uow_factory)
    with uow_factory() as uow:
        [first] = uow.session.scalars(select(HistoricTask).where(
            HistoricTask.id == completed)).all()
        row = {"id": completed, "instance_id": first.instance_id,
               "process_key": first.process_key, "element_id": first.element_id,
               "name": first.name, "assignee": None, "due_at": None, "follow_up_at": None,
               "priority": 60, "created_at": NOW + 3 * HOUR}
        uow.task_history.opened([row])
    with uow_factory() as uow:
        runs = uow.session.scalars(select(HistoricTask).where(
            HistoricTask.task_id == completed).order_by(HistoricTask.created_at)).all()
        assert [(r.id == completed, r.end_reason, r.created_at) for r in runs] == [
            (True, "completed", NOW), (False, None, NOW + 3 * HOUR)]
        uow.task_history.ended([completed], NOW + 4 * HOUR, "deleted")
    assert _rows(uow_factory)[completed] == ("completed", "wang", NOW, NOW + 2 * HOUR)
