"""`vocflow lint FILE...`: what would run, what becomes an external task, what is refused."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from api.cli_support import Context, pass_ctx
from api.handler_modules import load_handlers
from engine.bpmn.lint import lint_files

SECTIONS = (("runs", "会运行 / runs"), ("external", "外部任务 / external tasks"),
            ("warnings", "提示 / warnings"), ("refused", "拒绝部署 / refused"))


@click.command("lint")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_ctx
def lint(ctx: Context, files: tuple[Path, ...]) -> None:
    """Check .bpmn/.dmn files before a deploy (exit status 1 when a deploy would be refused)."""
    load_handlers()
    report = lint_files({p.name: p.read_bytes() for p in files})
    if ctx.as_json:
        click.echo(json.dumps(report.__dict__, ensure_ascii=False, indent=2))
    else:
        for attr, title in SECTIONS:
            lines = getattr(report, attr)
            if lines:
                click.echo(f"{title}:")
                for line in lines:
                    click.echo(f"  {line}")
    if report.refused:
        sys.exit(1)


def register(cli: click.Group) -> None:
    cli.add_command(lint)
