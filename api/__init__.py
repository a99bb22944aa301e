"""create_app(settings): the only way to build the VocFlow web app."""

from __future__ import annotations

import logging
import os
import secrets
import uuid
from pathlib import Path

from flask import Flask
from flask_smorest import Api

import engine
from api import auth, errors, json_guard, web
from api.engine_rest import blueprint as engine_rest_blueprint
from api.routing import LazyBuildRule
from api.schemas import ErrorSchema
from api.v1 import BLUEPRINTS, docs
from engine import Settings, UowFactory

LOG = logging.getLogger("vocflow.api")
SECRET_KEY_FILE = Path("var") / "secret_key"

API_CONFIG = {
    "API_TITLE": "VocFlow",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "info": {"description": "VocFlow REST API (职业教育重点任务评审推荐流程)"},
        "components": {"securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "basic": {"type": "http", "scheme": "basic"},
            "session": {"type": "apiKey", "in": "cookie", "name": "vocflow_session"},
        }},
        "security": [{"bearer": []}, {"basic": []}, {"session": []}],
    },
}


class VocflowApi(Api):
    """flask-smorest, documenting our error envelope instead of its own."""

    ERROR_SCHEMA = ErrorSchema


def stored_secret_key(path: Path = SECRET_KEY_FILE) -> str:
    """The key in path, created once (mode 0600) so that every worker process shares it.

    The new key is written to a private temporary file and linked into place: link fails
    when another process won the race, and then that process's complete key is read.
    """
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # var/: this user only
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_hex(32).encode())
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
            LOG.warning("VOCFLOW_SECRET_KEY is not set: created %s", path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable key; delete it or set VOCFLOW_SECRET_KEY")
    return key


def _uow_factory(settings: Settings) -> UowFactory:
    db = engine.make_engine(settings.database_url)
    engine.ensure_current(db)
    return engine.make_uow_factory(engine.make_sessionmaker(db))


def create_app(settings: Settings | None = None, *, uow_factory: UowFactory | None = None,
               testing: bool = False) -> Flask:
    """Build the app: database (migrated on start), sign-in, /api/v1, /engine-rest, errors.

    Pass uow_factory to share a database binding (tests); otherwise one is built from
    settings.database_url and the schema is brought up to date first.
    """
    settings = settings or engine.load_settings()
    engine.configure_script_limits(settings.script_time_limit, settings.script_memory_limit_mb)
    app = Flask(__name__)
    app.url_rule_class = LazyBuildRule
    app.testing = testing
    app.config.update(API_CONFIG, SECRET_KEY=settings.secret_key or stored_secret_key(),
                      # a file's base64 in a Camunda File variable is 4/3 of its size
                      MAX_CONTENT_LENGTH=settings.max_file_bytes * 4 // 3 + 1024 * 1024)
    factory = uow_factory or _uow_factory(settings)
    app.extensions["vocflow"] = {"uow_factory": factory, "settings": settings}
    app.extensions["uow_factory"] = factory  # the /engine-rest package reads this key
    auth.init_app(app)
    json_guard.init_app(app)
    api = VocflowApi(app)
    api.register_blueprint(auth.blp)
    for blp in BLUEPRINTS:
        api.register_blueprint(blp)
    app.register_blueprint(docs.blp)
    app.register_blueprint(engine_rest_blueprint)
    web.register(app)
    errors.register(app)
    return app


__all__ = ["create_app", "stored_secret_key"]
