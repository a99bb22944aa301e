"""What ops set on a job definition (a diagram's timer): suspension and overriding priority."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, String, false
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.core import Base


class JobDefinitionSetting(Base):
    """The state of one job definition (`{activityId}@{processDefinitionId}`, engine.ids),
    kept only once ops change it. Jobs created for it later take it on: suspended ones are
    not fired, and they get the overriding priority (None: the diagram's, 0)."""

    __tablename__ = "job_definition_settings"
    id: Mapped[str] = mapped_column(String(450), primary_key=True)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    priority: Mapped[int | None] = mapped_column(BigInteger)
