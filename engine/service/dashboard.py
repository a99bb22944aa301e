"""The Ministry's annual figures per province x key task, and the projects behind each one."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine import catalogue, clock
from engine.errors import NotFound, ValidationFailed
from engine.repository import ScopeFilter
from engine.repository.facts import RATINGS, REPORTS, STATES
from engine.service.actors import Actor
from engine.service.facts import report_deadline
from engine.service.scopes import figures_scope
from engine.uow import UnitOfWork

SUMMARY_STATES = ("open", "submitted", "returned", "acknowledged", "terminated")
RECEIVED = ("submitted", "returned", "acknowledged")  # the province has sent its report
STATE_LABELS = {
    "draft": ("待提交方案", "Plan not submitted"), "in_review": ("评审中", "In review"),
    "approved": ("评审通过", "Approved"), "recommended": ("已推荐", "Recommended"),
    "confirmed": ("已确认", "Confirmed"), "rejected": ("未通过", "Rejected"),
    "not_recommended": ("未推荐", "Not recommended"), "completed": ("已结项", "Completed"),
    "terminated": ("已终止", "Terminated"),
}
REPORT_LABELS = {"on_time": ("按时提交", "On time"), "late": ("逾期提交", "Late"),
                 "missing": ("未提交", "Missing"), "pending": ("待提交", "Not yet due")}
SUMMARY_LABELS = {"open": ("待提交", "Open"), "submitted": ("已提交", "Submitted"),
                  "returned": ("退回修改", "Returned"),
                  "acknowledged": ("已确认收悉", "Acknowledged"),
                  "terminated": ("已终止", "Terminated")}
MEASURES = ("projects", *(f"state:{s}" for s in STATES), *(f"report:{r}" for r in REPORTS),
            *(f"rating:{g}" for g in RATINGS), "summaries", "summaries_received",
            *(f"summary:{s}" for s in SUMMARY_STATES))


@dataclass(frozen=True)
class Cell:
    """The figures of one province x key task (None, None in the totals row).

    states: STATES -> count; reports: REPORTS -> count (of projects a report is due from);
    ratings: 优秀/良好/合格/不合格 -> count; summaries: SUMMARY_STATES -> count.
    """

    province_code: str | None
    key_task: str | None
    projects: int
    states: Mapping[str, int]
    reports: Mapping[str, int]
    ratings: Mapping[str, int]
    summaries: Mapping[str, int]

    @property
    def summaries_received(self) -> int:
        return sum(self.summaries.get(s, 0) for s in RECEIVED)

    @property
    def reports_due(self) -> int:
        return sum(self.reports.values())


@dataclass(frozen=True)
class AnnualFigures:
    """annual_figures' answer: cells ordered by province, key task, with their totals.

    deadline: the year's report deadline (UTC); by_key_task / by_province: totals per key
    task and per province; totals: all cells.
    """

    year: int
    deadline: datetime
    as_of: datetime
    cells: tuple[Cell, ...]
    by_key_task: tuple[Cell, ...]
    by_province: tuple[Cell, ...]
    totals: Cell


@dataclass(frozen=True)
class DrillRow:
    """One project (kind 'project') or provincial summary (kind 'summary') behind a figure.

    state: a STATES / SUMMARY_STATES code; report_status: a REPORTS code or None when no
    report is due; rating: 优秀/良好/合格/不合格 or None; link to /instances/<instance_id>.
    """

    instance_id: str
    kind: str
    province_code: str | None
    key_task: str | None
    unit_id: str | None
    unit_name: str | None
    project_name: str | None
    state: str
    report_status: str | None
    rating: str | None
    reported_at: datetime | None
    submitted_at: datetime | None


@dataclass(frozen=True)
class Labels:
    """Names for the codes the figures use: provinces and key tasks as (zh-CN, English)."""

    provinces: Mapping[str, tuple[str, str]]
    key_tasks: Mapping[str, tuple[str, str]]


@functools.cache
def labels() -> Labels:
    """Province and key task names from the product catalogue (read once)."""
    cat = catalogue.load_catalogue()
    return Labels({p.code: (p.name_zh, p.name_en) for p in cat.provinces},
                  {k.code: (k.name_zh, k.name_en) for k in cat.key_tasks})


def available_years(uow: UnitOfWork, actor: Actor) -> tuple[int, ...]:
    """The years the actor has figures for (the year picker), oldest first."""
    first, last = uow.facts.year_span(figures_scope(actor))
    if first is None or last is None:
        return ()
    return tuple(range(first, last + 1))


def _empty(province: str | None, key_task: str | None) -> Cell:
    return Cell(province, key_task, 0, {s: 0 for s in STATES}, {r: 0 for r in REPORTS},
                {g: 0 for g in RATINGS}, {s: 0 for s in SUMMARY_STATES})


def _add(total: Cell, cell: Cell) -> Cell:
    def plus(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
        return {k: a.get(k, 0) + b.get(k, 0) for k in a}
    return Cell(total.province_code, total.key_task, total.projects + cell.projects,
                plus(total.states, cell.states), plus(total.reports, cell.reports),
                plus(total.ratings, cell.ratings), plus(total.summaries, cell.summaries))


def check_filter(scope: ScopeFilter, province: str | None, key_task: str | None) -> None:
    """NotFound when no row of this province / key task can be in the actor's scope."""
    if scope.unrestricted:
        return
    by_province = province in scope.province_codes if province else bool(scope.province_codes)
    by_key_task = key_task in scope.key_tasks if key_task else bool(scope.key_tasks)
    if not (by_province or by_key_task):
        raise NotFound(f"no figures for province {province or '*'}, key task {key_task or '*'}")


def _cells(uow: UnitOfWork, year: int, scope: ScopeFilter, now: datetime,
           province: str | None, key_task: str | None) -> dict[tuple[str, str], Cell]:
    cells: dict[tuple[str, str], Cell] = {}
    for row in uow.facts.project_figures(year, scope, deadline=report_deadline(year), now=now,
                                         province=province, key_task=key_task):
        m = row._mapping
        cells[(row.province_code, row.key_task)] = Cell(
            row.province_code, row.key_task, int(m["projects"]),
            {s: int(m[f"state_{s}"]) for s in STATES},
            {r: int(m[f"report_{r}"]) for r in REPORTS},
            {g: int(m[f"rating_{i}"]) for i, g in enumerate(RATINGS)},
            {s: 0 for s in SUMMARY_STATES})
    for row in uow.facts.summary_figures(year, scope, province=province, key_task=key_task):
        pair = (row.province_code, row.key_task)
        cell = cells.get(pair) or _empty(*pair)
        summaries = {**cell.summaries, row.state: cell.summaries.get(row.state, 0) + row.n}
        cells[pair] = Cell(cell.province_code, cell.key_task, cell.projects, cell.states,
                           cell.reports, cell.ratings, summaries)
    return cells


def _group(cells: list[Cell], key: Any) -> tuple[Cell, ...]:
    groups: dict[Any, Cell] = {}
    for cell in cells:
        name = key(cell)
        start = groups.get(name) or _empty(*((name, None) if key is _province else (None, name)))
        groups[name] = _add(start, cell)
    return tuple(groups[k] for k in sorted(groups, key=lambda k: k or ""))


def _province(cell: Cell) -> str | None:
    return cell.province_code


def _key_task(cell: Cell) -> str | None:
    return cell.key_task


def annual_figures(uow: UnitOfWork, year: int, actor: Actor, *, province: str | None = None,
                   key_task: str | None = None, now: datetime | None = None) -> AnnualFigures:
    """Projects by state, annual reports (on time / late / missing / pending against
    15 December 23:59 Beijing time), ratings and provincial summaries received, per
    province x key task of the year, in the actor's scope (Forbidden for units).

    A project counts for the years of its plan's period (its start year before a plan).
    Two grouped queries over the instance_facts / project_years projections.
    """
    scope = figures_scope(actor)
    check_filter(scope, province, key_task)
    now = now or clock.now()
    found = _cells(uow, year, scope, now, province, key_task)
    cells = [found[k] for k in sorted(found, key=lambda k: (k[0] or "", k[1] or ""))]
    totals = _empty(None, None)
    for cell in cells:
        totals = _add(totals, cell)
    return AnnualFigures(year, report_deadline(year), now, tuple(cells),
                         _group(cells, _key_task), _group(cells, _province), totals)


def _measure(measure: str) -> tuple[str, str | None]:
    if measure not in MEASURES:
        raise ValidationFailed(f"unknown measure '{measure}'",
                               details={"measure": measure, "allowed": list(MEASURES)})
    kind, _, value = measure.partition(":")
    return kind, value or None


def drill_down(uow: UnitOfWork, year: int, actor: Actor, *, province: str | None,
               key_task: str | None, measure: str, now: datetime | None = None,
               limit: int | None = 1000, offset: int = 0) -> tuple[DrillRow, ...]:
    """The projects (or summaries) behind one figure; province / key_task None = all
    (the totals row). measure: one of MEASURES ("projects", "state:approved",
    "report:late", "rating:优秀", "summaries", "summaries_received", "summary:submitted").
    """
    scope = figures_scope(actor)
    check_filter(scope, province, key_task)
    kind, value = _measure(measure)
    now = now or clock.now()
    if kind.startswith("summar"):
        states = RECEIVED if kind == "summaries_received" else (value,) if value else None
        rows = uow.facts.summary_rows(year, scope, province=province, key_task=key_task,
                                      states=states, limit=limit, offset=offset)
        return tuple(DrillRow(r.instance_id, "summary", r.province_code, r.key_task, None,
                              None, None, r.state, None, None, None, r.submitted_at)
                     for r in rows)
    filters = {"state": value} if kind == "state" else {"report": value} if kind == "report" \
        else {"rating": value} if kind == "rating" else {}
    rows2 = uow.facts.project_rows(year, scope, deadline=report_deadline(year), now=now,
                                   province=province, key_task=key_task, limit=limit,
                                   offset=offset, **filters)
    return tuple(DrillRow(r.instance_id, "project", r.province_code, r.key_task, r.unit_id,
                          r.unit_name, r.title, r.state, r.report_status, r.rating,
                          r.reported_at, None) for r in rows2)
