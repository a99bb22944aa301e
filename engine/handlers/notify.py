"""The `notify` topic: one outbox row per job, mailed after commit when SMTP is configured."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Any

from engine.clock import now as clock_now
from engine.config import Settings
from engine.handlers.base import Context, HandlerFailed
from engine.handlers.templates import TEMPLATES, render
from engine.models import OutboxMessage
from engine.uow import UnitOfWork, UowFactory

SMTP_TIMEOUT = 10


def _groups(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [p.strip() for p in str(value or "").split(",") if p.strip()]


def _emails(uow: UnitOfWork, groups: list[str]) -> list[str]:
    emails = []
    for username in uow.users.members_of(groups):
        user = uow.users.get(username)
        if user is not None and user.email:
            emails.append(user.email)
    return sorted(set(emails))


def notify(ctx: Context) -> dict[str, Any]:
    """Write the outbox row (exactly one per job, also when the job runs again)."""
    template = str(ctx.variables.get("template") or "")
    if template not in TEMPLATES:
        raise HandlerFailed(f"unknown notification template {template!r}; known: "
                            + ", ".join(sorted(TEMPLATES)))
    groups = _groups(ctx.variables.get("recipients"))
    with ctx.uow_factory() as uow:
        repo = uow.product
        if repo.outbox_for_job(ctx.job_id) is not None:
            return {}
        subject, body = render(template, ctx.variables)
        row = OutboxMessage(created_at=ctx.now, template=template,
                            instance_id=ctx.instance_id, job_id=ctx.job_id,
                            recipients=groups, emails=_emails(uow, groups),
                            subject=subject, body=body)
        repo.add(row)
        if ctx.settings.smtp_host and row.emails:
            message_id = row.id

            def _send() -> None:
                send_outbox(ctx.uow_factory, ctx.settings, message_id)

            uow.after_commit(_send)
    return {}


def send_outbox(uow_factory: UowFactory, settings: Settings, message_id: int) -> bool:
    """Mail one outbox row and record sent_at or the error; True when it was sent.

    The SMTP conversation happens between two short transactions, never inside one.
    """
    with uow_factory() as uow:
        row = uow.product.outbox_message(message_id)
        if row is None or row.sent_at is not None or not row.emails:
            return False
        mail = EmailMessage()
        mail["Subject"] = row.subject
        mail["From"] = settings.mail_from
        mail["To"] = ", ".join(row.emails)
        mail.set_content(row.body)
    error = _deliver(settings, mail)
    with uow_factory() as uow:
        row = uow.product.outbox_message(message_id)
        if row is not None:
            row.sent_at = clock_now() if error is None else None
            row.error = error
            uow.flush()
    return error is None


def _deliver(settings: Settings, mail: EmailMessage) -> str | None:
    try:
        with smtplib.SMTP(str(settings.smtp_host), settings.smtp_port,
                          timeout=SMTP_TIMEOUT) as smtp:
            smtp.send_message(mail)
    except (smtplib.SMTPException, OSError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None
