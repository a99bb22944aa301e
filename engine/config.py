"""Settings read from the environment; no Flask, no I/O beyond os.environ."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SQLITE_PATH = Path("var") / "vocflow.db"


@dataclass(frozen=True)
class Settings:
    """Everything the engine needs to know about its surroundings."""

    database_url: str = field(default_factory=lambda: f"sqlite:///{DEFAULT_SQLITE_PATH}")
    process_dir: Path = Path("processes")
    file_dir: Path = Path("var") / "files"
    poll_interval: float = 2.0
    job_lease_seconds: int = 300
    # Jobs a worker claims per poll, per thread: small, so that several workers share a
    # burst; a full batch is followed at once by the next claim (Camunda's job executor
    # acquires 3 at a time and likewise re-acquires without waiting).
    job_batch_size: int = 10
    timer_grace_seconds: int = 300
    external_task_retries: int = 3
    max_file_bytes: int = 20 * 1024 * 1024
    smtp_host: str | None = None
    smtp_port: int = 25
    mail_from: str = "vocflow@localhost"
    secret_key: str | None = None
    script_time_limit: float = 2.0  # CPU seconds per script, condition or expression
    script_memory_limit_mb: int = 128  # what one script may allocate
    basic_cache_seconds: float = 60.0  # how long a verified Basic (user, password) is reused
    basic_cache_size: int = 1024
    trusted_proxies: int = 0  # reverse proxies in front whose X-Forwarded-For is believed
    # hosts the built-in http-connector may call ("host", "host:port" or "*.domain");
    # none by default: a government intranet decides what a diagram may reach
    http_connector_hosts: tuple[str, ...] = ()
    http_connector_timeout: float = 30.0  # seconds per outbound request

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build Settings from VOCFLOW_* environment variables, falling back to defaults."""
    env = dict(os.environ if environ is None else environ)
    defaults = Settings()
    return Settings(
        database_url=env.get("VOCFLOW_DATABASE_URL", defaults.database_url),
        process_dir=Path(env.get("VOCFLOW_PROCESS_DIR", str(defaults.process_dir))),
        file_dir=Path(env.get("VOCFLOW_FILE_DIR", str(defaults.file_dir))),
        poll_interval=float(env.get("VOCFLOW_POLL_INTERVAL", defaults.poll_interval)),
        job_lease_seconds=int(env.get("VOCFLOW_JOB_LEASE_SECONDS", defaults.job_lease_seconds)),
        job_batch_size=max(1, int(env.get("VOCFLOW_JOB_BATCH_SIZE", defaults.job_batch_size))),
        timer_grace_seconds=int(
            env.get("VOCFLOW_TIMER_GRACE_SECONDS", defaults.timer_grace_seconds)
        ),
        external_task_retries=int(
            env.get("VOCFLOW_EXTERNAL_TASK_RETRIES", defaults.external_task_retries)
        ),
        max_file_bytes=int(env.get("VOCFLOW_MAX_FILE_BYTES", defaults.max_file_bytes)),
        smtp_host=env.get("VOCFLOW_SMTP_HOST") or None,
        smtp_port=int(env.get("VOCFLOW_SMTP_PORT", defaults.smtp_port)),
        mail_from=env.get("VOCFLOW_MAIL_FROM", defaults.mail_from),
        secret_key=env.get("VOCFLOW_SECRET_KEY") or None,
        script_time_limit=float(
            env.get("VOCFLOW_SCRIPT_TIME_LIMIT", defaults.script_time_limit)),
        script_memory_limit_mb=int(
            env.get("VOCFLOW_SCRIPT_MEMORY_LIMIT_MB", defaults.script_memory_limit_mb)),
        basic_cache_seconds=float(
            env.get("VOCFLOW_BASIC_CACHE_SECONDS", defaults.basic_cache_seconds)),
        basic_cache_size=int(env.get("VOCFLOW_BASIC_CACHE_SIZE", defaults.basic_cache_size)),
        trusted_proxies=int(env.get("VOCFLOW_TRUSTED_PROXIES", defaults.trusted_proxies)),
        http_connector_hosts=tuple(
            h.strip().lower() for h in env.get("VOCFLOW_HTTP_CONNECTOR_HOSTS", "").split(",")
            if h.strip()),
        http_connector_timeout=float(
            env.get("VOCFLOW_HTTP_CONNECTOR_TIMEOUT", defaults.http_connector_timeout)),
    )
