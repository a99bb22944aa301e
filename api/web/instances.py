"""Screen: one instance: its diagram with states, history timeline, variables, actions."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from api.web.common import beijing, required_reason, run, script_json, signed_in
from engine import errors, service
from engine.service import activity_timeline, instance_view, scopes

bp = Blueprint("instances", __name__, url_prefix="/instances")
CSS = {"done": "highlight-done", "active": "highlight-active", "waiting_timer": "highlight-active",
       "waiting_message": "highlight-active", "incident": "highlight-incident"}
KIND = {"done": "done", "active": "active", "waiting_timer": "timer",
        "waiting_message": "timer", "incident": "incident"}


def _label(state: Any) -> str:
    if state.state == "waiting_timer":
        return _("定时 %(due)s", due=beijing(state.due_at))
    if state.state == "incident":
        return _("故障")
    if state.state == "active":
        return _("进行中")
    if state.state == "waiting_message":
        return _("等待消息")
    return ""


def diagram_data(view: Any) -> list[dict[str, str]]:
    """Per diagram (the top one, then each called one with states), the JSON the page's
    bpmn-js viewer reads: XML and one marker per element state."""
    out = []
    for diagram in view.diagrams:
        marks = [{"id": element_id, "css": CSS.get(s.state, ""), "kind": KIND.get(s.state, ""),
                  "label": _label(s)} for element_id, s in diagram.states.items()]
        out.append({"key": diagram.process_key,
                    "json": script_json({"xml": diagram.xml, "marks": marks})})
    return out


@bp.get("/<instance_id>")
@signed_in
def show(instance_id: str) -> str:
    """The instance picture for whoever may see it (404 for anyone else)."""
    view = run(instance_view.instance_view, instance_id)
    jobs = run(scopes.list_jobs, instance_id=instance_id) \
        if "set_job_due_date" in view.actions else []
    activities = run(activity_timeline.instance_activities, instance_id)
    return render_template("instances/show.html", title=_("流程实例"), view=view, jobs=jobs,
                           diagram=diagram_data(view), activities=activities,
                           variables_json=json.dumps(view.variables, ensure_ascii=False,
                                                     indent=1, default=str)
                           if view.variables is not None else None)


ACTIONS = {
    "suspend": service.suspend_instance,
    "resume": service.resume_instance,
    "terminate": service.terminate_instance,
}


@bp.post("/<instance_id>/<action>")
@signed_in
def act(instance_id: str, action: str) -> Response:
    """Suspend, resume or terminate, with the reason the history keeps (the command decides
    who may)."""
    if action not in ACTIONS:
        raise errors.NotFound(f"no action {action}")
    run(ACTIONS[action], instance_id, reason=required_reason())
    flash(_("操作已完成。"))
    return redirect(url_for("web.instances.show", instance_id=instance_id))
