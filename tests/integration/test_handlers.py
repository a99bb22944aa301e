"""The product's external-task handlers called directly with a worker-shaped context."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from engine import handlers
from engine.config import Settings
from engine.handlers.templates import TEMPLATES, render
from engine.service import actor_for, add_member, add_user
from engine.uow import UowFactory
from tests.factories import NOW, make_user

REGISTRATION = {
    "unit_name": "北京市示范职业学院", "credit_code": "91110000802100433B",
    "unit_type": "school", "province_code": "11", "contact_email": "office@bj.example.cn",
}


@dataclass
class Ctx:
    uow_factory: UowFactory
    variables: dict[str, Any]
    job_id: str = "job-1"
    instance_id: str | None = None
    topic: str = "notify"
    now: datetime = NOW
    settings: Settings = field(default_factory=Settings)


def _outbox(uow_factory):
    with uow_factory() as uow:
        return list(uow.product.outbox())


def test_notify_writes_one_outbox_row_per_job_with_member_emails(uow_factory):
    with uow_factory() as uow:
        add_user(uow, "li", NOW, email="li@unit.example.cn")
        add_user(uow, "zhao", NOW)
    make_user(uow_factory, "nobody-else", "unit:U9")
    with uow_factory() as uow:
        add_member(uow, "li", "unit:U1")
        add_member(uow, "zhao", "unit:U1")
    ctx = Ctx(uow_factory, {"template": "reminder_7d", "recipients": "unit:U1",
                            "year": 2026, "report_deadline": "2026-12-15T23:59:00+08:00",
                            "project_name": "产教联合体建设", "key_task": "KT01"})
    assert handlers.notify(ctx) == {}
    assert handlers.notify(ctx) == {}
    [row] = _outbox(uow_factory)
    assert row.template == "reminder_7d" and row.recipients == ["unit:U1"]
    assert row.emails == ["li@unit.example.cn"]
    assert row.subject == "【提醒】2026年度绩效数据填报将于7天后截止"
    assert "2026年12月15日 23:59" in row.body and "产教联合体建设（KT01）" in row.body
    assert row.sent_at is None and row.error is None
    handlers.notify(Ctx(uow_factory, dict(ctx.variables), job_id="job-2"))
    assert len(_outbox(uow_factory)) == 2


def test_notify_refuses_an_unknown_template(uow_factory):
    with pytest.raises(handlers.HandlerFailed, match="unknown notification template"):
        handlers.notify(Ctx(uow_factory, {"template": "spam", "recipients": "unit:U1"}))
    assert _outbox(uow_factory) == []


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_template_renders_in_chinese_without_placeholders(template):
    subject, body = render(template, {"year": 2026, "decision": "return", "rating": "良好",
                                      "recommended": True, "late": True})
    assert "{" not in subject + body and subject.startswith("【")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body)


def test_create_unit_account_creates_the_unit_and_adds_the_applicant(uow_factory):
    make_user(uow_factory, "applicant")
    ctx = Ctx(uow_factory, {**REGISTRATION, "initiator": "applicant"},
              topic="create_unit_account")
    result = handlers.create_unit_account(ctx)
    again = handlers.create_unit_account(ctx)
    assert again == result and result["unit_id"].startswith("U")
    with uow_factory() as uow:
        unit = uow.product.unit(result["unit_id"])
        assert (unit.name, unit.province_code, unit.unit_type) == ("北京市示范职业学院", "11",
                                                                   "school")
        actor = actor_for(uow, "applicant")
        assert actor.groups == {f"unit:{unit.id}"}
        assert uow.users.get("applicant").email == "office@bj.example.cn"
        assert len(uow.product.units()) == 1


def test_create_unit_account_without_a_known_applicant_creates_a_user(uow_factory):
    ctx = Ctx(uow_factory, {**REGISTRATION, "initiator": "system"})
    unit_id = handlers.create_unit_account(ctx)["unit_id"]
    with uow_factory() as uow:
        assert uow.users.get("system") is None
        user = uow.users.get(f"unit-{unit_id}")
        assert user.email == "office@bj.example.cn" and user.password_hash is None
        assert actor_for(uow, user.username).unit_ids == [unit_id]


def test_create_unit_account_names_missing_data(uow_factory):
    with pytest.raises(handlers.HandlerFailed, match="credit_code"):
        handlers.create_unit_account(Ctx(uow_factory, {"unit_name": "x"}))


def test_open_summaries_needs_a_year(uow_factory):
    with pytest.raises(handlers.HandlerFailed, match="year"):
        handlers.open_provincial_summaries(Ctx(uow_factory, {"year": "soon"}))
    assert handlers.open_provincial_summaries(Ctx(uow_factory, {"year": 2026})) == {
        "summaries_opened": 0}
