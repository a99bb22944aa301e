"""Screen: the Ministry's (and each province's) annual dashboard, drill-down, Excel export."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from api.web import forms_view
from api.web.common import BEIJING, run, script_json, signed_in
from engine import clock
from engine.catalogue import shipped_catalogue
from engine.service import dashboard
from engine.service import export as workbook

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
FIRST_YEAR = 2023  # the notice's year: no figures before it
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _pair(labels: dict[str, tuple[str, str]], code: str) -> str:
    pair = labels.get(code, (code, code))
    return pair[1] if forms_view.english() else pair[0]


def _year() -> int:
    default = clock.now().astimezone(BEIJING).year
    year = request.args.get("year", default, type=int)
    return year if FIRST_YEAR <= year <= 2035 else default


def _chart(figures: dashboard.AnnualFigures) -> str:
    """ECharts options: reports per key task (stacked), ratings overall."""
    kts = [c.key_task or "" for c in figures.by_key_task]
    series = [{"name": _pair(dashboard.REPORT_LABELS, r), "type": "bar", "stack": "r",
               "data": [c.reports.get(r, 0) for c in figures.by_key_task]}
              for r in dashboard.REPORTS]
    ratings = [{"name": g, "value": figures.totals.ratings.get(g, 0)} for g in dashboard.RATINGS]
    return script_json({
        "reports": {"tooltip": {}, "legend": {}, "xAxis": {"type": "category", "data": kts},
                    "yAxis": {"type": "value", "minInterval": 1}, "series": series,
                    "aria": {"enabled": True}, "animation": False},
        "ratings": {"tooltip": {}, "legend": {}, "aria": {"enabled": True}, "animation": False,
                    "series": [{"type": "pie", "radius": "60%", "data": ratings,
                                "stillShowZeroSum": False}]},
    })


def _rows(figures: dashboard.AnnualFigures, year: int) -> list[dict[str, Any]]:
    """Each table row's number cells (count, drill-down link) as HTML built here: 352 rows of
    15 numbers are too many for the template to draw cell by cell (bench/web.py)."""
    base = url_for("web.dashboard.drill")
    measures = (["projects"] + [f"state:{s}" for s in dashboard.STATES]
                + [f"report:{r}" for r in dashboard.REPORTS]
                + [f"rating:{g}" for g in dashboard.RATINGS] + ["summaries_received"])
    quoted = [(quote(m), "report-" + m[7:] if m.startswith("report:") else "")
              for m in measures]
    rows = []
    for c in figures.cells:
        values = ([c.projects] + [c.states.get(s, 0) for s in dashboard.STATES]
                  + [c.reports.get(r, 0) for r in dashboard.REPORTS]
                  + [c.ratings.get(g, 0) for g in dashboard.RATINGS] + [c.summaries_received])
        prefix = (f"{base}?year={year}&province={c.province_code or ''}"
                  f"&key_task={c.key_task or ''}&measure=")
        prefix = str(escape(prefix))
        # Safe: the prefix is escaped, the measures quoted, the classes ours, values ints
        rows.append({"cell": c, "cells": Markup("".join(  # noqa: S704
            (f'<td class="{css}">' if css else "<td>")
            + (f'<a href="{prefix}{q}">{v}</a></td>' if v else "0</td>")
            for v, (q, css) in zip(values, quoted, strict=True)))})
    return rows


@bp.get("")
@signed_in
def index() -> str:
    """Per province x key task for the chosen year; every number links to its list."""
    year = _year()
    province = request.args.get("province") or None
    key_task = request.args.get("key_task") or None
    figures = run(dashboard.annual_figures, year, province=province, key_task=key_task)
    cat = shipped_catalogue()
    return render_template(
        "dashboard/index.html", title=_("数据看板"), figures=figures, year=year,
        province=province, key_task=key_task, chart=_chart(figures),
        years=sorted({*range(FIRST_YEAR, max(cat.target_year, clock.now().year) + 2), year}),
        provinces=cat.provinces, key_tasks=cat.key_tasks,
        states=[(s, _pair(dashboard.STATE_LABELS, s)) for s in dashboard.STATES],
        reports=[(r, _pair(dashboard.REPORT_LABELS, r)) for r in dashboard.REPORTS],
        ratings=dashboard.RATINGS, rows=_rows(figures, year))


@bp.get("/list")
@signed_in
def drill() -> str:
    """The projects (or provincial summaries) behind one number."""
    year = _year()
    measure = request.args.get("measure", "projects")
    rows = run(dashboard.drill_down, year, province=request.args.get("province") or None,
               key_task=request.args.get("key_task") or None, measure=measure)
    return render_template("dashboard/list.html", title=_("明细"), rows=rows, year=year,
                           measure=measure, args=request.args,
                           state_label=lambda s: _pair({**dashboard.STATE_LABELS,
                                                        **dashboard.SUMMARY_LABELS}, s),
                           report_label=lambda r: _pair(dashboard.REPORT_LABELS, r or ""))


@bp.get("/export.xlsx")
@signed_in
def export() -> Response:
    """The year's notification data as an Excel workbook (one sheet per table)."""
    year = _year()
    content = run(workbook.annual_workbook, year)
    return Response(content, mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="vocflow-{year}.xlsx"'})
