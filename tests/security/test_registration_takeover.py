"""Threat: registering with an existing unit's credit code made the applicant its member.

The applicant's form refuses a credit code that belongs to a registered unit (naming the
field); the province reviewer is warned; approving can never add anyone to an existing unit.
"""

from __future__ import annotations

import pytest

from engine import handlers, service
from engine.errors import FormInvalid
from engine.handlers.base import HandlerFailed
from engine.models import Unit
from engine.service import SYSTEM_ACTOR, scopes
from forms.validators import credit_code_check_char
from tests.factories import NOW, PROCESSES, deploy_files, make_user, open_tasks, start
from tests.integration.test_handlers import Ctx

FIRST17 = "91110000MA0123456"
CODE = FIRST17 + credit_code_check_char(FIRST17)


def _form(code: str = CODE) -> dict[str, str]:
    return {"unit_name": "冒名单位", "credit_code": code, "unit_type": "school",
            "province_code": "44", "address": "广州市天河区", "contact_name": "张三",
            "contact_phone": "13800138000", "contact_email": "a@example.cn"}


@pytest.fixture
def registered(uow_factory):
    deploy_files(uow_factory, PROCESSES / "unit_registration.bpmn")
    with uow_factory() as uow:
        uow.product.add(Unit(id="UEXIST", name="北京示范学院", credit_code=CODE,
                             unit_type="school", province_code="11", created_at=NOW))


def _apply(uow_factory, username):
    applicant = make_user(uow_factory, username)
    instance = start(uow_factory, "unit_registration", actor=applicant)
    [task] = open_tasks(uow_factory, instance.id)
    return applicant, instance, task


def test_the_applicant_form_refuses_an_existing_credit_code(uow_factory, registered):
    applicant, instance, task = _apply(uow_factory, "intruder")
    with pytest.raises(FormInvalid) as refused, uow_factory() as uow:
        service.complete_task(uow, task.id, _form(), applicant, NOW)
    assert "已有注册单位" in refused.value.details["credit_code"][0]
    assert [t.id for t in open_tasks(uow_factory, instance.id)] == [task.id]  # nothing lost


def test_approving_never_joins_an_existing_unit(uow_factory, registered):
    make_user(uow_factory, "intruder")
    ctx = Ctx(uow_factory, {**_form(), "initiator": "intruder"}, topic="create_unit_account")
    with pytest.raises(HandlerFailed, match="already registered"):
        handlers.create_unit_account(ctx)
    with uow_factory() as uow:
        assert service.actor_for(uow, "intruder").groups == frozenset()


def test_the_reviewer_is_warned_of_a_code_pending_twice(uow_factory):
    deploy_files(uow_factory, PROCESSES / "unit_registration.bpmn")
    fresh17 = "91440000MA0765432"
    fresh = fresh17 + credit_code_check_char(fresh17)
    reviews = []
    for name in ("first", "second"):
        applicant, instance, task = _apply(uow_factory, name)
        with uow_factory() as uow:
            service.complete_task(uow, task.id, _form(fresh), applicant, NOW)
        [review] = open_tasks(uow_factory, instance.id)
        reviews.append(review)
    with uow_factory() as uow:
        form = scopes.task_form(uow, reviews[1].id, SYSTEM_ACTOR)
    assert len(form.warnings) == 1 and fresh in form.warnings[0]
