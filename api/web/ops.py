"""Screen: 运维 console: stuck instances by reason, incidents and their repair, jobs."""

from __future__ import annotations

import json
from datetime import timedelta
from itertools import groupby

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from api.web.common import is_htmx, parse_beijing_date, required_reason, run, settings, signed_in
from engine import errors, service
from engine.service import job_control

bp = Blueprint("ops", __name__, url_prefix="/ops")
REASONS = {"incident": _l("故障"), "stalled": _l("停滞"), "timer_overdue": _l("定时器逾期未触发"),
           "task_overdue": _l("任务逾期"), "unclaimable": _l("无人可认领")}


def _back(default: str) -> Response:
    target = request.form.get("next", "")
    ok = target.startswith("/") and not target.startswith("//")
    return redirect(target if ok else default)


@bp.get("")
@signed_in
def console() -> str:
    """Stuck instances grouped by reason, incidents with their traceback, jobs."""
    found = run(service.ops_console, grace=timedelta(seconds=settings().timer_grace_seconds))
    rows = sorted(found.stuck, key=lambda r: r.reason)
    groups = [(key, REASONS.get(key, key), list(items))
              for key, items in groupby(rows, key=lambda r: r.reason)]
    return render_template("ops/console.html", title=_("运维控制台"), groups=groups,
                           incidents=found.incidents, jobs=found.jobs)


@bp.post("/incidents/<incident_id>/retry")
@signed_in
def retry(incident_id: str) -> Response | tuple[str, int]:
    """Run the failed step again (after the data was fixed), with a reason; htmx (one row,
    or the bulk retry's requests one after another) gets the result alone."""
    try:
        after = run(service.retry_and_report, incident_id, reason=required_reason())
    except errors.EngineError as exc:
        if is_htmx():
            return render_template("ops/_retried.html", ok=False, message=exc.message), 200
        raise
    if is_htmx():
        return render_template("ops/_retried.html", ok=after.resolved_at is not None,
                               message=after.message), 200
    flash(_("已重试：成功。") if after.resolved_at is not None
          else _("已重试，仍然失败：%(m)s", m=after.message))
    return _back(url_for("web.ops.console"))


@bp.post("/incidents/<incident_id>/resolve")
@signed_in
def resolve(incident_id: str) -> Response:
    """Close an incident by hand, with a note (the reason)."""
    run(service.resolve_incident, incident_id, reason=required_reason())
    flash(_("故障已标记为解决。"))
    return _back(url_for("web.ops.console"))


@bp.post("/instances/<instance_id>/skip/<task_id>")
@signed_in
def skip(instance_id: str, task_id: str) -> Response:
    """Skip the failed task and go on, with a reason."""
    run(service.skip_task, instance_id, task_id, reason=required_reason())
    flash(_("已跳过该任务。"))
    return _back(url_for("web.ops.console"))


@bp.post("/instances/<instance_id>/move")
@signed_in
def move(instance_id: str) -> Response:
    """Move a token from one task to another element, with a reason."""
    run(service.move_token, instance_id, request.form.get("from_task_id", ""),
        request.form.get("to_element_id", "").strip(), reason=required_reason())
    flash(_("令牌已移动。"))
    return _back(url_for("web.instances.show", instance_id=instance_id))


@bp.post("/instances/<instance_id>/variables")
@signed_in
def set_variable(instance_id: str) -> Response:
    """Change one process variable (a JSON value), with a reason."""
    raw = request.form.get("value", "")
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    run(service.set_variables, instance_id, {request.form.get("name", "").strip(): value},
        reason=required_reason())
    flash(_("变量已修改。"))
    return redirect(url_for("web.instances.show", instance_id=instance_id))


@bp.post("/jobs/<job_id>/due")
@signed_in
def job_due(job_id: str) -> Response:
    """Move a timer's due date (typed in Beijing time), with a reason."""
    due = parse_beijing_date(request.form.get("due_at", ""))
    if due is None:
        raise errors.ValidationFailed(_("请填写新的到期时间。"), details={"due_at": ["required"]})
    run(job_control.set_job_due_date, job_id, due, reason=required_reason())
    flash(_("到期时间已修改。"))
    return _back(url_for("web.ops.console"))
