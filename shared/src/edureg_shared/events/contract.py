"""An event contract: type, version and payload model in one object.

The producer declares each event it publishes once, in its `contracts/` module, as an
`EventContract`; the envelope, the subject, the AsyncAPI entry, the broker permissions
and the event catalogue all derive from that declaration.
"""

from __future__ import annotations

import builtins
import uuid
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from edureg_shared.events.envelope import Actor, Envelope, subject_for

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class EventContract(Generic[M]):
    type: str  # e.g. "contingent.student.enrolled"
    version: int
    model: builtins.type[M]

    @property
    def producer(self) -> str:
        return self.type.split(".", 1)[0]

    @property
    def description(self) -> str:
        return (self.model.__doc__ or "").strip()

    def subject(self, prefix: str = "") -> str:
        return subject_for(self.type, self.version, prefix)

    def envelope(
        self, *, tenant_id: uuid.UUID, actor: Actor, subject_id: uuid.UUID | None, data: M
    ) -> Envelope:
        return Envelope(
            type=self.type,
            schema_version=self.version,
            tenant_id=tenant_id,
            actor=actor,
            subject_id=subject_id,
            data=data.model_dump(mode="json"),
        )


@dataclass(frozen=True)
class Consumes:
    """An event a service consumes: type, version and the consumer's own tolerant model
    of the fields it reads (a contract test checks it against the producer's)."""

    type: str
    version: int
    model: builtins.type[BaseModel] = field(compare=False, hash=False)

    def parse(self, data: dict[str, Any]) -> Any:
        return self.model.model_validate(data)

    @property
    def producer(self) -> str:
        return self.type.split(".", 1)[0]

    def subject(self, prefix: str = "") -> str:
        return subject_for(self.type, self.version, prefix)
