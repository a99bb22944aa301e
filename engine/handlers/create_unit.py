"""The `create_unit_account` topic: the approved unit and its first user account."""

from __future__ import annotations

import re
import uuid
from typing import Any

from engine.handlers.base import Context, HandlerFailed
from engine.models import Unit
from engine.service.users import actor_for, add_member, add_user
from engine.uow import UnitOfWork

REQUIRED = ("unit_name", "credit_code", "unit_type", "province_code")


def _account_name(uow: UnitOfWork, variables: dict[str, Any], unit_id: str) -> str:
    initiator = str(variables.get("initiator") or "")
    if initiator and uow.users.get(initiator) is not None:
        return initiator
    return f"unit-{unit_id}"


def create_unit_account(ctx: Context) -> dict[str, Any]:
    """Create the unit and give the applicant its group (never an existing unit's).

    The applicant (`initiator`) joins `unit:{id}`; if no such user exists, a user named
    `unit-{id}` without a password is created (an admin sets the password), with the
    registration's contact email.
    """
    missing = [k for k in REQUIRED if not ctx.variables.get(k)]
    if missing:
        raise HandlerFailed("registration data is missing: " + ", ".join(missing))
    v = ctx.variables
    credit_code = str(v["credit_code"]).strip().upper()
    with ctx.uow_factory() as uow:
        repo = uow.product
        unit = repo.unit_by_credit_code(credit_code)
        if unit is not None and not _made_by_this_registration(uow, unit, v):
            raise HandlerFailed(
                f"a unit with credit code {credit_code} is already registered ({unit.id}); "
                "a registration can never join an existing unit")
        if unit is None:
            unit = Unit(id=_new_unit_id(), name=str(v["unit_name"]), credit_code=credit_code,
                        unit_type=str(v["unit_type"]), province_code=str(v["province_code"]),
                        created_at=ctx.now)
            repo.add(unit)
        username = _account_name(uow, v, unit.id)
        user = uow.users.get(username)
        if user is None:
            user = add_user(uow, username, ctx.now, display_name=unit.name,
                            email=v.get("contact_email") or None)
        elif not user.email and v.get("contact_email"):
            user.email = str(v["contact_email"])
        add_member(uow, username, f"unit:{unit.id}")
        return {"unit_id": unit.id}


def _made_by_this_registration(uow: UnitOfWork, unit: Unit, variables: dict[str, Any]
                               ) -> bool:
    """A rerun after a crash finds the unit it made, with the applicant already in it (both
    were written in one unit of work); anyone else's unit is never joined."""
    username = _account_name(uow, variables, unit.id)
    return uow.users.get(username) is not None and (
        f"unit:{unit.id}" in actor_for(uow, username).groups)


def _new_unit_id() -> str:
    return "U" + re.sub(r"[^0-9A-F]", "", uuid.uuid4().hex.upper())[:10]
