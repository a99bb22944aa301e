"""The EngineError tree: stable string codes, messages and details; no HTTP status codes."""

from __future__ import annotations

from typing import Any


class EngineError(Exception):
    """Base of every error the engine reports to its callers."""

    code = "engine_error"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details or {}

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class NotFound(EngineError):
    code = "not_found"


class Forbidden(EngineError):
    code = "forbidden"


class InvalidState(EngineError):
    code = "invalid_state"


class ConcurrencyConflict(EngineError):
    code = "concurrency_conflict"


class FormInvalid(EngineError):
    code = "form_invalid"


class ProcessDefinitionError(EngineError):
    """A diagram was refused; details carry file, element id and line for every problem."""

    code = "process_definition_error"


class ScriptError(EngineError):
    """A script or expression failed while running; details carry element, line and error line."""

    code = "script_error"


class MessageNotCorrelated(EngineError):
    code = "message_not_correlated"


class ValidationFailed(EngineError):
    """Bad input to a command (not a form): a variable, a date, an option."""

    code = "validation_failed"


class Unauthenticated(EngineError):
    """Nobody is signed in, or the credentials were refused."""

    code = "unauthenticated"


class TooManyAttempts(EngineError):
    """Sign-in is slowed or locked after repeated failures; details carry retry_after."""

    code = "too_many_attempts"
