"""`vocflow` commands for user tasks and ops repair: tasks, claim, complete, incidents, retry."""

from __future__ import annotations

import json

import click

from api.cli_support import Context, emit, pass_ctx, run
from engine import service


def _task_row(t: object) -> dict[str, object]:
    return {"id": t.id, "process": t.process_key, "element": t.element_id,  # type: ignore[attr-defined]
            "name": t.name, "form": t.form_key, "assignee": t.assignee,  # type: ignore[attr-defined]
            "groups": ",".join(t.candidate_groups or []), "due_at": t.due_at,  # type: ignore[attr-defined]
            "instance": t.instance_id}  # type: ignore[attr-defined]


@click.command()
@click.option("--user", help="Tasks this user may act on (assigned or offered).")
@click.option("--group", "groups", multiple=True, help="Tasks offered to this group.")
@click.option("--process", "process_key")
@pass_ctx
def tasks(ctx: Context, user: str | None, groups: tuple[str, ...], process_key: str | None) -> None:
    """List open user tasks."""
    def act() -> None:
        if user:
            rows = ctx.execute(service.list_tasks, process_key=process_key, user=user)
        else:
            rows = ctx.execute(service.list_tasks, all=not groups, groups=groups,
                               process_key=process_key)
        emit(ctx, [_task_row(t) for t in rows],
             ["id", "name", "assignee", "groups", "due_at", "process", "instance"])
    run(act)


def _task_action(name: str, fn_name: str, doc: str) -> click.Command:
    @click.command(name=name, help=doc)
    @click.argument("task_id")
    @click.option("--user", required=True, help="Acting user.")
    @pass_ctx
    def command(ctx: Context, task_id: str, user: str) -> None:
        def act() -> None:
            emit(ctx, _task_row(ctx.execute(getattr(service, fn_name), task_id, user=user)))
        run(act)
    return command


@click.command()
@click.argument("task_id")
@click.option("--user", required=True, help="Acting user.")
@click.option("--data", default="{}", help="Form data as a JSON object.")
@pass_ctx
def complete(ctx: Context, task_id: str, user: str, data: str) -> None:
    """Complete a user task with form data (validated against its form)."""
    try:
        values = json.loads(data)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint="--data") from exc

    def act() -> None:
        done = ctx.execute(service.complete_and_report, task_id, values, user=user)
        nxt = [t.name or t.element_id
               for t in ctx.execute(service.show_instance, done.instance_id).tasks]
        emit(ctx, {"completed": task_id, "instance": done.instance_id, "status": done.status,
                   "open_tasks": ", ".join(nxt) or "-", "incident": done.incident})
    run(act)


@click.command()
@click.option("--all", "show_all", is_flag=True, help="Include resolved incidents.")
@pass_ctx
def incidents(ctx: Context, show_all: bool) -> None:
    """List incidents (open ones by default)."""
    rows = [{"id": i.id, "instance": i.instance_id, "kind": i.kind, "element": i.element_id,
             "line": i.line, "message": i.message[:120], "created_at": i.created_at,
             "resolved": i.resolution}
            for i in ctx.execute(service.list_incidents, open_only=not show_all)]
    emit(ctx, rows)


@click.command()
@click.argument("incident_id")
@click.option("--user", help="Acting ops user (default: system).")
@pass_ctx
def retry(ctx: Context, incident_id: str, user: str | None) -> None:
    """Retry the failed step of an incident."""
    def act() -> None:
        after = ctx.execute(service.retry_and_report, incident_id, user=user)
        again = after.id != incident_id
        emit(ctx, {"retried": incident_id,
                   "result": f"failed again: incident {after.id}" if again else "ok"})
    run(act)


def _instance_action(name: str, fn_name: str, doc: str) -> click.Command:
    @click.command(name=name, help=doc)
    @click.argument("instance_id")
    @click.option("--user", help="Acting user (default: system).")
    @pass_ctx
    def command(ctx: Context, instance_id: str, user: str | None) -> None:
        def act() -> None:
            instance = ctx.execute(getattr(service, fn_name), instance_id, user=user)
            emit(ctx, {"instance": instance_id, "status": instance.status})
        run(act)
    return command


def register(cli: click.Group) -> None:
    for command in (tasks, complete, incidents, retry):
        cli.add_command(command)
    cli.add_command(_task_action("claim", "claim_task", "Claim a task for the user."))
    cli.add_command(_task_action("unclaim", "unclaim_task", "Give a claimed task back."))
    cli.add_command(_instance_action("suspend", "suspend_instance", "Suspend an instance."))
    cli.add_command(_instance_action("resume", "resume_instance", "Resume an instance."))
    cli.add_command(_instance_action("terminate", "terminate_instance",
                                     "Terminate an instance."))
