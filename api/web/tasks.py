"""Screen: 待办 (open tasks with counts, filters, sorting; claim/unclaim), 已办, one task's form."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from api.web import forms_view, instances
from api.web.common import is_htmx, parse_beijing_date, run, settings, signed_in
from engine import clock, errors, files, service
from engine.catalogue import shipped_catalogue
from engine.service import generated_form_submit, instance_view, projects, scopes, task_list

bp = Blueprint("tasks", __name__, url_prefix="/tasks")
PAGE = 50
VIEWS = ("offered", "mine", "claimable", "all")


def _filters() -> dict[str, Any]:
    args = request.args
    due = parse_beijing_date(args.get("due_before", ""), end_of_day=True)
    return {
        "process_key": args.get("process") or None, "key_task": args.get("key_task") or None,
        "province_code": args.get("province") or None, "due_before": due,
        "overdue_at": clock.now() if args.get("overdue") else None,
        "sort": args.get("sort") if args.get("sort") in ("due", "priority") else "due",
        "limit": PAGE, "offset": max(0, request.args.get("offset", 0, type=int)),
    }


@bp.get("")
@signed_in
def inbox() -> str:
    """待办: the tasks I can act on; htmx asks for the list alone when a filter changes."""
    view = request.args.get("view") if request.args.get("view") in VIEWS else "offered"
    filters = _filters()
    found = run(task_list.inbox_page, view=view, **filters)
    template = "tasks/_list.html" if is_htmx() else "tasks/inbox.html"
    cat = shipped_catalogue()
    return render_template(template, title=_("待办任务"), rows=found.rows,
                           counts=found.counts,
                           view=view, args=request.args, filters=filters, page=PAGE,
                           provinces=cat.provinces, key_tasks=cat.key_tasks,
                           now=clock.now())


@bp.get("/done")
@signed_in
def done() -> str:
    """已办: the tasks I completed, newest first, a page at a time."""
    offset = max(0, request.args.get("offset", 0, type=int))
    found = run(task_list.completed_page, limit=PAGE, offset=offset)
    return render_template("tasks/done.html", title=_("已办任务"), rows=found.rows,
                           total=found.total, offset=offset, page=PAGE)


def _back() -> Response:
    target = request.form.get("next") or url_for("web.tasks.inbox")
    return redirect(target if target.startswith("/") and not target.startswith("//")
                    else url_for("web.tasks.inbox"))


@bp.post("/<task_id>/claim")
@signed_in
def claim(task_id: str) -> Response | str:
    """Take a task offered to my group (htmx: the row comes back redrawn)."""
    task = run(service.claim_task, task_id)
    if is_htmx():
        return _row(task.id, task.instance_id)
    flash(_("已认领任务。"))
    return _back()


@bp.post("/<task_id>/unclaim")
@signed_in
def unclaim(task_id: str) -> Response | str:
    """Give a claimed task back to its group."""
    task = run(service.unclaim_task, task_id)
    if is_htmx():
        return _row(task.id, task.instance_id)
    flash(_("任务已退回任务池。"))
    return _back()


def _row(task_id: str, instance_id: str) -> str:
    found = run(task_list.inbox_rows, view="all", instance_id=instance_id)
    rows = [r for r in found if r.task.id == task_id]
    return render_template("tasks/_row.html", r=rows[0] if rows else None, now=clock.now())


def _task_page(task_id: str, values: dict[str, Any] | None = None,
               field_errors: dict[str, Any] | None = None, status: int = 200
               ) -> tuple[str, int]:
    view = run(scopes.task_form, task_id)
    picture = run(instance_view.instance_view, view.task.instance_id)
    schema = view.form_schema or {"properties": {}}
    data = values if values is not None else forms_view.starting_values(view.task.form_key,
                                                                         view.data)
    fields = forms_view.build(schema, data, forms_view.translate(field_errors or {}))
    general = forms_view._flat(forms_view.translate((field_errors or {}).get("_schema", [])))
    return render_template(
        "tasks/task.html", title=view.task.name or _("任务"), task=view.task, fields=fields,
        schema=view.form_schema, general=general, view=picture,
        context=forms_view.context_rows(view.data),
        diagram=instances.diagram_data(picture), now=clock.now(),
        max_file_bytes=settings().max_file_bytes,
        file_types=",".join(sorted(files.ALLOWED_TYPES))), status


@bp.get("/<task_id>")
@signed_in
def task(task_id: str) -> tuple[str, int]:
    """One task: its form drawn from the JSON Schema, the instance's diagram and history."""
    return _task_page(task_id)


@bp.post("/<task_id>")
@signed_in
def submit(task_id: str) -> Response | tuple[str, int]:
    """Submit the form; errors come back beside each field with the values kept."""
    view = run(scopes.task_form, task_id)
    schema = view.form_schema or {"properties": {}}

    def save(part: Any) -> dict[str, Any]:
        content = part.read(settings().max_file_bytes + 1)
        return run(files.upload_file, settings(), None, part.filename or "file",
                   content).as_dict()

    try:
        data = forms_view.parse(schema, request.form, request.files.getlist, save)
    except errors.ValidationFailed as exc:
        return _task_page(task_id, forms_view.parse(schema, request.form, request.files.getlist),
                          {"_schema": [exc.message]}, 422)
    try:
        instance_id = run(generated_form_submit.submit_and_report, task_id, data).instance_id
    except errors.FormInvalid as exc:
        return _task_page(task_id, data, exc.details, 422)
    flash(_("已提交：%(name)s", name=view.task.name or ""))
    return redirect(url_for("web.instances.show", instance_id=instance_id)
                    if request.form.get("then") == "instance" else url_for("web.tasks.inbox"))


@bp.post("/new-project")
@signed_in
def new_project() -> Response:
    """申报新项目: my unit starts a key-task project; on to its plan form."""
    instance = run(projects.start_project)
    found = run(scopes.inbox, view="offered", instance_id=instance.id)
    if found:
        return redirect(url_for("web.tasks.task", task_id=found[0].id))
    return redirect(url_for("web.instances.show", instance_id=instance.id))
