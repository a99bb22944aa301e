"""The instance page's activity timeline, read from the historic activity instances: every
run with its start and end in Beijing time, its duration and who held it; in English too."""

from __future__ import annotations

import engine
from api.web.common import beijing
from engine import service
from engine.service.activity_timeline import instance_activities


def _runs(world, instance_id):
    return engine.execute(world.uow_factory, service.SYSTEM_ACTOR, instance_activities,
                          instance_id).runs


def _first_instance(ops) -> str:
    page = ops.go("/ops")
    link = page.locator("a[href^='/instances/']").first
    href = link.get_attribute("href")
    link.click()
    page.wait_for_load_state()
    return href.removeprefix("/instances/").split("?")[0].split("#")[0]


def test_the_timeline_shows_every_run_in_beijing_time(world, people):
    ops = people("timeline-ops")
    ops.sign_in("ops")
    instance_id = _first_instance(ops)
    runs = _runs(world, instance_id)
    assert len(runs) >= 3
    page = ops.page
    rows = page.locator("#activity-timeline tbody tr")
    assert rows.count() == len(runs)
    for index, run in enumerate(runs):
        row = rows.nth(index)
        assert row.get_attribute("data-activity") == run.element_id
        start = row.locator("td.start time")
        assert start.inner_text() == beijing(run.started_at, "%Y-%m-%d %H:%M:%S")
        assert row.locator("td.who").inner_text() == (run.assignee or "")
        if run.ended_at is None:
            assert "进行中" in row.locator("td.end").inner_text()
            assert row.locator("td.duration").inner_text() == ""
        else:
            assert row.locator("td.duration").inner_text() != ""
    first = runs[0]
    shown = rows.first.locator("td.start time").inner_text()
    # 8 hours ahead of the stored UTC time: the page is in Beijing time, not the server's
    assert int(shown[11:13]) == (first.started_at.hour + 8) % 24
    assert rows.first.locator("td").first.inner_text() == "开始事件"
    ops.shot("instance-activity-timeline")
    page.click("nav a[lang=en]")
    page.wait_for_load_state()
    ops.go(f"/instances/{instance_id}")
    assert page.locator("#activity-timeline-title").inner_text() == "Activity timeline"
    heads = page.locator("#activity-timeline thead th").all_inner_texts()
    assert heads == ["Activity", "Type", "Started", "Ended", "Duration", "Assignee"]
    assert page.locator("#activity-timeline tbody tr").first.locator(
        "td").first.inner_text() == "Start event"
    ops.shot("instance-activity-timeline-en")
