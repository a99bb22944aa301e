"""Who is calling: flask-login sessions, personal Bearer tokens, HTTP Basic; CSRF and headers."""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from typing import Any

from flask import Flask, Response, current_app, g, request, session
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from engine import UnitOfWork, clock, errors, service
from engine.service import Actor

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"  # the same token as a hidden field of the pages' HTML forms
CSRF_EXEMPT = frozenset({"auth.login"})
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
       "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth",
                description="Sign-in, sign-out and the CSRF token")


def uow() -> UnitOfWork:
    """A new unit of work from the app's factory; use as `with uow() as u:`."""
    return current_app.extensions["vocflow"]["uow_factory"]()  # type: ignore[no-any-return]


class SessionUser:
    """The flask-login view of a cookie session: only the username; the request's unit of
    work looks the person up (so a disabled or deleted user is refused at that point)."""

    is_active = True
    is_authenticated = True
    is_anonymous = False

    def __init__(self, username: str) -> None:
        self.username = username

    def get_id(self) -> str:
        return self.username


def _load_user(username: str) -> SessionUser:
    return SessionUser(username)


def _unauthorized() -> Response:
    raise errors.Unauthenticated("sign in first")


def _basic(u: UnitOfWork, header: str) -> Actor:
    try:
        raw = base64.b64decode(header.split(" ", 1)[1].strip(), validate=True).decode()
        username, password = raw.split(":", 1)
    except (IndexError, ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise errors.Unauthenticated("malformed Basic credentials") from exc
    return sign_in(u, username, password)


def sign_in(u: UnitOfWork, username: str, password: str) -> Actor:
    """Check a password in the request's unit of work; a wrong one is counted in its own.

    The request fails then, so its unit of work is rolled back first (it has done nothing
    but read, and on SQLite it holds the write lock) and the failure counter is committed
    by a separate small unit of work, as the 401/429 that follows would undo it.
    """
    at = clock.now()
    result = service.accounts.check_password(u, username, password, at)
    if result.reason == service.accounts.WRONG_PASSWORD:
        u.session.rollback()
        with uow() as failed:
            result = service.accounts.record_failure(failed, username, at)
    if result.actor is not None:
        return result.actor
    if result.reason == "locked":
        raise errors.TooManyAttempts(
            "too many failed sign-ins; try again later",
            details={"retry_after": result.retry_after})
    raise errors.Unauthenticated("wrong username or password",
                                 details={"retry_after": result.retry_after})


def _bearer(u: UnitOfWork, header: str) -> Actor:
    token = header.split(" ", 1)[1].strip() if " " in header else ""
    actor = service.accounts.actor_for_token(u, token, clock.now()) if token else None
    if actor is None:
        raise errors.Unauthenticated("the token is unknown or revoked")
    return actor


def _session_actor(u: UnitOfWork) -> Actor | None:
    if not current_user.is_authenticated:
        return None
    try:
        return service.actor_for(u, current_user.get_id())
    except errors.NotFound:
        return None


def actor_from_request(u: UnitOfWork, allow_basic: bool = True) -> Actor | None:
    """The caller from Authorization (Bearer, or Basic when allowed) or the session cookie.

    Looked up with u, the request's one unit of work: open it first, then sign in.
    """
    if "actor" in g:
        return g.actor  # type: ignore[no-any-return]
    header = request.headers.get("Authorization", "")
    scheme = header.split(" ", 1)[0].lower()
    actor: Actor | None = None
    if scheme == "bearer":
        actor = _bearer(u, header)
    elif scheme == "basic" and allow_basic:
        actor = _basic(u, header)
    else:
        actor = _session_actor(u)
    g.actor = actor
    return actor


def current_actor(u: UnitOfWork) -> Actor:
    """The signed-in actor, looked up with the request's unit of work u; 401 when none."""
    actor = actor_from_request(u)
    if actor is None:
        raise errors.Unauthenticated("sign in first")
    return actor


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def _check_csrf() -> None:
    """Cookie-authenticated changes need the session's token echoed in X-CSRF-Token (or,
    from a page's HTML form, in its hidden csrf_token field)."""
    if request.method not in UNSAFE_METHODS or request.endpoint in CSRF_EXEMPT:
        return
    if request.headers.get("Authorization") or "_user_id" not in session:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.mimetype in ("application/x-www-form-urlencoded",
                                         "multipart/form-data"):
        sent = request.form.get(CSRF_FIELD, "")
    expected = session.get("csrf", "")
    if not (sent and expected and hmac.compare_digest(sent, expected)):
        raise errors.Forbidden("missing or wrong CSRF token",
                               details={"header": CSRF_HEADER})


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    secure = not (app.debug or app.testing)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure, SESSION_COOKIE_NAME="vocflow_session",
        REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
    )
    manager = LoginManager()
    manager.user_loader(_load_user)
    manager.unauthorized_handler(_unauthorized)
    manager.session_protection = "basic"
    manager.init_app(app)
    app.before_request(_check_csrf)
    app.after_request(_security_headers)


class LoginSchema(Schema):
    username = fields.String(required=True, validate=lambda s: 0 < len(s) <= 120)
    password = fields.String(required=True, validate=lambda s: 0 < len(s) <= 1024)


class MeSchema(Schema):
    username = fields.String(required=True)
    groups = fields.List(fields.String(), required=True)
    csrf_token = fields.String(allow_none=True)


class CsrfSchema(Schema):
    csrf_token = fields.String(required=True)


def _me(actor: Actor, token: str | None) -> dict[str, Any]:
    return {"username": actor.username, "groups": sorted(actor.groups), "csrf_token": token}


@blp.post("/login")
@blp.arguments(LoginSchema)
@blp.response(200, MeSchema)
def login(body: dict[str, Any]) -> dict[str, Any]:
    """Sign in with username and password; starts a cookie session and returns a CSRF token.

    Repeated failures are slowed (429 with Retry-After) and then locked for 15 minutes.
    """
    with uow() as u:
        actor = sign_in(u, body["username"], body["password"])
    session.clear()
    login_user(SessionUser(actor.username))
    return _me(actor, csrf_token())


@blp.post("/logout")
@blp.response(204)
def logout() -> None:
    """End the cookie session."""
    logout_user()
    session.clear()


@blp.get("/csrf")
@blp.response(200, CsrfSchema)
def csrf() -> Response | dict[str, Any]:
    """The CSRF token to send as X-CSRF-Token with cookie-authenticated changes."""
    return {"csrf_token": csrf_token()}


@blp.get("/me")
@blp.response(200, MeSchema)
def me() -> dict[str, Any]:
    """The signed-in actor and their groups."""
    with uow() as u:
        actor = current_actor(u)
    return _me(actor, csrf_token() if current_user.is_authenticated else None)
