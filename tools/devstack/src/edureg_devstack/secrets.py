"""The secrets of one local deployment (make run, a test run, a benchmark): the database
superuser, each service's three database roles, the broker's admin and each service's
broker user. Random, different for every role; `make run` keeps them in
`.edureg/secrets.json` (mode 0600), a test run only in memory."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from edureg_admin.catalogue import ServiceInfo
from edureg_admin.provision import RoleSecrets


def _token() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class LocalSecrets:
    postgres: str = field(default_factory=_token)
    nats_admin: str = field(default_factory=_token)
    roles: dict[str, RoleSecrets] = field(default_factory=dict)
    nats: dict[str, str] = field(default_factory=dict)
    # The region's key for matching guardians across organisations (contingent's): kept,
    # since a new key would stop matching the guardians already known.
    person_match_key: str = ""

    def complete(self, services: tuple[ServiceInfo, ...]) -> bool:
        """Add secrets for services that have none yet; True if any were added."""
        added = False
        if not self.person_match_key:
            self.person_match_key = secrets.token_hex(32)
            added = True
        for s in services:
            if s.has_database and s.name not in self.roles:
                self.roles[s.name] = RoleSecrets.generate()
                added = True
            if s.has_broker and s.name not in self.nats:
                self.nats[s.name] = _token()
                added = True
        return added

    def to_json(self) -> str:
        return json.dumps(
            {
                "postgres": self.postgres,
                "nats_admin": self.nats_admin,
                "roles": {k: vars(v) for k, v in self.roles.items()},
                "nats": self.nats,
                "person_match_key": self.person_match_key,
            },
            indent=2,
        )

    @classmethod
    def load_or_create(cls, path: Path, services: tuple[ServiceInfo, ...]) -> LocalSecrets:
        if path.exists():
            raw = json.loads(path.read_text())
            found = cls(
                postgres=raw["postgres"],
                nats_admin=raw["nats_admin"],
                roles={k: RoleSecrets(**v) for k, v in raw["roles"].items()},
                nats=dict(raw["nats"]),
                person_match_key=raw.get("person_match_key", ""),
            )
        else:
            found = cls()
        if found.complete(services) or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(found.to_json())
        return found
