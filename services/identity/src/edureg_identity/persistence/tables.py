from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    MetaData,
    Sequence,
    String,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import INET, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from edureg_shared.db import NAMING_CONVENTION


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


LOGIN_SEQ = Sequence("login_seq", metadata=Base.metadata, start=1000)


class Organisation(Base):
    """The region's registry of organisations (the tenants). Public facts, no personal
    data, read before a tenant is known: the one table without row-level security."""

    __tablename__ = "organisations"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(300))  # the full name
    short_name: Mapped[str] = mapped_column(String(100), server_default="")
    kind: Mapped[str] = mapped_column(String(20))
    # For grouping in the region's views (a municipal district, a city).
    municipality: Mapped[str] = mapped_column(String(200), server_default="")
    # An archived organisation's users cannot sign in; nothing of it is deleted.
    status: Mapped[str] = mapped_column(String(10), server_default="active")
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        # Logins are unique among home accounts; an account signing in through another
        # organisation's (its home) carries a copy of that login.
        Index(
            "uq_users_login",
            text("lower(login)"),
            unique=True,
            postgresql_where=text("home_user_id IS NULL"),
        ),
        Index(
            "uq_users_home",
            "home_tenant_id",
            "home_user_id",
            "tenant_id",
            "kind",
            unique=True,
            postgresql_where=text("home_user_id IS NOT NULL"),
        ),
        CheckConstraint("(home_tenant_id IS NULL) = (home_user_id IS NULL)", name="home"),
        Index(
            "ix_users_match_key",
            "match_key",
            postgresql_where=text("match_key IS NOT NULL AND home_user_id IS NULL"),
        ),
        Index(
            "uq_users_person",
            "tenant_id",
            "person_id",  # before kind: lookups by person use this index
            "kind",
            unique=True,
            postgresql_where=text("person_id IS NOT NULL"),
        ),
        Index(None, "tenant_id", "kind"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    login: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    kind: Mapped[str] = mapped_column(String(10))
    person_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    surname: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))
    patronymic: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    failed_logins: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A student's current group (from contingent's events): what a curator's rights
    # reach. Null for staff and guardians.
    group_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    # The person's home account in another organisation: its login and password sign this
    # account in too (a teacher in two schools signs in once and chooses the school).
    home_tenant_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    home_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    # A guardian's keyed hash of their СНИЛС, from contingent (never the number itself):
    # the same person enrolling a child in another organisation keeps one sign-in.
    match_key: Mapped[str | None] = mapped_column(String(64))

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.name, self.patronymic) if p)

    @property
    def shared_sign_in(self) -> bool:
        """Signs in through the person's home account in another organisation."""
        return self.home_user_id is not None


class Position(Base):
    """A bundle of permissions. Built-in positions are the regulations' defaults, the same
    in every organisation and kept in step with the code (read-only to the organisation);
    an organisation's own are created by its administrator (003 3.3.2, 3.3.6)."""

    __tablename__ = "positions"
    __table_args__ = (
        Index("uq_positions_code", "tenant_id", "code", unique=True),
        Index("uq_positions_title", "tenant_id", text("lower(title)"), unique=True),
        CheckConstraint("account_kind IN ('staff', 'student', 'guardian')", name="account_kind"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(200))
    permissions: Mapped[list[str]] = mapped_column(ARRAY(String(100)))
    builtin: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # Staff positions are assigned; student and guardian ones describe what those accounts
    # reach by relationship and are never assigned.
    account_kind: Mapped[str] = mapped_column(String(10), server_default="staff")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class UserPosition(Base):
    __tablename__ = "user_positions"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
        ForeignKeyConstraint(["tenant_id", "position_id"], ["positions.tenant_id", "positions.id"]),
        Index("ix_user_positions_position", "tenant_id", "position_id"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    position_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)


class GuardianLink(Base):
    """A guardian's access to a child's data; ended, not deleted, when the child leaves."""

    __tablename__ = "guardian_links"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "guardian_user_id"], ["users.tenant_id", "users.id"]),
        ForeignKeyConstraint(["tenant_id", "student_user_id"], ["users.tenant_id", "users.id"]),
        Index(None, "tenant_id", "student_user_id"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    guardian_user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    student_user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CuratedGroup(Base):
    """Which staff account curates which group (from contingent's events)."""

    __tablename__ = "curated_groups"
    __table_args__ = (Index(None, "tenant_id", "curator_user_id"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    curator_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    # The group's name (5А, ИСП-21), for the credential slips.
    name: Mapped[str] = mapped_column(String(100), server_default="")
    # When contingent made the change: an older event arriving late changes nothing.
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RefreshToken(Base):
    """One refresh token of a sign-in's family; rotated at every use (the old one marked
    used), the whole family revoked at logout, at reuse of a used one, or when the
    account is disabled."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
        Index("uq_refresh_tokens_token_hash", "tenant_id", "token_hash", unique=True),
        Index(None, "tenant_id", "family_id"),
        Index(None, "tenant_id", "user_id"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    family_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    """Every sign-in attempt, with time and address. Written only through definer functions
    (the service cannot alter the log); an organisation reads its own rows."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    login: Mapped[str] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(INET)
    user_agent: Mapped[str | None] = mapped_column(String(300))
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    outcome: Mapped[str] = mapped_column(String(20))


class CalendarDay(Base):
    """The region's corrections to the production calendar (from schedule's events): a
    region's, not an organisation's, so without a tenant."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
