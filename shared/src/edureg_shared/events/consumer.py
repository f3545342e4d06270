"""Consumers: inbox-deduplicated, explicitly acknowledged, retried, then dead-lettered.

FastStream's NATS default would *terminate* a message whose handler raises, so every
subscriber here runs with `AckPolicy.MANUAL` and this wrapper decides:
- success: commit (effect + inbox rows in one transaction), then ack;
- failure: roll back, retry each message of the batch alone; a message that still
  fails is `nak`ed with a growing delay, until `max_deliver` deliveries;
- the delivery after that goes to `<prefix>deadletter.<consumer>.<type>` with the
  payload and the error, and is acked, so the messages behind it keep flowing.
The consumer is durable: a restarted service resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from faststream import AckPolicy
from faststream.nats import ConsumerConfig, JStream, NatsBroker, NatsMessage, PullSub
from nats.aio.msg import Msg
from nats.js.api import AckPolicy as JsAckPolicy
from nats.js.api import DeliverPolicy
from opentelemetry import propagate, trace
from sqlalchemy import MetaData
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

Handler = Callable[[AsyncSession, list[Envelope]], Awaitable[None]]
"""Applies a batch of events of one type and one tenant, inside the caller's transaction.
A batch may be of one; a handler must be idempotent per event (the inbox filters
redeliveries before it is called) and must not commit."""


async def claim(session: AsyncSession, consumer: str, events: list[Envelope]) -> list[Envelope]:
    """Record `events` as handled by `consumer`; returns those not handled before."""
    result: Any = await session.execute(
        insert(INBOX)
        .values(
            [
                {
                    "consumer": consumer,
                    "event_id": e.id,
                    "tenant_id": e.tenant_id,
                    "event_type": e.type,
                }
                for e in events
            ]
        )
        .on_conflict_do_nothing()
        .returning(INBOX.c.event_id)
    )
    fresh = {row[0] for row in result.all()}
    out: list[Envelope] = []
    for e in events:  # a copy redelivered within the same batch counts once
        if e.id in fresh:
            fresh.discard(e.id)
            out.append(e)
    return out


@dataclass(frozen=True)
class Subscription:
    consumer: str  # durable name, e.g. "identity-contingent-student-enrolled-v1"
    event_type: str
    version: int


def describe(exc: BaseException) -> str:
    """The error for a dead letter: its class and first line, never the SQL parameters
    (database errors would otherwise repeat names from the payload)."""
    text = str(getattr(exc, "orig", None) or exc).split("[SQL:", 1)[0].strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:300] if text else ''}".rstrip(": ")


def backoff(delivered: int, base: float, cap: float) -> float:
    return float(min(cap, base * 2 ** max(0, delivered - 1)))


@dataclass
class _Delivery:
    raw: Msg
    delivered: int
    headers: dict[str, str]
    event: Envelope | None = None
    error: Exception | None = None


class _Processor:
    """Applies fetched messages: per tenant, one transaction for the whole batch; if that
    fails, each message alone, so one bad event cannot hold up or poison the others."""

    def __init__(
        self,
        *,
        broker: NatsBroker,
        settings: ServiceSettings,
        db: Database,
        consumer: str,
        event_type: str,
        subject: str,
        handler: Handler,
    ) -> None:
        self.broker = broker
        self.settings = settings
        self.db = db
        self.consumer = consumer
        self.event_type = event_type
        self.subject = subject
        self.handler = handler
        self.name = f"{consumer.split('-', 1)[0]} handle {event_type}"

    async def process(self, raws: list[Msg]) -> None:
        deliveries = []
        for raw in raws:
            d = _Delivery(
                raw=raw, delivered=raw.metadata.num_delivered or 1, headers=dict(raw.headers or {})
            )
            if d.delivered > self.settings.consumer_max_deliver:
                # Its last try died with the process: dead-letter it without another try.
                await self._dead_letter(d, "max deliveries exceeded (the last try did not finish)")
                continue
            try:
                d.event = Envelope.model_validate_json(raw.data)
            except ValueError as exc:
                d.error = exc
            deliveries.append(d)
        for d in (d for d in deliveries if d.error is not None):
            await self._failed(d, d.error)  # type: ignore[arg-type]
        by_tenant: dict[Any, list[_Delivery]] = {}
        for d in deliveries:
            if d.event is not None:
                by_tenant.setdefault(d.event.tenant_id, []).append(d)
        for group in by_tenant.values():
            try:
                await self._apply(group)
            except Exception:  # retried one by one just below
                # One at a time, so one bad event cannot hold up the rest.
                for d in group:
                    try:
                        await self._apply([d])
                    except Exception as exc:
                        await self._failed(d, exc)
                    else:
                        await d.raw.ack()
                continue
            for d in group:
                await d.raw.ack()

    async def _apply(self, group: list[_Delivery]) -> None:
        spans = []
        for d in group:
            span = tracer.start_span(
                self.name, context=propagate.extract(d.headers), kind=trace.SpanKind.CONSUMER
            )
            span.set_attribute("messaging.system", "nats")
            span.set_attribute("messaging.destination.name", self.subject)
            span.set_attribute("messaging.message.delivery_count", d.delivered)
            span.set_attribute("messaging.batch.message_count", len(group))
            span.set_attribute("edureg.event.id", str(d.event.id))  # type: ignore[union-attr]
            spans.append(span)
        events = [d.event for d in group if d.event is not None]
        try:
            # Statements run in the first event's trace; the others' spans cover the batch.
            with trace.use_span(spans[0], end_on_exit=False):
                async with self.db.tenant_session(events[0].tenant_id) as session:
                    fresh = await claim(session, self.consumer, events)
                    if fresh:
                        await self.handler(session, fresh)
        except Exception as exc:
            for span in spans:
                span.record_exception(exc)
                span.set_status(trace.StatusCode.ERROR)
            raise
        finally:
            for span in spans:
                span.end()

    async def _failed(self, d: _Delivery, exc: Exception) -> None:
        error = describe(exc)
        extra = {
            "consumer": self.consumer,
            "delivered": d.delivered,
            "error_type": type(exc).__name__,
        }
        if d.delivered >= self.settings.consumer_max_deliver:
            await self._dead_letter(d, error)
            log.error("event dead-lettered", extra=extra)
        else:
            await d.raw.nak(
                delay=backoff(
                    d.delivered,
                    self.settings.consumer_backoff_base_s,
                    self.settings.consumer_backoff_max_s,
                )
            )
            log.warning("event handling failed, will retry", extra=extra)

    async def _dead_letter(self, d: _Delivery, error: str) -> None:
        original_id = d.headers.get("Nats-Msg-Id") or str(uuid.uuid4())
        headers = {k: v for k, v in d.headers.items() if k.lower() in ("traceparent", "tracestate")}
        headers.update(
            {
                "Nats-Msg-Id": f"{original_id}:{self.consumer}",
                "X-Consumer": self.consumer,
                "X-Original-Type": self.event_type,
                "X-Error": error,
                "X-Deliveries": str(d.delivered),
                "X-Dead-Lettered-At": datetime.now(UTC).isoformat(),
            }
        )
        js = self.broker.connection.jetstream()
        await js.publish(
            deadletter_subject(self.consumer, self.event_type, self.settings.nats_prefix),
            d.raw.data,
            headers=headers,
        )
        await d.raw.ack()


class _MicroBatcher:
    """Collects the messages handed over in the same event-loop turn (one fetch) and
    applies them as one batch; each submitter waits until its batch is done."""

    def __init__(self, process: Callable[[list[Msg]], Awaitable[None]]) -> None:
        self._process = process
        self._pending: list[tuple[Msg, asyncio.Future[None]]] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def submit(self, raw: Msg) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        if not self._pending:
            loop.call_soon(self._flush)
        self._pending.append((raw, future))
        await future

    def _flush(self) -> None:
        batch, self._pending = self._pending, []
        task = asyncio.create_task(self._run(batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, batch: list[tuple[Msg, asyncio.Future[None]]]) -> None:
        try:
            await self._process([raw for raw, _ in batch])
        except BaseException as exc:  # the submitters see it (and FastStream logs it)
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
        else:
            for _, future in batch:
                if not future.done():
                    future.set_result(None)


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
    """Register a durable JetStream subscriber that applies each event exactly once.

    Messages are fetched in batches of whatever is waiting (up to `consumer_batch_size`)
    and applied in one transaction per tenant, so under load one commit serves many
    events, while a lone event on an idle system is handled at once.
    """
    prefix = settings.nats_prefix
    producer = event_type.split(".", 1)[0]
    consumer = f"{service}-{event_type.replace('.', '-')}-v{version}"
    subject = subject_for(event_type, version, prefix)
    processor = _Processor(
        broker=broker,
        settings=settings,
        db=db,
        consumer=consumer,
        event_type=event_type,
        subject=subject,
        handler=handler,
    )

    batcher = _MicroBatcher(processor.process)

    @broker.subscriber(
        subject,
        stream=JStream(name=stream_name(producer, prefix), declare=False),
        durable=consumer,
        # A fetch returns what is waiting (up to batch_size) at once; when nothing is, it
        # polls, and a message arriving during the poll is held until the poll ends
        # (nats-py waits for a full batch): so the poll is short. FastStream hands the
        # fetched messages over concurrently and the batcher applies them together.
        pull_sub=PullSub(
            batch_size=settings.consumer_batch_size, timeout=settings.consumer_fetch_wait_s
        ),
        config=ConsumerConfig(
            durable_name=consumer,
            ack_policy=JsAckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=settings.consumer_ack_wait_s,
            # Counted by us, so that a message whose last try died can still be dead-lettered.
            max_deliver=-1,
            max_ack_pending=10_000,
        ),
        ack_policy=AckPolicy.MANUAL,
        title=f"{service}: {event_type} v{version}",
        description=description or handler.__doc__,
    )
    async def on_message(msg: NatsMessage) -> None:
        await batcher.submit(msg.raw_message)

    return Subscription(consumer=consumer, event_type=event_type, version=version)
