"""The one envelope every event travels in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Actor(BaseModel):
    """Who caused the event: a user (by id only, never by name) or the system."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["user", "system", "service"] = "user"
    id: uuid.UUID | None = None


SYSTEM = Actor(kind="system")


class Envelope(BaseModel):
    """An event: `type` like `contingent.student.enrolled`, published on `<type>.v<version>`.

    W3C trace context travels in the message headers, not here.
    """

    model_config = ConfigDict(frozen=True)

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str
    schema_version: int = 1
    tenant_id: uuid.UUID
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    actor: Actor
    subject_id: uuid.UUID | None = None
    data: dict[str, Any]

    @property
    def producer(self) -> str:
        return self.type.split(".", 1)[0]


def subject_for(event_type: str, version: int, prefix: str = "") -> str:
    return f"{prefix}{event_type}.v{version}"


def stream_name(producer: str, prefix: str = "") -> str:
    return f"{prefix.strip('.').upper().replace('.', '_')}{'_' if prefix else ''}{producer.upper()}"
