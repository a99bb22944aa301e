"""External-task handlers that worker subprocesses of the tests load (--handlers)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from engine import external


def score(ctx: external.HandlerContext) -> dict[str, Any]:
    """Adds one; with VOCFLOW_TEST_DIR set, the first run of each job hangs (to be killed)."""
    marker_dir = os.environ.get("VOCFLOW_TEST_DIR")
    if marker_dir and ctx.variables.get("hang_first"):
        marker = Path(marker_dir) / f"{ctx.job_id}.started"
        if not marker.exists():
            marker.write_text(str(os.getpid()))
            time.sleep(60)
    return {"score": int(ctx.variables["base"]) + 1}


external.register_handler("score", score)
