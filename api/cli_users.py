"""`vocflow users` and `vocflow groups`: people and the groups that scope what they do."""

from __future__ import annotations

import secrets

import click

from api.cli_support import Context, emit, pass_ctx, run
from engine import service


@click.group()
def users() -> None:
    """User administration."""


@users.command("add")
@click.argument("username")
@click.option("--password", help="Default: a random one, printed once.")
@click.option("--name", "display_name", default="")
@click.option("--email")
@click.option("--group", "groups", multiple=True, help="Also add to this group.")
@pass_ctx
def add_user(ctx: Context, username: str, password: str | None, display_name: str,
             email: str | None, groups: tuple[str, ...]) -> None:
    """Create a user."""
    generated = password is None
    password = password or secrets.token_urlsafe(12)

    def act() -> None:
        ctx.execute(service.accounts.create_user, username, password=password,
                    display_name=display_name, email=email, groups=groups)
        row = {"username": username, "groups": ",".join(groups)}
        if generated:
            row["password"] = password
        emit(ctx, row)
    run(act)


@users.command("list")
@pass_ctx
def list_users(ctx: Context) -> None:
    """List users and their groups."""
    rows = [{"username": r.user.username, "name": r.user.display_name,
             "active": r.user.is_active, "groups": ",".join(r.groups)}
            for r in ctx.execute(service.directory.list_users)]
    emit(ctx, rows)


@click.group()
def groups() -> None:
    """Group administration."""


@groups.command("add-member")
@click.argument("group")
@click.argument("username")
@pass_ctx
def add_member(ctx: Context, group: str, username: str) -> None:
    """Add USERNAME to GROUP (the group is created when missing)."""
    def act() -> None:
        ctx.execute(service.directory.join_group, username, group)
        emit(ctx, {"group": group, "member": username})
    run(act)


def register(cli: click.Group) -> None:
    cli.add_command(users)
    cli.add_command(groups)
