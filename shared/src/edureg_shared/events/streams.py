"""JetStream streams: one per producing service plus one for dead letters.

Streams are created and updated by the operator's admin credential (`edureg-migrate
streams`, `make run`, the test harness), never by a service: a service's broker user
may not create, edit, purge or delete streams.

Retention (documented in docs/security.md):
- event streams keep a message 30 days (long enough to replay a consumer that was down
  over a holiday; reporting rebuilds from them);
- dead letters keep the payload 7 days: long enough for an operator to look at it on
  the next working day, short enough that personal data in a failed event does not linger.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

from nats.aio.client import Client as NatsClient
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError

from edureg_shared.events.envelope import stream_name
from edureg_shared.events.manifest import DEADLETTER, ServiceManifest, producers

DUPLICATE_WINDOW_S = 15 * 60
MAX_AGE_S = 30 * 24 * 3600
DEADLETTER_MAX_AGE_S = 7 * 24 * 3600
NO_SUITABLE_PEERS = 10005  # JetStream's error code: too few peers for the replicas asked
PLACEMENT_WAIT_S = 30.0


def stream_configs(
    manifests: Iterable[ServiceManifest], prefix: str = "", replicas: int = 1
) -> list[StreamConfig]:
    configs = []
    for producer in (*producers(manifests), DEADLETTER):
        configs.append(
            StreamConfig(
                name=stream_name(producer, prefix),
                subjects=[f"{prefix}{producer}.>"],
                storage=StorageType.FILE,
                retention=RetentionPolicy.LIMITS,
                discard=DiscardPolicy.OLD,
                max_age=DEADLETTER_MAX_AGE_S if producer == DEADLETTER else MAX_AGE_S,
                duplicate_window=DUPLICATE_WINDOW_S,
                num_replicas=replicas,
            )
        )
    return configs


async def ensure_streams(
    nc: NatsClient, manifests: Iterable[ServiceManifest], prefix: str = "", replicas: int = 1
) -> None:
    """Create the streams, or bring existing ones in line with the configuration.
    Needs the admin credential."""
    js = nc.jetstream()
    for config in stream_configs(manifests, prefix, replicas):
        assert config.name is not None
        # A cluster that has just elected its meta leader may not know all its peers yet:
        # a stream of 3 replicas then has "no suitable peers". Wait for them, a while.
        deadline = time.monotonic() + PLACEMENT_WAIT_S
        while True:
            try:
                try:
                    await js.stream_info(config.name)
                except NotFoundError:
                    await js.add_stream(config)
                else:
                    await js.update_stream(config)
                break
            except BadRequestError as exc:
                if exc.err_code != NO_SUITABLE_PEERS or time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.25)
