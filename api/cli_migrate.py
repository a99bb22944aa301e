"""`vocflow migrate`: move an instance to another version of its process (ops)."""

from __future__ import annotations

import click

import engine
from api.cli_support import Context, emit, pass_ctx, run


@click.command()
@click.argument("instance_id")
@click.argument("target_definition_id")
@click.option("--dry-run", is_flag=True, help="Only report what maps and what blocks.")
@click.option("--user", help="Act as this user (must be in 'ops'; default: system).")
@pass_ctx
def migrate(ctx: Context, instance_id: str, target_definition_id: str, dry_run: bool,
            user: str | None) -> None:
    """Migrate INSTANCE_ID to TARGET_DEFINITION_ID (same key), or report with --dry-run."""
    def act() -> None:
        report = ctx.execute(engine.service.migrate_instance, instance_id,
                             target_definition_id, dry_run=dry_run, user=user)
        data = report.as_dict()
        if ctx.as_json:
            emit(ctx, data)
            return
        state = "migrated" if report.migrated else (
            "can be migrated" if report.ok else "cannot be migrated")
        click.echo(f"{instance_id}: {state} ({report.source_definition_id} -> "
                   f"{report.target_definition_id})")
        for key in ("mapped", "added", "removed"):
            click.echo(f"  {key}: {', '.join(data[key]) or '-'}")
        for element, attrs in report.plan.changed.items():
            click.echo(f"  changed {element}: {', '.join(attrs)}")
        for row in report.plan.blocking:
            click.echo(f"  BLOCKED {row['element_id']} ({row['state']}): {row['reason']}")
        if not report.ok:
            raise SystemExit(1)
    run(act)


def register(cli: click.Group) -> None:
    cli.add_command(migrate)
