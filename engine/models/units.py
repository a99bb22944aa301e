"""The construction units (建设单位) created when a registration is approved."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.core import Base


class Unit(Base):
    __tablename__ = "units"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    unit_type: Mapped[str] = mapped_column(String(40))
    province_code: Mapped[str] = mapped_column(String(10), index=True)
    created_at: Mapped[datetime]
