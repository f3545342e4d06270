"""Consumers: inbox-deduplicated, explicitly acknowledged, retried, then dead-lettered.

FastStream's NATS default would *terminate* a message whose handler raises, so every
subscriber here runs with `AckPolicy.MANUAL` and this wrapper decides:
- success: commit (effect + inbox row in one transaction), then ack;
- failure: roll back, `nak` with a growing delay, until `max_deliver` deliveries;
- the delivery after that goes to `<prefix>deadletter.<consumer>.<type>` with the
  payload and the error, and is acked, so the messages behind it keep flowing.
The consumer is durable: a restarted service resumes where it stopped.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from faststream import AckPolicy
from faststream.nats import ConsumerConfig, JStream, NatsBroker, NatsMessage, PullSub
from nats.js.api import AckPolicy as JsAckPolicy
from nats.js.api import DeliverPolicy
from opentelemetry import propagate, trace
from sqlalchemy import MetaData, literal_column
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_shared.db import Database
from edureg_shared.events import tables
from edureg_shared.events.envelope import (
    Envelope,
    deadletter_subject,
    stream_name,
    subject_for,
)
from edureg_shared.settings import ServiceSettings

log = logging.getLogger("edureg.consumer")
tracer = trace.get_tracer("edureg.consumer")

_md = MetaData()
INBOX = tables.inbox(_md)

Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]


async def claim(session: AsyncSession, consumer: str, event: Envelope) -> bool:
    """Record `event` as handled by `consumer`; False if it already was (a redelivery)."""
    result: Any = await session.execute(
        insert(INBOX)
        .values(
            consumer=consumer,
            event_id=event.id,
            tenant_id=event.tenant_id,
            event_type=event.type,
        )
        .on_conflict_do_nothing()
        .returning(literal_column("1"))
    )
    return result.first() is not None


@dataclass(frozen=True)
class Subscription:
    consumer: str  # durable name, e.g. "identity-student-enrolled"
    event_type: str
    version: int


def backoff(delivered: int, base: float, cap: float) -> float:
    return float(min(cap, base * 2 ** max(0, delivered - 1)))


def subscribe(
    broker: NatsBroker,
    *,
    settings: ServiceSettings,
    db: Database,
    service: str,
    event_type: str,
    handler: Handler,
    version: int = 1,
    description: str | None = None,
) -> Subscription:
    """Register a durable JetStream subscriber that runs `handler` exactly once per event."""
    prefix = settings.nats_prefix
    producer = event_type.split(".", 1)[0]
    consumer = f"{service}-{event_type.replace('.', '-')}-v{version}"
    subject = subject_for(event_type, version, prefix)
    max_deliver = settings.consumer_max_deliver

    @broker.subscriber(
        subject,
        stream=JStream(name=stream_name(producer, prefix), declare=False),
        durable=consumer,
        pull_sub=PullSub(batch_size=settings.consumer_batch_size, timeout=1.0),
        config=ConsumerConfig(
            durable_name=consumer,
            ack_policy=JsAckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=settings.consumer_ack_wait_s,
            # Counted by us (see below), so that the last try can still be dead-lettered.
            max_deliver=-1,
            max_ack_pending=10_000,
        ),
        ack_policy=AckPolicy.MANUAL,
        title=f"{service}: {event_type} v{version}",
        description=description or handler.__doc__,
    )
    async def on_message(msg: NatsMessage) -> None:
        raw = msg.raw_message
        delivered = raw.metadata.num_delivered or 1
        headers = dict(raw.headers or {})
        ctx = propagate.extract(headers)
        with tracer.start_as_current_span(
            f"{service} handle {event_type}", context=ctx, kind=trace.SpanKind.CONSUMER
        ) as span:
            span.set_attribute("messaging.system", "nats")
            span.set_attribute("messaging.destination.name", subject)
            span.set_attribute("messaging.message.delivery_count", delivered)
            if delivered > max_deliver:
                await _dead_letter(
                    broker,
                    prefix,
                    consumer,
                    event_type,
                    raw.data,
                    headers,
                    error=headers.get("X-Last-Error", "max deliveries exceeded"),
                    delivered=delivered,
                )
                await msg.ack()
                return
            try:
                event = Envelope.model_validate_json(raw.data)
                span.set_attribute("edureg.event.id", str(event.id))
                async with db.tenant_session(event.tenant_id) as session:
                    if await claim(session, consumer, event):
                        await handler(session, event)
            except Exception as exc:
                span.record_exception(exc)
                error = f"{type(exc).__name__}: {str(exc)[:300]}"
                if delivered >= max_deliver:
                    await _dead_letter(
                        broker,
                        prefix,
                        consumer,
                        event_type,
                        raw.data,
                        headers,
                        error=error,
                        delivered=delivered,
                    )
                    await msg.ack()
                    log.error(
                        "event dead-lettered",
                        extra={
                            "consumer": consumer,
                            "delivered": delivered,
                            "error_type": type(exc).__name__,
                        },
                    )
                else:
                    await msg.nack(
                        delay=backoff(
                            delivered,
                            settings.consumer_backoff_base_s,
                            settings.consumer_backoff_max_s,
                        )
                    )
                    log.warning(
                        "event handling failed, will retry",
                        extra={
                            "consumer": consumer,
                            "delivered": delivered,
                            "error_type": type(exc).__name__,
                        },
                    )
                return
            await msg.ack()

    return Subscription(consumer=consumer, event_type=event_type, version=version)


async def _dead_letter(
    broker: NatsBroker,
    prefix: str,
    consumer: str,
    event_type: str,
    payload: bytes,
    headers: dict[str, str],
    *,
    error: str,
    delivered: int,
) -> None:
    original_id = headers.get("Nats-Msg-Id") or str(uuid.uuid4())
    dl_headers = {k: v for k, v in headers.items() if k.lower() in ("traceparent", "tracestate")}
    dl_headers.update(
        {
            "Nats-Msg-Id": f"{original_id}:{consumer}",
            "X-Consumer": consumer,
            "X-Original-Type": event_type,
            "X-Error": error,
            "X-Deliveries": str(delivered),
            "X-Dead-Lettered-At": datetime.now(UTC).isoformat(),
        }
    )
    js = broker.connection.jetstream()
    await js.publish(deadletter_subject(consumer, event_type, prefix), payload, headers=dl_headers)
