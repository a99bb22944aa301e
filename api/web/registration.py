"""Screen: 单位注册: a unit applies (public), checks its credit code as it types, sees its state."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from werkzeug.wrappers import Response

import forms
from api import auth
from api.web import forms_view, signin
from api.web.common import run, run_as, signed_in
from engine import errors
from engine.service import SYSTEM_ACTOR, registration
from forms.validators import CreditCode

bp = Blueprint("registration", __name__, url_prefix="/register")
FORM_KEY = "unit_registration"
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_.-")


def _render(values: dict[str, Any], field_errors: dict[str, Any], general: list[str],
            status: int = 200) -> tuple[str, int]:
    schema = forms.form_json_schema(FORM_KEY)
    fields = forms_view.build(schema, values, forms_view.translate(field_errors))
    return render_template("registration/form.html", title=_("单位注册"), fields=fields,
                           values=values, account_errors=field_errors.get("_account", {}),
                           general=general), status


@bp.get("")
def form() -> tuple[str, int]:
    """The empty application form."""
    return _render({}, {}, [])


def credit_code_problem(code: str) -> str | None:
    """The GB 32100 check of forms/ (format and check character), or None when valid."""
    try:
        CreditCode()(code.strip())
    except ValidationError as exc:
        return str(forms_view.translate(exc.messages[0]))
    return None


@bp.get("/check-credit-code")
def check_credit_code() -> str:
    """htmx: the credit code's verdict, drawn under the field as the applicant types."""
    code = request.args.get("credit_code", "")
    problem = credit_code_problem(code) if code.strip() else None
    return render_template("registration/_code_check.html", code=code, problem=problem)


def _account_errors(username: str, password: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if not (3 <= len(username) <= 60) or not set(username) <= USERNAME_CHARS:
        out["username"] = [_("用户名为3至60位小写字母、数字、下划线、点或连字符。")]
    if len(password) < 8:
        out["password"] = [_("密码至少8位。")]
    elif password != request.form.get("password2"):
        out["password2"] = [_("两次输入的密码不一致。")]
    return out


@bp.post("")
def submit() -> Response | tuple[str, int]:
    """Create the applicant's account, start unit_registration and submit the form."""
    schema = forms.form_json_schema(FORM_KEY)
    data = forms_view.parse(schema, request.form, request.form.getlist)
    username = request.form.get("username", "").strip().lower()
    password = request.form.get("password", "")
    values = {**data, "username": username}
    account = _account_errors(username, password)
    if account:
        return _render(values, {"_account": account}, [], 422)
    try:
        run_as(SYSTEM_ACTOR, registration.register_unit, username, password, data)
    except errors.FormInvalid as exc:
        details = dict(exc.details)
        if "password" in details:
            details["_account"] = {"password": forms_view.translate(details.pop("password"))}
        return _render(values, details, [], 422)
    except errors.InvalidState:
        return _render(values, {"_account": {"username": [_("该用户名已被使用。")]}}, [], 422)
    with auth.uow() as u:
        actor, generation = auth.sign_in(u, username, password)
    signin.start_session(actor, generation)
    return redirect(url_for("web.registration.status"))


@bp.get("/status")
@signed_in
def status() -> str:
    """The applicant's registrations and where each one stands."""
    rows = run(registration.my_registrations)
    return render_template("registration/status.html", title=_("注册进度"), rows=rows)
