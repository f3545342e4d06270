"""Request limits and address parsing, without a service around them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI, Request
from starlette.requests import Request as StarletteRequest

from edureg_shared.limits import BodySizeLimit, NoStore
from edureg_shared.netaddr import client_address
from edureg_shared.problems import install_error_handlers


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    app.add_middleware(NoStore)
    app.add_middleware(BodySizeLimit, max_bytes=1024)
    return app


async def test_an_oversized_body_is_a_413_declared_or_chunked() -> None:
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        r = await c.post("/echo", content=b"x" * 2048)
        assert r.status_code == 413
        assert r.headers["content-type"] == "application/problem+json"

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(8):
                yield b"y" * 512

        r = await c.post("/echo", content=chunks())
        assert r.status_code == 413, r.text
        ok = await c.post("/echo", content=b"z" * 100)
        assert ok.json() == {"size": 100}
        assert ok.headers["cache-control"] == "no-store"


def _request(peer: str, forwarded: str | None = None) -> StarletteRequest:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return StarletteRequest({"type": "http", "client": (peer, 1), "headers": headers})


def test_forwarded_addresses_are_believed_only_from_trusted_proxies() -> None:
    trusted = ["10.0.0.0/8"]
    assert client_address(_request("10.1.1.1", "203.0.113.5"), trusted) == "203.0.113.5"
    # The client's own claims left of the last untrusted hop are ignored.
    assert client_address(_request("10.1.1.1", "1.2.3.4, 203.0.113.5"), trusted) == "203.0.113.5"
    assert client_address(_request("198.51.100.7", "203.0.113.5"), trusted) == "198.51.100.7"
    # An IPv4-mapped address is the IPv4 one; a zoned or malformed hop is not believed.
    assert client_address(_request("::ffff:198.51.100.7"), trusted) == "198.51.100.7"
    assert client_address(_request("10.1.1.1", "fe80::1%eth0"), trusted) == "10.1.1.1"
    assert client_address(_request("10.1.1.1", "not-an-ip"), trusted) == "10.1.1.1"
