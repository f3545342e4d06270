"""Consumers: inbox-deduplicated, explicitly acknowledged, retried, then dead-lettered.

Each consumed event type has one durable JetStream pull consumer per service. The loop
here (not FastStream's subscriber loop: see docs/adr/0006-consumer-loop.md):
- long-polls for one message (one pull request per `consumer_long_poll_s` while idle,
  so an idle system is at rest), and is handed a message the moment it is published;
- then takes what else is waiting (up to `consumer_batch_size`, by the stream's own
  count of pending messages) without waiting, and applies the batch.
Applying a batch:
- per tenant, one transaction: effect + inbox rows, then ack;
- on failure, each message alone; a message that still fails is `nak`ed with a growing
  delay, until `max_deliver` deliveries;
- the delivery after that goes to `<prefix>deadletter.<service>.<consumer>.<type>` with
  the payload and the error, and is acked, so the messages behind it keep flowing;
- an envelope whose type or version does not match the subject it came on is
  dead-lettered at once (a producer may only publish its own subjects, and a consumer
  must not apply an event under another name).
The consumer is durable: a restarted service resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import FetchTimeoutError
from opentelemetry import propagate, trace
from sqlalchemy import MetaData
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from edureg_shared.db import Database
from edureg_shared.events import tables
from edureg_shared.events.contract import Consumes
from edureg_shared.events.envelope import Envelope, stream_name
from edureg_shared.events.manifest import ServiceManifest, deadletter_subject
from edureg_shared.metrics import Metrics
from edureg_shared.scrub import describe
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


def backoff(delivered: int, base: float, cap: float) -> float:
    return float(min(cap, base * 2 ** max(0, delivered - 1)))


class MisaddressedEvent(Exception):
    """The envelope's type or version is not the one of the subject it came on."""


class NotYet(Exception):
    """The event depends on another not applied yet (an expulsion before its enrolment,
    which another consumer handles): retried with a capped delay, not dead-lettered,
    until the event is older than `consumer_dependency_wait_s`."""


def _transient(exc: BaseException) -> bool:
    """The database or the network is away (not the event's fault): retry, never
    dead-letter for it."""
    if isinstance(exc, (ConnectionError, TimeoutError, OSError)):
        return True
    if isinstance(exc, DBAPIError):
        return bool(exc.connection_invalidated) or isinstance(
            exc, (OperationalError, InterfaceError)
        )
    return False


@dataclass
class _Delivery:
    raw: Msg
    delivered: int
    headers: dict[str, str]
    event: Envelope | None = None
    error: Exception | None = None


class Consumer:
    """One durable consumer of one event type for one service."""

    def __init__(
        self,
        *,
        nats: Callable[[], Any],
        settings: ServiceSettings,
        db: Database,
        manifest: ServiceManifest,
        event: Consumes,
        handler: Handler,
        metrics: Metrics | None = None,
    ) -> None:
        self._nats = nats
        self.metrics = metrics
        self.settings = settings
        self.db = db
        self.manifest = manifest
        self.event = event
        self.handler = handler
        self.prefix = settings.nats_prefix
        self.consumer = manifest.consumer_name(event)
        self.subject = event.subject(self.prefix)
        self.stream = stream_name(event.producer, self.prefix)
        self.name = f"{manifest.name} handle {event.type}"
        self._running = False
        self._task: asyncio.Task[None] | None = None
        self._sub: Any = None
        if metrics is not None:
            # Every series from zero, so that the first dead letter is an increase too.
            metrics.pending.labels(self.consumer).set(0)
            for outcome in ("applied", "retried", "dead_lettered"):
                metrics.events.labels(self.consumer, outcome)

    # -- the loop ---------------------------------------------------------------------

    def start(self) -> None:
        self._running = True
        self._task = asyncio.create_task(self._run(), name=f"consumer {self.consumer}")

    async def stop(self) -> None:
        self._running = False
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._sub is not None:
            # A pull request still waiting on the server would hold the connection's
            # drain at shutdown for the whole long poll.
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()
            self._sub = None

    def _config(self) -> ConsumerConfig:
        s = self.settings
        return ConsumerConfig(
            durable_name=self.consumer,
            filter_subject=self.subject,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=s.consumer_ack_wait_s,
            # Counted by us, so that a message whose last try died can still be dead-lettered.
            max_deliver=-1,
            max_ack_pending=10_000,
        )

    async def _run(self) -> None:
        s = self.settings
        while self._running:
            try:
                js = self._nats().jetstream()
                sub = self._sub = await js.pull_subscribe(
                    self.subject, durable=self.consumer, stream=self.stream, config=self._config()
                )
                while self._running:
                    try:
                        msgs = await sub.fetch(1, timeout=s.consumer_long_poll_s)
                    except (TimeoutError, FetchTimeoutError):
                        self._lag(0)  # a whole long poll without an event: caught up
                        continue
                    waiting = msgs[-1].metadata.num_pending if msgs else 0
                    self._lag(waiting)
                    if waiting and s.consumer_batch_size > 1:
                        with contextlib.suppress(TimeoutError, FetchTimeoutError):
                            msgs += await sub.fetch(
                                min(waiting, s.consumer_batch_size - 1), timeout=1.0
                            )
                    await self.process(msgs)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # The broker is away or restarting: the durable consumer waits for us.
                log.warning(
                    "consumer paused",
                    extra={"consumer": self.consumer, "error_type": type(exc).__name__},
                )
                if self._sub is not None:  # a new one is made on the next round
                    with contextlib.suppress(Exception):
                        await self._sub.unsubscribe()
                    self._sub = None
                await asyncio.sleep(1.0)

    def _lag(self, pending: int) -> None:
        if self.metrics is not None:
            self.metrics.pending.labels(self.consumer).set(pending)

    def _count(self, outcome: str, n: int = 1) -> None:
        if self.metrics is not None and n:
            self.metrics.events.labels(self.consumer, outcome).inc(n)

    # -- applying a batch -----------------------------------------------------------------

    async def process(self, raws: list[Msg]) -> None:
        deliveries = []
        for raw in raws:
            d = _Delivery(
                raw=raw, delivered=raw.metadata.num_delivered or 1, headers=dict(raw.headers or {})
            )
            try:
                d.event = Envelope.model_validate_json(raw.data)
            except ValueError as exc:
                d.error = exc  # not an envelope: no retry will make it one
            else:
                if d.delivered > self._deliveries_allowed(d.event):
                    # Its last try died with the process: dead-letter it without another try.
                    await self._dead_letter(
                        d, "max deliveries exceeded (the last try did not finish)"
                    )
                    continue
                if (
                    raw.subject != self.subject
                    or d.event.type != self.event.type
                    or d.event.schema_version != self.event.version
                ):
                    await self._dead_letter(
                        d, "MisaddressedEvent: envelope type does not match its subject"
                    )
                    log.error("misaddressed event dead-lettered", extra={"consumer": self.consumer})
                    continue
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
                        self._count("applied")
                continue
            for d in group:
                await d.raw.ack()
            self._count("applied", len(group))

    def _deliveries_allowed(self, event: Envelope) -> int:
        """How many deliveries an event gets before it is dead-lettered for dying with the
        process: the configured maximum, or any number while it may still be waiting for
        another event or the database (those retries count as deliveries too)."""
        age = (datetime.now(UTC) - event.occurred_at).total_seconds()
        if age < self.settings.consumer_dependency_wait_s:
            return 1_000_000
        return self.settings.consumer_max_deliver

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
            with trace.use_span(spans[0], end_on_exit=False, record_exception=False):
                async with self.db.tenant_session(events[0].tenant_id) as session:
                    fresh = await claim(session, self.consumer, events)
                    if fresh:
                        await self.handler(session, fresh)
        except Exception as exc:
            for span in spans:
                # The error's class and scrubbed first line: never the SQL parameters.
                span.add_event("exception", {"exception.type": type(exc).__name__})
                span.set_status(trace.StatusCode.ERROR, describe(exc))
            raise
        finally:
            for span in spans:
                span.end()

    async def _failed(self, d: _Delivery, exc: Exception) -> None:
        extra = {
            "consumer": self.consumer,
            "delivered": d.delivered,
            "error_type": type(exc).__name__,
        }
        s = self.settings
        waiting = (
            isinstance(exc, NotYet)
            and d.event is not None
            and (
                (datetime.now(UTC) - d.event.occurred_at).total_seconds()
                < s.consumer_dependency_wait_s
            )
        )
        if waiting or _transient(exc):
            # Not this event's fault: wait and retry as long as it takes.
            await d.raw.nak(
                delay=min(
                    s.consumer_backoff_max_s,
                    backoff(d.delivered, s.consumer_backoff_base_s, s.consumer_backoff_max_s),
                )
            )
            log.warning("event waits for its turn or for the database", extra=extra)
            self._count("retried")
            return
        if d.event is None or d.delivered >= self.settings.consumer_max_deliver:
            await self._dead_letter(d, describe(exc))
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
            self._count("retried")

    async def _dead_letter(self, d: _Delivery, error: str) -> None:
        original_id = d.headers.get("Nats-Msg-Id") or str(uuid.uuid4())
        headers = {k: v for k, v in d.headers.items() if k.lower() in ("traceparent", "tracestate")}
        headers.update(
            {
                "Nats-Msg-Id": f"{original_id}:{self.consumer}",
                "X-Consumer": self.consumer,
                "X-Original-Type": self.event.type,
                "X-Original-Subject": d.raw.subject,
                "X-Error": error,
                "X-Deliveries": str(d.delivered),
                "X-Dead-Lettered-At": datetime.now(UTC).isoformat(),
            }
        )
        js = self._nats().jetstream()
        await js.publish(
            deadletter_subject(self.manifest.name, self.consumer, self.event.type, self.prefix),
            d.raw.data,
            headers=headers,
        )
        await d.raw.ack()
        self._count("dead_lettered")
