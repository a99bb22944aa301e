"""engine.service.dashboard: annual figures per province x key task, scope, drill-down."""

from __future__ import annotations

import pytest

from engine import service
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.service.dashboard import annual_figures, available_years, drill_down, labels
from tests.integration.annual_data import AFTER_DEADLINE, BEFORE_DEADLINE, Year, build_year
from tests.processes.scenario_helpers import START, World, settings_for, travel


@pytest.fixture
def year(uow_factory, tmp_path):
    with travel(START):
        world = World(uow_factory, settings_for(tmp_path))
        world.deploy()
        yield build_year(world)


def _figures(year: Year, actor, **kwargs):
    with year.world.uow_factory() as uow:
        return annual_figures(uow, 2026, actor, **kwargs)


def _drill(year: Year, actor, measure, province="11", key_task="KT01", **kwargs):
    with year.world.uow_factory() as uow:
        return drill_down(uow, 2026, actor, province=province, key_task=key_task,
                          measure=measure, **kwargs)


def test_figures_count_states_reports_ratings_and_summaries(year):
    figures = _figures(year, service.SYSTEM_ACTOR, now=AFTER_DEADLINE)
    assert [(c.province_code, c.key_task) for c in figures.cells] == [("11", "KT01"),
                                                                       ("12", "KT01")]
    p11, p12 = figures.cells
    assert p11.projects == 4 and p12.projects == 1
    assert {k: v for k, v in p11.states.items() if v} == {"completed": 2, "confirmed": 1,
                                                            "rejected": 1}
    assert {k: v for k, v in p12.states.items() if v} == {"in_review": 1}
    assert p11.reports == {"on_time": 1, "late": 1, "missing": 1, "pending": 0}
    assert p12.reports_due == 0
    assert p11.ratings == {"优秀": 1, "良好": 1, "合格": 0, "不合格": 0}
    assert p11.summaries_received == 1 and p12.summaries_received == 0
    assert figures.totals.projects == 5 and figures.totals.reports["late"] == 1
    assert [c.key_task for c in figures.by_key_task] == ["KT01"]
    assert figures.by_key_task[0].projects == 5
    assert figures.deadline.isoformat() == "2026-12-15T15:59:00+00:00"


def test_before_the_deadline_an_unsent_report_is_pending_not_missing(year):
    p11 = _figures(year, service.SYSTEM_ACTOR, now=BEFORE_DEADLINE).cells[0]
    assert p11.reports == {"on_time": 1, "late": 1, "missing": 0, "pending": 1}


def test_other_years_have_no_figures(year):
    with year.world.uow_factory() as uow:
        assert annual_figures(uow, 2027, service.SYSTEM_ACTOR).cells == ()


def test_drill_down_lists_the_projects_behind_a_number(year):
    [late] = _drill(year, service.SYSTEM_ACTOR, "report:late", now=AFTER_DEADLINE)
    assert (late.instance_id, late.unit_name, late.state) == (year.p2, "第2职业技术学院",
                                                              "completed")
    assert late.project_name == "U2 市域产教联合体建设项目" and late.rating == "良好"
    [missing] = _drill(year, service.SYSTEM_ACTOR, "report:missing", now=AFTER_DEADLINE)
    assert missing.instance_id == year.p3 and missing.report_status == "missing"
    [best] = _drill(year, service.SYSTEM_ACTOR, "rating:优秀")
    assert best.instance_id == year.p1 and best.report_status == "on_time"
    every = _drill(year, service.SYSTEM_ACTOR, "projects", province=None, key_task=None)
    assert sorted(r.instance_id for r in every) == sorted(
        [year.p1, year.p2, year.p3, year.p4, year.p5])
    [summary] = _drill(year, service.SYSTEM_ACTOR, "summaries_received")
    assert summary.instance_id == year.summary and summary.state == "submitted"
    assert summary.submitted_at is not None
    with pytest.raises(ValidationFailed):
        _drill(year, service.SYSTEM_ACTOR, "everything")


def test_a_province_sees_its_own_province_only(year):
    reviewer12 = year.people["U4"].reviewer
    figures = _figures(year, reviewer12)
    assert [(c.province_code, c.projects) for c in figures.cells] == [("12", 1)]
    assert figures.totals.projects == 1
    with pytest.raises(NotFound):
        _figures(year, reviewer12, province="11")
    with pytest.raises(NotFound):
        _drill(year, reviewer12, "projects", province="11")
    assert [r.instance_id for r in _drill(year, reviewer12, "projects", province=None,
                                          key_task=None)] == [year.p4]


def test_the_ministry_sees_its_key_tasks_in_every_province_and_units_see_nothing(year):
    moe = year.people["U1"].ministry
    assert [c.province_code for c in _figures(year, moe).cells] == ["11", "12"]
    moe2 = year.world.user("moe-KT02", "ministry:KT02")
    assert _figures(year, moe2).cells == ()
    with pytest.raises(NotFound):
        _figures(year, moe2, key_task="KT01")
    with pytest.raises(Forbidden):
        _figures(year, year.people["U1"].unit)
    with pytest.raises(Forbidden):
        _drill(year, year.people["U1"].unit, "projects")


def test_terminated_projects_count_as_terminated(year):
    with year.world.uow_factory() as uow:
        service.terminate_instance(uow, year.p3, service.SYSTEM_ACTOR, AFTER_DEADLINE)
    p11 = _figures(year, service.SYSTEM_ACTOR, now=AFTER_DEADLINE).cells[0]
    assert p11.states["terminated"] == 1 and p11.states["confirmed"] == 0
    assert p11.reports["missing"] == 0


def test_year_picker_and_labels(year):
    with year.world.uow_factory() as uow:
        assert available_years(uow, service.SYSTEM_ACTOR) == (2026,)
        assert available_years(uow, year.people["U4"].reviewer) == (2026,)
        assert available_years(uow, year.world.user("moe-KT09", "ministry:KT09")) == ()
        with pytest.raises(Forbidden):
            available_years(uow, year.people["U1"].unit)
    assert labels().provinces["11"] == ("北京市", "Beijing")
    assert len(labels().provinces) == 32 and len(labels().key_tasks) == 11
