"""The `vocflow` command: the composition root for serve, worker, deploy and ops commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click

import engine
from api import cli_demo, cli_jobs, cli_lint, cli_migrate, cli_serve, cli_tasks, cli_users
from api.cli_support import Context, emit, parse_vars, pass_ctx, run
from api.handler_modules import load_handlers
from engine import service


@click.group()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def cli(click_ctx: click.Context, as_json: bool) -> None:
    """VocFlow: BPMN workflows for the 2023 vocational-education review process."""
    click_ctx.obj = Context(settings=engine.load_settings(), as_json=as_json)
    click_ctx.call_on_close(click_ctx.obj.close)


@cli.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@pass_ctx
def db_upgrade(ctx: Context) -> None:
    """Create or upgrade the schema to the newest migration."""
    db_engine = engine.make_engine(ctx.settings.database_url)
    try:
        engine.upgrade(db_engine)
        click.echo(f"schema is current ({db_engine.url.render_as_string(hide_password=True)})")
    finally:
        db_engine.dispose()


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--name", help="Deployment name (default: the file names).")
@click.option("--user", help="Deploy as this user (must be a designer).")
@pass_ctx
def deploy(ctx: Context, files: tuple[Path, ...], name: str | None, user: str | None) -> None:
    """Deploy .bpmn/.dmn files (directories: every diagram inside) as one deployment."""
    load_handlers()  # what the worker runs is what the diagrams are checked against
    paths = _expand(files)
    contents = {}
    with click.progressbar(paths, label="reading", file=sys.stderr) as bar:
        for path in bar:
            contents[path.name] = path.read_bytes()

    def act() -> None:
        result = ctx.execute(service.deploy, contents, name=name, source="vocflow cli",
                             user=user)
        state = "unchanged (existing deployment)" if result.duplicate else "deployed"
        if not ctx.as_json:
            click.echo(f"{state}: deployment {result.deployment.id}")
        emit(ctx, [_definition_row(d) for d in result.definitions],
             ["id", "key", "version", "name", "resource"])
    run(act)


def _expand(paths: tuple[Path, ...]) -> list[Path]:
    result: list[Path] = []
    for path in paths:
        if path.is_dir():
            result += sorted(p for p in path.iterdir() if p.suffix in (".bpmn", ".dmn"))
        else:
            result.append(path)
    return result


def _definition_row(d: object) -> dict[str, object]:
    return {"id": d.id, "key": d.key, "version": d.version, "name": d.name,  # type: ignore[attr-defined]
            "kind": d.kind, "resource": d.resource_name}  # type: ignore[attr-defined]


@cli.command()
@click.option("--all", "all_versions", is_flag=True, help="Every version, not just the newest.")
@pass_ctx
def definitions(ctx: Context, all_versions: bool) -> None:
    """List deployed process definitions and decisions."""
    rows = [_definition_row(d) for d in ctx.execute(service.definitions.list_definitions,
                                                    latest_only=not all_versions)]
    emit(ctx, rows, ["key", "version", "kind", "name", "id"])


@cli.command()
@click.argument("key")
@click.option("--var", "variables", multiple=True, help="k=v (JSON values allowed).")
@click.option("--business-key")
@click.option("--user", help="Start as this user.")
@pass_ctx
def start(ctx: Context, key: str, variables: tuple[str, ...], business_key: str | None,
          user: str | None) -> None:
    """Start an instance of KEY (newest version) or of a definition id."""
    values = parse_vars(variables)

    def act() -> None:
        instance = ctx.execute(service.start_instance, key, variables=values,
                               business_key=business_key, user=user)
        tasks = [t.name or t.element_id
                 for t in ctx.execute(service.show_instance, instance.id, user=user).tasks]
        emit(ctx, {"id": instance.id, "definition": instance.definition_id,
                   "status": instance.status, "open_tasks": ", ".join(tasks) or "-"})
    run(act)


@cli.command()
@click.option("--status")
@click.option("--process", "process_key")
@click.option("--business-key")
@click.option("--stuck", is_flag=True, help="Only stuck instances, with the reason.")
@pass_ctx
def instances(ctx: Context, status: str | None, process_key: str | None,
              business_key: str | None, stuck: bool) -> None:
    """List process instances."""
    if stuck:
        emit(ctx, cli_jobs.stuck_rows(ctx))
        return
    rows = [{"id": i.id, "process": i.process_key, "business_key": i.business_key,
             "status": i.status, "started_at": i.started_at, "started_by": i.started_by}
            for i in ctx.execute(service.scopes.list_instances, status=status,
                                 process_key=process_key, business_key=business_key,
                                 limit=10_000)]
    emit(ctx, rows)


@cli.command()
@click.argument("instance_id")
@pass_ctx
def show(ctx: Context, instance_id: str) -> None:
    """An instance: state, open tasks, jobs, incidents and history."""
    def act() -> None:
        d = ctx.execute(service.show_instance, instance_id)
        data = {
            "id": d.instance.id, "definition": d.instance.definition_id,
            "business_key": d.instance.business_key, "status": d.instance.status,
            "stall_reason": d.instance.stall_reason, "variables": d.variables,
            "tasks": [{"id": t.id, "element": t.element_id, "name": t.name,
                       "assignee": t.assignee, "groups": t.candidate_groups,
                       "due_at": t.due_at} for t in d.tasks],
            "jobs": [{"id": j.id, "kind": j.kind, "element": j.element_id, "due_at": j.due_at,
                      "retries": j.retries} for j in d.jobs],
            "incidents": [{"id": i.id, "element": i.element_id, "line": i.line,
                           "message": i.message, "resolved": i.resolved_at} for i in d.incidents],
            "history": [{"at": h.at, "actor": h.actor, "action": h.action,
                         "element": h.element_id} for h in d.history],
        }
        if ctx.as_json:
            emit(ctx, data)
            return
        _print_detail(data)
    run(act)


def _print_detail(data: dict[str, object]) -> None:
    for key in ("id", "definition", "business_key", "status", "stall_reason"):
        click.echo(f"{key}: {data[key] if data[key] is not None else '-'}")
    for section in ("tasks", "jobs", "incidents", "history"):
        rows = data[section]
        click.echo(f"\n{section} ({len(rows)}):")  # type: ignore[arg-type]
        for row in rows:  # type: ignore[attr-defined]
            click.echo("  " + "  ".join(f"{k}={v}" for k, v in row.items() if v is not None))
    click.echo("\nvariables:")
    for key, value in sorted(data["variables"].items()):  # type: ignore[attr-defined]
        click.echo(f"  {key} = {value!r}")


for _module in (cli_tasks, cli_users, cli_jobs, cli_demo, cli_serve, cli_migrate, cli_lint):
    _module.register(cli)


def main() -> None:
    cli(prog_name="vocflow")


if __name__ == "__main__":
    main()
