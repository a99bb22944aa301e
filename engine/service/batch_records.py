"""Camunda's batch records: runtime batches, which VocFlow finishes before it answers.

Every -Async operation does its work in the request and answers a completed BatchDto, so
once that answer is sent no batch is running: /batch lists none, and a batch id, finished
or not, is not a runtime batch (Camunda: a completed batch leaves the runtime too). No
batch is kept in history either (rest_history.batches), so there is nothing to delete.
"""

from __future__ import annotations

from typing import Any, NoReturn

from engine import authz
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.service.actors import Actor
from engine.uow import UnitOfWork


def runtime_batches(uow: UnitOfWork, *, actor: Actor) -> list[Any]:
    """Batches not yet finished: none once any answer is sent, whoever asks."""
    del uow, actor
    return []


def runtime_batch(uow: UnitOfWork, batch_id: str, *, actor: Actor) -> NoReturn:
    """One runtime batch: never found (Camunda's words for a batch not or no longer there)."""
    del uow, actor
    raise NotFound(f"Batch with id '{batch_id}' does not exist")


def _ops(actor: Actor, what: str) -> None:
    if not authz.is_ops(actor):
        raise Forbidden(f"only members of 'ops' may {what} batches")


def change_batch(uow: UnitOfWork, batch_id: str, action: str, *, actor: Actor) -> NoReturn:
    """Suspend, activate or delete a runtime batch (ops): there is none, a 400 as Camunda's
    engine gives for an unknown id."""
    del uow
    _ops(actor, action)
    raise ValidationFailed(f"Unable to {action} batch with id '{batch_id}': batch for id "
                           f"'{batch_id}' cannot be found (VocFlow finishes every batch "
                           "before it answers)")


def delete_historic_batch(uow: UnitOfWork, batch_id: str, *, actor: Actor) -> NoReturn:
    """Remove a historic batch record (ops): VocFlow keeps none, a 400 as Camunda's engine
    gives for an unknown id."""
    del uow
    _ops(actor, "delete historic")
    raise ValidationFailed(f"Unable to delete historic batch with id '{batch_id}': historic "
                           f"batch for id '{batch_id}' cannot be found (VocFlow keeps no "
                           "batch records)")
