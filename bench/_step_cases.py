"""The diagrams the step benches drive, the bench's actor and clock, and the median helper."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engine.service import Actor

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
ACTOR = Actor("bench", frozenset({"staff"}))
NOW = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    """One diagram to step through: file, process key and start variables."""

    file: str
    key: str
    variables: dict[str, Any] = field(default_factory=lambda: {"done": False})

    @property
    def path(self) -> Path:
        return FIXTURES / self.file


LOOP = Case("loop_review.bpmn", "loop_review")
SCRIPTED = Case("loop_review_script.bpmn", "loop_review_script", {"done": False, "rounds": 0})
SCRIPT = "rounds = rounds + 1\nscore = sum(i * 2 for i in range(10))\nlabel = 'r' + str(rounds)"




def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000
