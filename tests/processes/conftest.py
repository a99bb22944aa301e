"""Scenario fixtures: a world with the product diagrams deployed, at the scenarios' start date."""

from __future__ import annotations

import pytest

from tests.processes.scenario_helpers import START, World, settings_for, travel


@pytest.fixture
def world(uow_factory, tmp_path):
    with travel(START):
        w = World(uow_factory, settings_for(tmp_path))
        w.deploy()
        yield w
