"""Decision requirements definitions: one per deployed DMN file of several decisions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.core import Base


class DecisionRequirements(Base):
    """One deployed version of a DMN file's <definitions>: key and name are the element's
    id and name, versions count per key (under the deployment lock, like definitions).
    Its decisions are the decision definitions of the same deployment and resource. As in
    Camunda, a file of one decision has none (its decision names no DRD)."""

    __tablename__ = "decision_requirements"
    __table_args__ = (UniqueConstraint("key", "version"),)
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(150), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(300))
    resource_name: Mapped[str] = mapped_column(String(300))
    deployment_id: Mapped[str] = mapped_column(
        ForeignKey("deployments.id", ondelete="CASCADE"), index=True)
    deployed_at: Mapped[datetime]
