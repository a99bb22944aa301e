"""Camunda 7 expression subset (JUEL, ISO-8601 timers, Quartz cron) as checked Python."""

from engine.expressions.base import PRODUCT_TZ, ExpressionError, iso_date, now
from engine.expressions.beans import register_bean, unregister_bean
from engine.expressions.juel import to_python
from engine.expressions.juel_builtins import DelegateTask, Execution
from engine.expressions.sandbox import (
    GUARDED_FUNCTIONS,
    INSTRUMENT_HELPERS,
    check_expression,
    check_timer,
    compile_expression,
    eval_scope,
    evaluate,
    evaluate_code,
    run_limited,
    safe_globals,
)
from engine.expressions.timers import (
    is_cron,
    next_cron_time,
    normalize_datetime_literal,
    timer_kind,
)
from engine.expressions.unresolved import UnknownProperty

__all__ = [
    "DelegateTask",
    "Execution",
    "register_bean",
    "unregister_bean",
    "GUARDED_FUNCTIONS",
    "INSTRUMENT_HELPERS",
    "PRODUCT_TZ",
    "ExpressionError",
    "check_expression",
    "check_timer",
    "compile_expression",
    "eval_scope",
    "evaluate",
    "evaluate_code",
    "is_cron",
    "iso_date",
    "next_cron_time",
    "normalize_datetime_literal",
    "now",
    "run_limited",
    "safe_globals",
    "timer_kind",
    "to_python",
    "UnknownProperty",
]
