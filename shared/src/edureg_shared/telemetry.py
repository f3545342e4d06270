"""OpenTelemetry tracing and structured (JSON) logs.

Logs carry ids, event types and error classes; never names, birth dates or other
personal data. Spans go to an OTLP collector when one is configured, and to a JSON-lines
file in development and tests (so a test can follow one trace across processes).
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.trace import Status

from edureg_shared.scrub import scrub
from edureg_shared.settings import ServiceSettings

_RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            entry["trace_id"] = format(span.trace_id, "032x")
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value if isinstance(value, (int, float, bool)) else str(value)
        if record.exc_info and record.exc_info[0] is not None:
            entry["error_type"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)


class JsonLinesSpanExporter(SpanExporter):
    """Writes finished spans as JSON lines, with everything an OTLP exporter would send
    (attributes, events, status): for development and cross-process tests, which read
    them to follow a trace and to check that no personal data is in one."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = []
        for span in spans:
            ctx = span.get_span_context()
            parent = span.parent
            lines.append(
                json.dumps(
                    {
                        "name": span.name,
                        "trace_id": format(ctx.trace_id, "032x") if ctx else None,
                        "span_id": format(ctx.span_id, "016x") if ctx else None,
                        "parent_id": format(parent.span_id, "016x") if parent else None,
                        "service": span.resource.attributes.get("service.name"),
                        "start": span.start_time,
                        "end": span.end_time,
                        "attributes": dict(span.attributes or {}),
                        "events": [
                            {"name": e.name, "attributes": dict(e.attributes or {})}
                            for e in span.events
                        ],
                        "status": span.status.description,
                    },
                    ensure_ascii=False,
                    default=str,
                )
            )
        with self._lock, open(self._path, "a", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        return None


class ScrubbingExporter(SpanExporter):
    """Exports spans with exception details scrubbed the way dead letters are: the class
    and a first line without quoted values; never a stack trace (its frames' locals and
    messages may hold a child's name)."""

    def __init__(self, inner: SpanExporter) -> None:
        self._inner = inner

    @staticmethod
    def _clean(span: ReadableSpan) -> ReadableSpan:
        events = []
        for e in span.events:
            attrs = dict(e.attributes or {})
            if "exception.message" in attrs:
                attrs["exception.message"] = scrub(
                    str(attrs["exception.message"]).splitlines()[0][:300]
                    if attrs["exception.message"]
                    else ""
                )
            attrs.pop("exception.stacktrace", None)
            events.append(Event(e.name, attrs, e.timestamp))
        status = span.status
        if status.description:
            status = Status(status.status_code, scrub(status.description))
        return ReadableSpan(
            name=span.name,
            context=span.get_span_context(),
            parent=span.parent,
            resource=span.resource,
            attributes=span.attributes,
            events=events,
            links=span.links,
            kind=span.kind,
            status=status,
            start_time=span.start_time,
            end_time=span.end_time,
            instrumentation_scope=span.instrumentation_scope,
        )

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self._inner.export([self._clean(s) for s in spans])

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._inner.force_flush(timeout_millis)


_configured = False


def setup_telemetry(settings: ServiceSettings) -> None:
    global _configured
    if _configured:
        return
    _configured = True
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter(settings.service_name))
    else:
        # Several services share a terminal under `make run`: each names itself.
        handler.setFormatter(
            logging.Formatter(
                f"%(asctime)s {settings.service_name:<10} %(levelname)s %(name)s %(message)s"
            )
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    # Access logs would print URLs with ids at every request: keep them at warning.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # The PDF font's subsetting tells of every table it prunes: dozens of lines per file.
    logging.getLogger("fontTools").setLevel(logging.WARNING)

    provider = TracerProvider(resource=Resource.create({"service.name": settings.service_name}))
    if settings.otel_exporter_otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(
            BatchSpanProcessor(
                ScrubbingExporter(
                    OTLPSpanExporter(
                        endpoint=settings.otel_exporter_otlp_endpoint.rstrip("/") + "/v1/traces"
                    )
                )
            )
        )
    if settings.otel_spans_file:
        provider.add_span_processor(
            BatchSpanProcessor(
                ScrubbingExporter(JsonLinesSpanExporter(settings.otel_spans_file)),
                # Written within two seconds; the exporter's thread sleeps in between.
                schedule_delay_millis=2000,
            )
        )
    trace.set_tracer_provider(provider)


def shutdown_telemetry() -> None:
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.force_flush()
