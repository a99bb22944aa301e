"""A person's own settings kept with their account: the pages' language (issue 9: the
language switch is remembered per user, on any browser they sign in from)."""

from __future__ import annotations

from engine.errors import NotFound, ValidationFailed
from engine.models import User
from engine.service.actors import Actor
from engine.uow import UnitOfWork

LANGUAGES = ("zh_Hans_CN", "en")  # the page catalogues: zh-CN first, English


def _own(uow: UnitOfWork, actor: Actor) -> User:
    user = uow.users.get(actor.username)
    if user is None:
        raise NotFound(f"user {actor.username} does not exist")
    return user


def set_language(uow: UnitOfWork, language: str, *, actor: Actor) -> str:
    """Keep the actor's page language (one of LANGUAGES)."""
    if language not in LANGUAGES:
        raise ValidationFailed(f"language must be one of {', '.join(LANGUAGES)}",
                               details={"language": ["unknown"]})
    _own(uow, actor).language = language
    uow.flush()
    return language


def language_of(uow: UnitOfWork, *, actor: Actor) -> str | None:
    """The actor's kept page language, or None when they never chose one."""
    return _own(uow, actor).language
