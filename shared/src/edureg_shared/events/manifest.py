"""What a service publishes and consumes, declared once per service
(`edureg_<service>/manifest.py`). Streams, durable consumer names, the broker's
per-service permissions and the event catalogue are all derived from the manifests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from edureg_shared.events.contract import Consumes, EventContract
from edureg_shared.events.envelope import stream_name
from edureg_shared.settings import ServiceSettings

DEADLETTER = "deadletter"


@dataclass(frozen=True)
class ServiceManifest:
    """A service as the rest of the system sees it. Each service exposes one as
    `edureg_<name>.manifest:MANIFEST` and names it in its pyproject's
    `[project.entry-points."edureg.services"]`; tools find the services there."""

    name: str
    title: str  # Russian, for people
    settings: type[ServiceSettings]
    publishes: tuple[EventContract[Any], ...] = ()
    consumes: tuple[Consumes, ...] = ()
    has_database: bool = True
    has_broker: bool = True
    # The permissions its endpoints require: name → what it allows (Russian). identity's
    # catalogue and docs/permissions.md are rendered from these (`edureg-migrate render`).
    permissions: tuple[tuple[str, str], ...] = ()

    @property
    def http_port(self) -> int:
        return int(self.settings.model_fields["http_port"].default)

    def __post_init__(self) -> None:
        for contract in self.publishes:
            if contract.producer != self.name:
                raise ValueError(f"{self.name} cannot publish {contract.type}")

    def consumer_name(self, event: Consumes) -> str:
        """The durable consumer of `event` for this service (no dots: one subject token)."""
        return f"{self.name}-{event.type.replace('.', '-').replace('_', '-')}-v{event.version}"

    def deadletter_prefix(self, prefix: str = "") -> str:
        """Dead letters of this service's consumers: `<prefix>deadletter.<service>.…`."""
        return f"{prefix}{DEADLETTER}.{self.name}"


def deadletter_subject(service: str, consumer: str, event_type: str, prefix: str = "") -> str:
    return f"{prefix}{DEADLETTER}.{service}.{consumer}.{event_type}"


def producers(manifests: Iterable[ServiceManifest]) -> list[str]:
    """Services that publish events: each has a stream `<PRODUCER>` over `<producer>.>`."""
    return [m.name for m in manifests if m.publishes]


def consumer_stream(event: Consumes, prefix: str = "") -> str:
    return stream_name(event.producer, prefix)
