"""Page tests: the app under a real threaded server on 127.0.0.1, Debian's chromium, headless.

One SQLite file per module, loaded by `vocflow demo` at a pinned clock; one browser context
per role; every page visited is screenshotted (tests/web/screenshots/, git-ignored) and
checked by axe-core (no serious or critical violation).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import time_machine
from click.testing import CliRunner
from werkzeug.serving import make_server

import api
import engine
import processes
from api.cli import cli
from engine import handlers, jobs

playwright_api = pytest.importorskip("playwright.sync_api")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BEIJING = timezone(timedelta(hours=8))
DEMO_CLOCK = datetime(2026, 11, 20, 10, 0, tzinfo=BEIJING)
SHOTS = Path(__file__).resolve().parent / "screenshots"
README_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
pytestmark = [pytest.mark.slow]


@dataclass
class World:
    """The running server, its database and the demo's passwords."""

    base: str
    passwords: dict[str, str]
    uow_factory: engine.UowFactory
    settings: engine.Settings
    visited: list[str] = field(default_factory=list)

    def run_worker(self) -> int:
        """What `vocflow worker` does once: every due job, at the (moved) clock."""
        handlers.register_all()
        return len(jobs.run_until_idle(self.uow_factory, self.settings, "web-test"))


def _demo(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp)
    monkeypatch.setenv("VOCFLOW_DATABASE_URL", f"sqlite:///{tmp / 'web.db'}")
    monkeypatch.setenv("VOCFLOW_FILE_DIR", str(tmp / "files"))
    monkeypatch.delenv("VOCFLOW_PROCESS_DIR", raising=False)  # the packaged diagrams
    with time_machine.travel(DEMO_CLOCK, tick=True):
        done = CliRunner().invoke(cli, ["demo"], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    rows = re.findall(r"^  (\S+)\s+(\S+)\s+\S", done.output, re.M)
    return dict(rows)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("web")
    with pytest.MonkeyPatch.context() as monkeypatch:
        passwords = _demo(tmp, monkeypatch)
        settings = engine.Settings(database_url=f"sqlite:///{tmp / 'web.db'}",
                                   file_dir=tmp / "files", process_dir=processes.DIRECTORY,
                                   secret_key="t" * 48)
        db = engine.make_engine(settings.database_url)
        factory = engine.make_uow_factory(engine.make_sessionmaker(db))
        app = api.create_app(settings, uow_factory=factory)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield World(f"http://127.0.0.1:{server.server_port}", passwords, factory, settings)
        finally:
            server.shutdown()
            thread.join(timeout=10)
            db.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


@dataclass
class Person:
    """One role in its own browser context."""

    world: World
    page: Any
    name: str

    def go(self, path: str) -> Any:
        self.page.goto(self.world.base + path)
        return self.page

    def sign_in(self, username: str, password: str | None = None) -> None:
        self.go("/signin")
        self.page.fill("#username", username)
        self.page.fill("#password", password or self.world.passwords[username])
        self.page.click("form[action='/signin'] button[type=submit]")
        self.page.wait_for_load_state()
        assert "/signin" not in self.page.url, self.page.content()[:2000]

    def shot(self, name: str, readme: bool = False) -> Path:
        """Screenshot (and axe check) of the page as it is now."""
        self.page.wait_for_load_state("networkidle")
        path = SHOTS / f"{self.name}-{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        if readme and os.environ.get("VOCFLOW_README_SCREENSHOTS") == "1":
            # Only on request: a test run must not rewrite tracked files.
            README_SHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, README_SHOTS / f"{name}.png")
        check_axe(self.page, f"{self.name}-{name}")
        self.world.visited.append(f"{self.name}-{name}")
        return path


def check_axe(page: Any, label: str) -> None:
    """No serious or critical axe-core violation on the page."""
    results = axe_module.Axe().run(page)
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
           for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"{label}: {bad}"


@pytest.fixture(scope="module")
def people(world: World, browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def person(name: str, width: int = 1280) -> Person:
        context = browser.new_context(viewport={"width": width, "height": 900},
                                      locale="zh-CN")
        context.set_default_timeout(20_000)
        contexts.append(context)
        return Person(world, context.new_page(), name)

    yield person
    for context in contexts:
        context.close()
