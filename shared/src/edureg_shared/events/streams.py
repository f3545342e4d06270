"""JetStream streams: one per producing service plus one for dead letters.

Every service declares all of them at start with the same configuration, so start order
does not matter. File storage, a duplicate window long enough to cover a relay restart.
"""

from __future__ import annotations

import contextlib

from nats.aio.client import Client as NatsClient
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError

from edureg_shared.events.envelope import DEADLETTER, PRODUCERS, stream_name

DUPLICATE_WINDOW_S = 15 * 60
MAX_AGE_S = 30 * 24 * 3600


def stream_configs(prefix: str = "", replicas: int = 1) -> list[StreamConfig]:
    configs = []
    for producer in (*PRODUCERS, DEADLETTER):
        configs.append(
            StreamConfig(
                name=stream_name(producer, prefix),
                subjects=[f"{prefix}{producer}.>"],
                storage=StorageType.FILE,
                retention=RetentionPolicy.LIMITS,
                discard=DiscardPolicy.OLD,
                max_age=MAX_AGE_S,
                duplicate_window=DUPLICATE_WINDOW_S,
                num_replicas=replicas,
            )
        )
    return configs


async def ensure_streams(nc: NatsClient, prefix: str = "", replicas: int = 1) -> None:
    js = nc.jetstream()
    for config in stream_configs(prefix, replicas):
        try:
            await js.add_stream(config)
        except BadRequestError:
            # Exists with another config (e.g. replicas changed): bring it in line.
            with contextlib.suppress(BadRequestError):
                await js.update_stream(config)
