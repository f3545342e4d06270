from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, Index, MetaData, String, func, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from edureg_shared.db import NAMING_CONVENTION


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class RosterMembership(Base):
    """A student's membership of a group over [valid_from, valid_to). Never deleted:
    past lessons and marks refer to it."""

    __tablename__ = "roster_memberships"
    __table_args__ = (
        Index(None, "tenant_id", "group_id"),
        Index(None, "tenant_id", "student_id"),
        Index(None, "tenant_id", "opened_by_order_id"),
        Index(None, "tenant_id", "ended_by_order_id"),
        Index(
            "uq_roster_memberships_open",
            "tenant_id",
            "group_id",
            "student_id",
            unique=True,
            postgresql_where=text("valid_to IS NULL"),
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    student_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    # As rosters show it (surname and name), from the enrolment event.
    display_name: Mapped[str] = mapped_column(String(210), server_default="")
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    source_event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    ended_by_event_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    # The orders of the movement book that opened and ended it: a cancelling order undoes
    # what they did (a membership it opened becomes empty, one it ended reopens).
    opened_by_order_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    ended_by_order_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
