from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    login: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=200)]
    # For a person with accounts in several organisations: which one to sign in to (the
    # 409 organisation-choice-required answer lists them).
    organisation_id: uuid.UUID | None = None


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int
    must_change_password: bool
    # For `POST /api/v1/auth/refresh` (none while a one-time password must be changed).
    refresh_token: str | None = None


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: Annotated[str, Field(min_length=1, max_length=200)]


class OrganisationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    short_name: str
    kind: str
    municipality: str
    status: str


class MeRead(BaseModel):
    id: uuid.UUID
    login: str
    kind: str
    full_name: str
    must_change_password: bool
    organisation: OrganisationRead | None
    # Titles of the positions held (staff).
    positions: list[str] = []
    permissions: list[str]


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: Annotated[str, Field(min_length=1, max_length=200)]
    new_password: Annotated[str, Field(min_length=8, max_length=200)]


class AccountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    login: str
    kind: str
    person_id: uuid.UUID | None
    active: bool
    full_name: str
    # Signs in with the login and password of the person's account in another
    # organisation: no slip from here.
    shared_sign_in: bool = False


class CredentialSlipRead(BaseModel):
    """Shown once: the curator prints it and hands it over; it is not stored."""

    account_id: uuid.UUID
    login: str
    password: str
    full_name: str
    must_change_password: bool = True


class RegisteredRead(BaseModel):
    """The new organisation and its first administrator's credential slip (shown once)."""

    organisation: OrganisationRead
    administrator: CredentialSlipRead


class PermissionRead(BaseModel):
    name: str
    title: str
    service: str


class PositionRead(BaseModel):
    id: uuid.UUID
    code: str
    title: str
    permissions: list[str]
    # The regulations' position: read-only; the organisation creates its own instead.
    builtin: bool
    # staff: assigned to staff; student, guardian: describes those accounts' access.
    account_kind: str
    # Active accounts holding it.
    holders: int


class PositionWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(min_length=1, max_length=200)]
    permissions: Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=100)]


class AccountPositionsWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    position_ids: Annotated[list[uuid.UUID], Field(max_length=50)]


class AccountPositionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    title: str
    builtin: bool


class LoginWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    login: Annotated[str, Field(min_length=1, max_length=64)]


class ActivityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: uuid.UUID
    login: str
    full_name: str
    kind: str
    active: bool
    sign_ins: int
    failed: int
    last_sign_in_at: datetime | None
    last_address: str | None


class KindUsage(BaseModel):
    accounts: int = 0
    active: int = 0
    # The one-time password was changed: the person actually uses the account.
    activated: int = 0
    signed_in: int = 0


class OrganisationUsageRead(BaseModel):
    """Counts only: no name, login or address of anyone."""

    organisation_id: uuid.UUID
    code: str
    short_name: str
    municipality: str
    status: str
    staff: KindUsage
    student: KindUsage
    guardian: KindUsage


class OverdueRead(BaseModel):
    """An account not activated within three working days of its creation (001 2.6)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    login: str
    kind: str
    full_name: str
    created_at: datetime


class JoinSignIn(BaseModel):
    """Join the account `account_login` (another organisation) to the person's account
    `login`: afterwards `login` and its password sign in to both."""

    model_config = ConfigDict(extra="forbid")

    login: Annotated[str, Field(min_length=1, max_length=64)]
    account_login: Annotated[str, Field(min_length=1, max_length=64)]


class SignInAccountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    organisation_id: uuid.UUID = Field(validation_alias="tenant_id")
    organisation: str
    kind: str
    active: bool


class JoinedRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    login: str
    accounts: list[SignInAccountRead]


class SignInRead(BaseModel):
    """An entry of one's own sign-in log."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    outcome: str
    address: str | None
    user_agent: str | None

    @field_validator("address", mode="before")
    @classmethod
    def _address(cls, value: object) -> str | None:
        return None if value is None else str(value)
