"""Screen: sign-in and sign-out (the same password check and lock-out as the API's)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from api import auth
from api.web.common import run, run_as
from engine import errors, service
from engine.service import Actor, preferences

bp = Blueprint("signin", __name__)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("web.tasks.inbox")


@bp.get("/signin")
def form() -> str:
    """The sign-in page, with the link to unit registration."""
    return render_template("signin/form.html", title=_("登录"), username="",
                           next=request.args.get("next", ""), error=None)


@bp.post("/signin")
def submit() -> Response | tuple[str, int]:
    """Check the password; on success start the cookie session and go on."""
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    try:
        with auth.uow() as u:
            actor, generation = auth.sign_in(u, username, password)
    except errors.TooManyAttempts:
        error = _("登录失败次数过多，请稍后再试。")
    except errors.Unauthenticated:
        error = _("用户名或密码错误。")
    else:
        start_session(actor, generation)
        return redirect(_safe_next(request.form.get("next")))
    page = render_template("signin/form.html", title=_("登录"), username=username,
                           next=request.form.get("next", ""), error=error)
    return page, 401


def start_session(actor: Actor, generation: int) -> None:
    """A fresh cookie session in the person's own language (kept with the account, else
    the one chosen before signing in); groups kept for the menu only."""
    lang = run_as(actor, preferences.language_of) or session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(auth.SessionUser(actor.username, generation))
    session["username"] = actor.username
    session["groups"] = sorted(actor.groups)
    auth.csrf_token()


@bp.post("/signout")
def signout() -> Response:
    """End every session of mine (as the API's sign-out does)."""
    lang = session.get("lang")
    if "_user_id" in session:
        try:
            run(service.accounts.sign_out)
        except errors.Unauthenticated:
            pass
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("web.signin.form"))
