"""Which handlers and beans a process knows: the product's, plus the modules an operator names.

The worker runs the handlers; every process that deploys checks diagrams against the same
registry (a class listener or a bean call is refused unless its name is registered), so
`vocflow serve`, `deploy`, `lint` and `worker` all load the same modules.
"""

from __future__ import annotations

import importlib
import os

HANDLER_MODULES_ENV = "VOCFLOW_WORKER_HANDLERS"


def load_handlers(modules: tuple[str, ...] = ()) -> None:
    """Register the product handlers, then import each module of VOCFLOW_WORKER_HANDLERS
    (comma-separated) and of `modules`; such a module calls engine.external.register_handler
    or engine.expressions.register_bean when it is imported."""
    product = importlib.import_module("engine.handlers")
    product.register_all()
    extra = [m for m in os.environ.get(HANDLER_MODULES_ENV, "").split(",") if m.strip()]
    for name in [*extra, *modules]:
        importlib.import_module(name.strip())
