"""What every screen shares: the one command path, sign-in guard, CSRF, filters, error pages."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

import engine
from api import auth
from api.errors import status_of
from api.web import forms_view, labels
from engine import UnitOfWork, errors
from engine.service import Actor

LOG = logging.getLogger("vocflow.web")
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def page_actor(u: UnitOfWork) -> Actor:
    """The signed-in person, read in the command's own unit of work (cookie session only)."""
    actor = auth.actor_from_request(u, allow_basic=False)
    if actor is None:
        raise errors.Unauthenticated("sign in first")
    if session.get("groups") != sorted(actor.groups):
        session["groups"] = sorted(actor.groups)  # the menu follows group changes
    return actor


def run(command: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one engine command as the signed-in person: the same path as the APIs."""
    factory = current_app.extensions["vocflow"]["uow_factory"]
    return engine.execute(factory, page_actor, command, *args, **kwargs)


def run_as(actor: Actor, command: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one engine command as a given actor (public pages: the applicant being created)."""
    factory = current_app.extensions["vocflow"]["uow_factory"]
    return engine.execute(factory, actor, command, *args, **kwargs)


def required_reason() -> str:
    """The reason an operator typed for a repair (the page requires one; the history keeps
    it); a 422 naming the field when it is empty."""
    reason = request.form.get("reason", "").strip()
    if not reason:
        raise errors.ValidationFailed(_("请填写操作理由。"), details={"reason": ["required"]})
    return reason


def settings() -> engine.Settings:
    return current_app.extensions["vocflow"]["settings"]  # type: ignore[no-any-return]


def signed_in(view: F) -> F:
    """Send people who are not signed in to the sign-in page, then back here."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if "_user_id" not in session:
            return redirect(url_for("web.signin.form", next=request.full_path))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def groups() -> list[str]:
    """The signed-in person's groups as last read: for the menu only, never to allow."""
    return list(session.get("groups", []))


def has_group(*prefixes: str) -> bool:
    return any(g == p or g.startswith(p + ":") for g in groups() for p in prefixes)


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def beijing(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored (UTC) time shown in Beijing time; naive values are UTC (SQLite)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(BEIJING).strftime(fmt)


def as_utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def parse_beijing_date(text: str, end_of_day: bool = False) -> datetime | None:
    """A yyyy-mm-dd (or yyyy-mm-ddThh:mm) typed in Beijing time, as an aware datetime."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if len(text) == 10 and end_of_day:
        value = value.replace(hour=23, minute=59, second=59)
    return value.replace(tzinfo=BEIJING) if value.tzinfo is None else value


def script_json(value: Any) -> str:
    """JSON safe inside <script type="application/json"> (no '</' to end the element)."""
    return json.dumps(value, ensure_ascii=False, default=str).replace("</", "<\\/")


def _urlencode_without(args: Any, *names: str) -> str:
    return urlencode([(k, v) for k, v in args.items(multi=True) if k not in names])


def init_jinja(app: Flask) -> None:
    app.jinja_env.filters.update(bj=beijing, process=labels.process, element=labels.element,
                                 status=labels.status, action=labels.action,
                                 code_label=lambda value, name: forms_view.label_of(name, value),
                                 utc=as_utc, activity_type=labels.activity_type,
                                 duration=labels.duration, urlencode_without=_urlencode_without)
    app.jinja_env.globals.update(csrf_token=auth.csrf_token, has_group=has_group,
                                 groups=groups, get_locale=get_locale,
                                 field_label=forms_view.field_label,
                                 task_row_labels=labels.task_row_labels)


def _error_page(exc: Exception) -> Response | tuple[str, int]:
    if isinstance(exc, errors.Unauthenticated):
        return redirect(url_for("web.signin.form", next=request.full_path))
    if isinstance(exc, errors.EngineError):
        status = status_of(exc)
        if status >= 500:
            LOG.error("page error %s: %s", exc.code, exc.message)
        message = exc.message
    elif isinstance(exc, HTTPException):
        status, message = exc.code or 500, exc.description or ""
    else:
        LOG.exception("unexpected error on a page")
        status, message = 500, ""
    titles = {403: _("无权执行此操作"), 404: _("页面或记录不存在"),
              409: _("状态已变化，请刷新后重试"), 422: _("提交的内容有误"),
              429: _("尝试次数过多，请稍后再试")}
    title = titles.get(status, _("出错了"))
    return render_template("error.html", title=title, status=status, message=message), status


def register_errors(bp: Blueprint) -> None:
    """Every error on a page becomes a Chinese page (401 -> the sign-in page), never JSON."""
    bp.register_error_handler(errors.EngineError, _error_page)
    bp.register_error_handler(HTTPException, _error_page)
    bp.register_error_handler(Exception, _error_page)
