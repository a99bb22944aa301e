"""A task made in the step that first sets the instance's scope carries that scope."""

from __future__ import annotations

import pytest

from engine import service
from engine.errors import NotFound
from engine.service import Actor
from tests.factories import deploy_fixture, start


def test_the_first_task_carries_the_scope_set_at_start(uow_factory):
    deploy_fixture(uow_factory, "review.bpmn")
    instance = start(uow_factory, "simple_review", business_key="P-1", province_code="11",
                     review_due="")
    province_admin = Actor("admin-11", frozenset({"province:11:admin"}))
    other_admin = Actor("admin-44", frozenset({"province:44:admin"}))
    with uow_factory() as uow:
        [task] = uow.tasks.for_instance(instance.id)
        assert task.province_code == "11"
        # Not a candidate (the task is offered to province:11:reviewer), yet in scope.
        assert service.get_task(uow, task.id, province_admin).id == task.id
        with pytest.raises(NotFound):
            service.get_task(uow, task.id, other_admin)
