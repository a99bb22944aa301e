"""engine.service.preferences: the page language is kept with the account."""

from __future__ import annotations

import pytest

from engine import service
from engine.errors import ValidationFailed
from engine.service import preferences
from tests.factories import make_user


def test_a_language_is_kept_per_user_and_checked(uow_factory):
    li = make_user(uow_factory, "li")
    wang = make_user(uow_factory, "wang")
    with uow_factory() as uow:
        assert preferences.language_of(uow, actor=li) is None
        preferences.set_language(uow, "en", actor=li)
    with uow_factory() as uow:
        assert preferences.language_of(uow, actor=li) == "en"
        assert preferences.language_of(uow, actor=wang) is None
    with pytest.raises(ValidationFailed), uow_factory() as uow:
        preferences.set_language(uow, "fr", actor=li)
    with uow_factory() as uow:
        assert uow.users.get("li").language == "en"
        assert service.preferences is preferences
