"""Request-body size limit (a pure ASGI middleware, outermost, so an oversized body is
refused with 413 before authentication, parsing or any database work), and no-store."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from edureg_shared.problems import PROBLEM_BASE, PROBLEM_JSON


class _TooLarge(BaseException):
    """A BaseException, so that no `except Exception` on the way (FastAPI's body parser
    has one) turns it into another answer."""


def _problem(max_bytes: int) -> bytes:
    return json.dumps(
        {
            "type": PROBLEM_BASE + "payload-too-large",
            "title": "Слишком большой запрос",
            "status": 413,
            "detail": f"Тело запроса больше допустимых {max_bytes // 1024} КБ"
            if max_bytes < 4 * 1024 * 1024
            else f"Файл больше допустимых {max_bytes // (1024 * 1024)} МБ",
        },
        ensure_ascii=False,
    ).encode()


class BodySizeLimit:
    """`max_bytes` for every request but those under `upload_paths`, which may carry up
    to `max_upload_bytes` (a file being imported)."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        upload_paths: tuple[str, ...] = (),
        max_upload_bytes: int = 0,
    ) -> None:
        self.app = app
        self.default_bytes = max_bytes
        self.upload_paths = upload_paths
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.default_bytes
        if self.upload_paths and str(scope.get("path", "")).startswith(self.upload_paths):
            limit = max(self.max_upload_bytes, self.default_bytes)
        await self._limited(scope, receive, send, limit)

    async def _limited(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > limit
            except ValueError:
                too_large = False
            if too_large:
                await self._refuse(send, limit)
                return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(send, limit)

    async def _refuse(self, send: Send, limit: int) -> None:
        body = _problem(limit)
        headers: list[Any] = [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class NoStore:
    """`Cache-Control: no-store` on every response that does not set its own (a pure ASGI
    middleware: FastAPI's `@app.middleware` would run the app in a task group, where the
    body limit's refusal arrives wrapped in an exception group)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_header)
