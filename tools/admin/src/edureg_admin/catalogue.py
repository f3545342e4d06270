"""The services of the system, found where each declares itself: its pyproject's
`[project.entry-points."edureg.services"]` naming its manifest. Adding a service adds
it everywhere (make run, tests, migrations, streams, broker permissions)."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path

from edureg_shared.events.manifest import ServiceManifest

# The order services start in and are listed in; unknown ones come last, by name.
_ORDER = ("identity", "contingent", "schedule", "journal", "reporting", "portal")


@dataclass(frozen=True)
class ServiceInfo:
    manifest: ServiceManifest

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def title(self) -> str:
        return self.manifest.title

    @property
    def port(self) -> int:
        return self.manifest.http_port

    @property
    def has_database(self) -> bool:
        return self.manifest.has_database

    @property
    def has_broker(self) -> bool:
        return self.manifest.has_broker

    @property
    def env_prefix(self) -> str:
        return f"EDUREG_{self.name.upper()}_"

    @property
    def database(self) -> str:
        return f"edureg_{self.name}"

    @property
    def service_dir(self) -> Path:
        """The folder with alembic.ini: found from the installed package (src layout)."""
        spec = importlib.util.find_spec(f"edureg_{self.name}")
        if spec is None or spec.origin is None:
            raise RuntimeError(f"package edureg_{self.name} is not installed")
        return Path(spec.origin).resolve().parents[2]


@cache
def services() -> tuple[ServiceInfo, ...]:
    found = [ServiceInfo(ep.load()) for ep in entry_points(group="edureg.services")]
    rank = {name: i for i, name in enumerate(_ORDER)}
    return tuple(sorted(found, key=lambda s: (rank.get(s.name, len(rank)), s.name)))


def by_name() -> dict[str, ServiceInfo]:
    return {s.name: s for s in services()}


def with_database() -> tuple[ServiceInfo, ...]:
    return tuple(s for s in services() if s.has_database)


def manifests() -> tuple[ServiceManifest, ...]:
    return tuple(s.manifest for s in services())
