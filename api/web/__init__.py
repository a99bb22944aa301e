"""The pages: one blueprint per screen under one parent, Flask-Babel, filters, HTML errors."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, redirect, request, session, url_for
from flask_babel import Babel
from werkzeug.wrappers import Response

from api.web import (
    account,
    common,
    dashboard,
    designer,
    instances,
    ops,
    registration,
    signin,
    tasks,
)
from engine.service import preferences

HERE = Path(__file__).resolve().parent
LANGUAGES = preferences.LANGUAGES
SCREENS = (signin, account, registration, tasks, instances, ops, designer, dashboard)

web = Blueprint("web", __name__, template_folder="templates", static_folder="static",
                static_url_path="/assets")


def _locale() -> str:
    lang = session.get("lang") or request.cookies.get("vocflow_lang")
    return lang if lang in LANGUAGES else LANGUAGES[0]


@web.get("/")
def index() -> Response:
    """`/` leads to the sign-in page (or the task list when signed in)."""
    if "_user_id" in session:
        return redirect(url_for("web.tasks.inbox"))
    return redirect(url_for("web.signin.form"))


@web.get("/lang/<lang>")
def language(lang: str) -> Response:
    """Switch the language; kept in the session, a year-long cookie and (signed in) the
    person's account."""
    lang = lang if lang in LANGUAGES else LANGUAGES[0]
    session["lang"] = lang
    if "_user_id" in session:  # kept with the account too: the next sign-in anywhere
        common.run(preferences.set_language, lang)
    back = request.referrer or url_for("web.index")
    response = redirect(back if back.startswith(request.host_url) else url_for("web.index"))
    response.set_cookie("vocflow_lang", lang, max_age=365 * 86400, httponly=True,
                        samesite="Lax")
    return response


for _screen in SCREENS:  # once, at import: every app built later shares the tree
    web.register_blueprint(_screen.bp)
common.register_errors(web)


def register(app: Flask) -> None:
    """Attach the pages to the app (called once by create_app)."""
    Babel(app, locale_selector=_locale, default_locale=LANGUAGES[0],
          default_translation_directories=str(HERE / "translations"))
    common.init_jinja(app)
    app.register_blueprint(web)


__all__ = ["register"]
