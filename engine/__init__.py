"""VocFlow engine: the public surface that api/ and the CLI import."""

from engine import clock, errors, service, work_bell, work_listener
from engine.commands import ActorSource, call, execute, execute_storing_files
from engine.config import Settings, load_settings
from engine.db import make_engine, make_sessionmaker
from engine.expressions.limits import configure as configure_script_limits
from engine.schema import ensure_current, upgrade
from engine.uow import UnitOfWork, UowFactory, make_uow_factory

__all__ = [
    "ActorSource", "Settings", "UnitOfWork", "UowFactory", "call", "clock",
    "configure_script_limits", "ensure_current",
    "errors", "execute", "execute_storing_files",
    "load_settings", "make_engine", "make_sessionmaker", "make_uow_factory", "service",
    "upgrade", "work_bell", "work_listener",
]
