"""Screen: my account: change my password, my API tokens (create, revoke)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from api import auth
from api.web import forms_view, signin
from api.web.common import run, signed_in
from engine import errors
from engine.service import accounts

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(new_token: str | None = None, password_errors: list[str] | None = None,
          status: int = 200) -> tuple[str, int]:
    tokens = run(accounts.list_tokens)
    return render_template("account/index.html", title=_("我的账户"), tokens=tokens,
                           new_token=new_token, password_errors=password_errors or [],
                           can_change_password=True), status


@bp.get("")
@signed_in
def index() -> tuple[str, int]:
    """My tokens and the password form."""
    return _page()


@bp.post("/tokens")
@signed_in
def create_token() -> tuple[str, int]:
    """A new token: its text is shown once, on this page."""
    _row, plain = run(accounts.create_token, session["username"],
                      request.form.get("name", ""))
    return _page(new_token=plain)


@bp.post("/tokens/<int:token_id>/revoke")
@signed_in
def revoke_token(token_id: int) -> Response:
    run(accounts.revoke_token, token_id)
    flash(_("令牌已吊销。"))
    return redirect(url_for("web.account.index"))


@bp.post("/password")
@signed_in
def change_password() -> Response | tuple[str, int]:
    """Change my own password (the current one first)."""
    if request.form.get("new_password") != request.form.get("new_password2"):
        return _page(password_errors=[_("两次输入的新密码不一致。")], status=422)
    current, new = request.form.get("current_password", ""), request.form.get("new_password", "")
    try:
        actor = run(lambda u, *, actor: actor)
        generation = run(lambda u, *, actor: auth.change_own_password(u, actor, current, new))
    except (errors.ValidationFailed, errors.FormInvalid) as exc:
        messages = forms_view.translate(exc.details) or {"_": [exc.message]}
        return _page(password_errors=[m for v in messages.values() for m in v], status=422)
    signin.start_session(actor, generation)
    flash(_("密码已修改。"))
    return redirect(url_for("web.account.index"))
