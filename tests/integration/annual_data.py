"""A small year of the product, driven through the service layer: the dashboard's test data.

2026, key task KT01: in province 11 P1 reports on time (优秀), P2 late (良好), P3 is confirmed
and never reports, P5 is rejected; in province 12 P4 waits in review. Province 11 sends its
provincial summary. Units U1-U5 exist with Chinese names.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine import clock
from engine.handlers.summaries import summary_key
from engine.models import Unit
from engine.service import SYSTEM_ACTOR
from tests.processes.scenario_helpers import (
    REVIEW,
    People,
    World,
    annual_report,
    people,
    plan_data,
    start_project,
    to_annual_assessment,
    travel,
    utc,
)

BEFORE_DEADLINE = utc(2026, 11, 25)
AFTER_DEADLINE = utc(2026, 12, 20, 4)
UNIT_NAMES = {f"U{i}": f"第{i}职业技术学院" for i in range(1, 6)}


@dataclass
class Year:
    world: World
    p1: str
    p2: str
    p3: str
    p4: str
    p5: str
    summary: str
    people: dict[str, People]


def _units(world: World) -> None:
    with world.uow_factory() as uow:
        repo = uow.product
        for serial, (unit_id, name) in enumerate(sorted(UNIT_NAMES.items()), start=1):
            province = "12" if unit_id == "U4" else "11"
            repo.add(Unit(id=unit_id, name=name, credit_code=f"91110000800000{serial:03d}X",
                          unit_type="higher_vocational", province_code=province,
                          created_at=clock.now()))


def _rate(world: World, pid: str, p: People, rating: str) -> None:
    world.complete(pid, "Task_ProvincialAssessment", p.reviewer, {"rating": rating})


def build_year(world: World) -> Year:
    """Run the year up to AFTER_DEADLINE (the clock is left where the caller had it)."""
    _units(world)
    ps = {u: people(world, u, "12" if u == "U4" else "11") for u in UNIT_NAMES}
    p1, p2, p3 = (to_annual_assessment(world, ps[u]) for u in ("U1", "U2", "U3"))
    p4 = start_project(world, ps["U4"])
    world.complete(p4, "Task_SubmitPlan", ps["U4"].unit, plan_data(world, ps["U4"].unit, "U4"))
    p5 = start_project(world, ps["U5"])
    world.complete(p5, "Task_SubmitPlan", ps["U5"].unit, plan_data(world, ps["U5"].unit, "U5"))
    world.complete(p5, "Task_ReviewPlan", ps["U5"].reviewer, REVIEW["reject"])
    world.run_jobs()
    summary = world.start("provincial_summary", SYSTEM_ACTOR, summary_key("11", "KT01", 2026),
                          province_code="11", key_task="KT01", year=2026)
    reviewer = ps["U1"].reviewer
    with travel(utc(2026, 11, 1, 0)):
        world.run_jobs()
    with travel(utc(2026, 11, 20)):
        annual_report(world, p1, ps["U1"], 2026, actual=10)
        _rate(world, p1, ps["U1"], "优秀")
        world.run_jobs()
    with travel(utc(2026, 12, 20, 2)):
        annual_report(world, p2, ps["U2"], 2026, actual=10)
        _rate(world, p2, ps["U2"], "良好")
        world.run_jobs()
        world.complete(summary, "Task_WriteSummary", reviewer, {
            "summary_text": "本省2026年度职业教育重点任务总体进展顺利，详见报告。",
            "summary_file": world.upload(reviewer, "province:11", "省级总结.pdf")})
    return Year(world, p1, p2, p3, p4, p5, summary, ps)
