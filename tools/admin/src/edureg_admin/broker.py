"""Broker users and permissions, derived from the service manifests.

One NATS user per service. It may publish only:
- its own subjects `<service>.>` (through its outbox relay) and its dead letters
  `deadletter.<service>.>`;
- for each event it consumes, on that producer's stream and under its own durable
  consumer's name: create that consumer *with that event's subject as filter*, read the
  consumer's info, fetch from it, and acknowledge its messages.
It may subscribe only to its own reply inbox `_INBOX_<service>.>` (acks, fetched
messages), so it cannot read another service's replies. It can neither create, edit,
purge nor delete streams, nor read messages by sequence, nor consume a subject it is
not listed for. The admin user (`edureg-migrate streams`, the test harness) creates
streams; no service holds its credential. Connections without credentials are refused.

`prefix_pattern` is "" in a deployment; a shared test server, where each test puts its
own prefix token in front of every subject, uses "*." (and any stream name).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from edureg_shared.events.envelope import stream_name
from edureg_shared.events.manifest import DEADLETTER, ServiceManifest

ADMIN_USER = "edureg-admin"


class EnvRef(str):
    """A value the server reads from its environment (`$NAME`), written unquoted."""

    __slots__ = ()


def inbox_prefix(service: str) -> str:
    return f"_INBOX_{service}"


def service_permissions(manifest: ServiceManifest, prefix_pattern: str = "") -> dict[str, Any]:
    p = prefix_pattern
    publish = [f"{p}{manifest.name}.>", f"{p}{DEADLETTER}.{manifest.name}.>"]
    for event in manifest.consumes:
        stream = "*" if p else stream_name(event.producer)
        consumer = manifest.consumer_name(event)
        publish += [
            f"$JS.API.CONSUMER.CREATE.{stream}.{consumer}.{p}{event.subject()}",
            f"$JS.API.CONSUMER.INFO.{stream}.{consumer}",
            f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{consumer}",
            f"$JS.ACK.{stream}.{consumer}.>",
        ]
    return {
        "publish": {"allow": publish},
        "subscribe": {"allow": [f"{inbox_prefix(manifest.name)}.>"]},
    }


def users(
    manifests: Iterable[ServiceManifest],
    passwords: Mapping[str, str],
    admin_password: str,
    prefix_pattern: str = "",
) -> list[dict[str, Any]]:
    """The `authorization.users` of the server: the admin plus one user per service with
    a broker (`passwords` by service name; a value may be an `EnvRef`)."""
    out: list[dict[str, Any]] = [
        {
            "user": ADMIN_USER,
            "password": admin_password,
            "permissions": {"publish": {"allow": [">"]}, "subscribe": {"allow": [">"]}},
        }
    ]
    for m in manifests:
        if m.has_broker:
            out.append(
                {
                    "user": m.name,
                    "password": passwords[m.name],
                    "permissions": service_permissions(m, prefix_pattern),
                }
            )
    return out


def _value(value: Any) -> str:
    if isinstance(value, EnvRef):
        return f"${value}"
    return json.dumps(value, ensure_ascii=False)


def _render(value: Any, indent: int) -> str:
    pad = "  " * indent
    if isinstance(value, dict):
        inner = "\n".join(f"{pad}  {k}: {_render(v, indent + 1)}" for k, v in value.items())
        return "{\n" + inner + f"\n{pad}}}"
    if isinstance(value, list):
        if all(not isinstance(v, (dict, list)) for v in value):
            return "[" + ", ".join(_value(v) for v in value) + "]"
        inner = "\n".join(f"{pad}  {_render(v, indent + 1)}" for v in value)
        return "[\n" + inner + f"\n{pad}]"
    return _value(value)


def authorization_block(user_list: list[dict[str, Any]]) -> str:
    """NATS configuration text for the users (include it from the server's config)."""
    return "authorization " + _render({"users": user_list}, 0) + "\n"
