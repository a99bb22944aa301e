"""Notifications reach a real local SMTP server (aiosmtpd) after the transaction commits."""

from __future__ import annotations

import socket
from dataclasses import replace
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from engine import handlers
from engine.config import Settings
from tests.factories import make_user
from tests.integration.test_handlers import Ctx


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def _make_recipient(uow_factory):
    make_user(uow_factory, "li", "unit:U1")
    with uow_factory() as uow:
        uow.users.get("li").email = "li@unit.example.cn"


def test_notify_mails_the_members_after_commit(uow_factory, smtp_server):
    controller, inbox = smtp_server
    _make_recipient(uow_factory)
    settings = Settings(smtp_host="127.0.0.1", smtp_port=controller.port,
                        mail_from="vocflow@moe.example.cn")
    ctx = Ctx(uow_factory, {"template": "rating_result", "recipients": "unit:U1",
                            "year": 2026, "rating": "优秀", "project_name": "虚拟仿真基地"},
              settings=settings)
    handlers.notify(ctx)
    [(rcpt, raw)] = inbox.messages
    mail = message_from_bytes(raw, policy=policy.default)
    assert rcpt == ["li@unit.example.cn"]
    assert mail["Subject"] == "【通知】2026年度绩效评价结果：优秀"
    assert mail["From"] == "vocflow@moe.example.cn"
    assert "虚拟仿真基地" in mail.get_content()
    with uow_factory() as uow:
        [row] = uow.product.outbox()
        assert row.sent_at is not None and row.error is None
    assert handlers.send_outbox(uow_factory, settings, row.id) is False
    assert len(inbox.messages) == 1


def test_an_unreachable_server_leaves_the_error_on_the_row(uow_factory):
    _make_recipient(uow_factory)
    settings = replace(Settings(), smtp_host="127.0.0.1", smtp_port=_free_port())
    handlers.notify(Ctx(uow_factory, {"template": "reminder_1d", "recipients": "unit:U1"},
                        settings=settings))
    with uow_factory() as uow:
        [row] = uow.product.outbox()
        assert row.sent_at is None and "ConnectionRefused" in row.error
