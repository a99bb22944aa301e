"""Alembic wiring: bring a database's schema to the newest revision."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Apply every pending migration (all branch heads); a no-op when the schema is current."""
    cfg = alembic_config()
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        conn.commit()


def is_current(engine: Engine) -> bool:
    script = ScriptDirectory.from_config(alembic_config())
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    return set(current) == set(script.get_heads())


def ensure_current(engine: Engine) -> None:
    """Upgrade only when needed, so that commands that need the database stay fast."""
    if not is_current(engine):
        upgrade(engine)


def applied_revisions(heads: list[str]) -> list[str]:
    """Every revision id up to `heads`, oldest first: a revision is applied exactly when a
    head recorded in alembic_version descends from it."""
    script = ScriptDirectory.from_config(alembic_config())
    chain = list(script.iterate_revisions(tuple(heads), "base")) if heads else []
    return [rev.revision for rev in reversed(chain)]
