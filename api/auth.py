"""Who is calling: flask-login sessions, personal Bearer tokens, HTTP Basic; CSRF and headers."""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from datetime import datetime
from typing import Any

from flask import Flask, Response, current_app, g, request, session
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from werkzeug.middleware.proxy_fix import ProxyFix

from engine import UnitOfWork, clock, errors, service
from engine.service import Actor

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_EXEMPT = frozenset({"auth.login"})
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
       "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth",
                description="Sign-in, sign-out and the CSRF token")


def uow() -> UnitOfWork:
    """A new unit of work from the app's factory; use as `with uow() as u:`."""
    return current_app.extensions["vocflow"]["uow_factory"]()  # type: ignore[no-any-return]


class SessionUser:
    """The flask-login view of a cookie session: the username and the session generation it
    was issued at; the request's unit of work looks the person up and compares the
    generation (so sign-out, a password change and disabling end the cookie at once)."""

    is_active = True
    is_authenticated = True
    is_anonymous = False

    def __init__(self, username: str, generation: int) -> None:
        self.username = username
        self.generation = generation

    def get_id(self) -> str:
        return f"{self.generation}:{self.username}"


def _load_user(user_id: str) -> SessionUser | None:
    generation, _, username = user_id.partition(":")
    if not generation.isdigit() or not username:
        return None  # a cookie from before session generations: sign in again
    return SessionUser(username, int(generation))


def _unauthorized() -> Response:
    raise errors.Unauthenticated("sign in first")


def client_address() -> str:
    """The caller's address (behind VOCFLOW_TRUSTED_PROXIES proxies: the forwarded one)."""
    return (request.remote_addr or "")[:64]


def basic_cache() -> service.signin.VerifiedCache:
    return current_app.extensions["vocflow"]["basic_cache"]  # type: ignore[no-any-return]


def _basic(u: UnitOfWork, header: str) -> Actor:
    try:
        raw = base64.b64decode(header.split(" ", 1)[1].strip(), validate=True).decode()
        username, password = raw.split(":", 1)
    except (IndexError, ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise errors.Unauthenticated("malformed Basic credentials") from exc
    return sign_in(u, username, password, cache=basic_cache())[0]


def sign_in(u: UnitOfWork, username: str, password: str,
            cache: service.signin.VerifiedCache | None = None) -> tuple[Actor, int]:
    """Check a password in the request's unit of work; a wrong one is counted in its own.

    Returns the actor and their session generation. The request fails on a wrong password,
    so its unit of work is rolled back first (it has done nothing but read, and on SQLite
    it holds the write lock) and the failure counters are committed by a separate small
    unit of work, as the 401/429 that follows would undo them.
    """
    if not 0 < len(username) <= 120:
        raise errors.Unauthenticated("wrong username or password")
    at = clock.now()
    result = service.signin.sign_in(u, username, password, client_address(), at, cache)
    result = _count_failure(u, result, username, at)
    if result.actor is not None:
        return result.actor, result.generation
    raise errors.Unauthenticated("wrong username or password",
                                 details={"retry_after": result.retry_after})


def _count_failure(u: UnitOfWork, result: service.signin.SignIn, username: str,
                   at: datetime) -> service.signin.SignIn:
    """Commit a wrong password's count apart from the failing request; 429 while locked."""
    if result.reason == service.signin.WRONG_PASSWORD:
        u.session.rollback()
        with uow() as failed:
            result = service.signin.record_failure(failed, username, client_address(), at)
        if result.retry_after:
            basic_cache().drop_user(username)
    if result.reason == service.signin.LOCKED:
        raise errors.TooManyAttempts(
            "too many failed sign-ins; try again later",
            details={"retry_after": result.retry_after})
    return result


def _bearer(u: UnitOfWork, header: str) -> Actor:
    token = header.split(" ", 1)[1].strip() if " " in header else ""
    actor = service.accounts.actor_for_token(u, token, clock.now()) if token else None
    if actor is None:
        raise errors.Unauthenticated("the token is unknown or revoked")
    return actor


def _session_actor(u: UnitOfWork) -> Actor | None:
    if not current_user.is_authenticated:
        return None
    return service.signin.actor_for_session(u, current_user.username, current_user.generation)


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
    """Cookie-authenticated changes need the session's token echoed in X-CSRF-Token."""
    if request.method not in UNSAFE_METHODS or request.endpoint in CSRF_EXEMPT:
        return
    if request.headers.get("Authorization") or "_user_id" not in session:
        return
    sent = request.headers.get(CSRF_HEADER, "")
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
    settings = app.extensions["vocflow"]["settings"]
    app.extensions["vocflow"]["basic_cache"] = service.signin.VerifiedCache(
        settings.basic_cache_seconds, settings.basic_cache_size)
    if settings.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)  # type: ignore[method-assign]
    app.before_request(_check_csrf)
    app.after_request(_security_headers)


class LoginSchema(Schema):
    username = fields.String(required=True, validate=lambda s: 0 < len(s) <= 120)
    password = fields.String(required=True, validate=lambda s: 0 < len(s) <= 1024)


class PasswordChangeSchema(Schema):
    current_password = fields.String(required=True, validate=lambda s: 0 < len(s) <= 1024)
    new_password = fields.String(required=True, validate=lambda s: 0 < len(s) <= 1024)


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

    Repeated failures from one address are slowed (429 with Retry-After) and then locked
    for 15 minutes, for that account from that address only (engine/service/signin.py).
    """
    with uow() as u:
        actor, generation = sign_in(u, body["username"], body["password"])
    return _start_session(actor, generation)


def _start_session(actor: Actor, generation: int) -> dict[str, Any]:
    session.clear()
    login_user(SessionUser(actor.username, generation))
    return _me(actor, csrf_token())


@blp.post("/logout")
@blp.response(204)
def logout() -> None:
    """Sign out: every cookie session of this user ends, on every device (tokens stay)."""
    if current_user.is_authenticated:
        with uow() as u:
            actor = _session_actor(u)
            if actor is not None:
                service.accounts.sign_out(u, actor, clock.now())
    logout_user()
    session.clear()


@blp.post("/password")
@blp.arguments(PasswordChangeSchema)
@blp.response(200, MeSchema)
def change_password(body: dict[str, Any]) -> dict[str, Any]:
    """Change my own password with the current one (throttled like a sign-in).

    Ends every session and revokes every token of mine; a cookie caller gets a fresh
    session (and CSRF token) in the answer.
    """
    at = clock.now()
    with uow() as u:
        actor = current_actor(u)
        result = service.accounts.change_own_password(
            u, body["current_password"], body["new_password"], actor=actor, now=at,
            address=client_address())
        if _count_failure(u, result, actor.username, at).actor is None:
            raise service.accounts.wrong_current_password()
    basic_cache().drop_user(actor.username)
    if current_user.is_authenticated and not request.headers.get("Authorization"):
        return _start_session(actor, result.generation)
    return _me(actor, None)


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
