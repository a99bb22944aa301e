"""Who is acting: a username and the groups that decide what they may see and do."""

from __future__ import annotations

from dataclasses import dataclass, field

SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    username: str
    groups: frozenset[str] = field(default_factory=frozenset)

    def in_group(self, *names: str) -> bool:
        return any(n in self.groups for n in names)

    @property
    def unit_ids(self) -> list[str]:
        return [g.split(":", 1)[1] for g in self.groups if g.startswith("unit:")]


SYSTEM_ACTOR = Actor(SYSTEM, frozenset({"admin", "ops", "designer"}))
