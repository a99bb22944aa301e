"""External-task handlers of the product topics, and register_all() for the worker."""

from engine import external
from engine.handlers.base import Context, HandlerFailed
from engine.handlers.create_unit import create_unit_account
from engine.handlers.http_connector import http_connector
from engine.handlers.notify import notify, send_outbox
from engine.handlers.summaries import open_provincial_summaries, open_summaries

HANDLERS = {
    "notify": notify,
    "create_unit_account": create_unit_account,
    "open_provincial_summaries": open_provincial_summaries,
    "http-connector": http_connector,
}


def register_all() -> None:
    """Register every product handler with the worker's topic registry."""
    for topic, handler in HANDLERS.items():
        external.register_handler(topic, handler)


__all__ = [
    "HANDLERS", "Context", "HandlerFailed", "create_unit_account", "http_connector", "notify",
    "open_provincial_summaries", "open_summaries", "register_all", "send_outbox",
]
