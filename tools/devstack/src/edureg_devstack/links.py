"""TCP paths on loopback that a test can cut and mend: a network partition on one machine.

Every route between two NATS nodes of an `EmbeddedNatsCluster(partitionable=True)` runs
through its own `Link` (one per ordered pair: node i dials node j through link (i, j)),
so cutting the links of one node separates it from its peers while its clients, which
reach its client port directly, stay connected to it. A cut aborts the open connections
(the peers see a reset, as when a switch port goes down) and refuses new ones until it
is mended.

The links run on an event loop of their own in a daemon thread: they keep forwarding
while the test's own loop is busy, and a synchronous caller can cut them.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Coroutine, Hashable

_CHUNK = 64 * 1024


class Link:
    """Forwards what reaches its port to `target_port`, until cut."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.cut = False
        self.port = 0
        self.server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def listen(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = int(self.server.sockets[0].getsockname()[1])

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.cut:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:  # the peer is down: the dialling node retries, as on a real network
            writer.transport.abort()
            return
        if self.cut:  # cut while this connection was being made
            writer.transport.abort()
            up_writer.transport.abort()
            return
        self._open |= {writer, up_writer}
        pumps = [
            asyncio.ensure_future(_pump(reader, up_writer)),
            asyncio.ensure_future(_pump(up_reader, writer)),
        ]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pump in pumps:
                pump.cancel()
            for end in (writer, up_writer):
                self._open.discard(end)
                end.transport.abort()

    def sever(self) -> None:
        self.cut = True
        for end in list(self._open):
            end.transport.abort()
        self._open.clear()

    def mend(self) -> None:
        self.cut = False


async def _pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.IncompleteReadError):
        while chunk := await source.read(_CHUNK):
            sink.write(chunk)
            await sink.drain()


class Links:
    """A set of named `Link`s (and refusing sinks) on one background event loop."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="edureg-links", daemon=True
        )
        self._thread.start()
        self.links: dict[Hashable, Link] = {}

    def _run(self, step: Callable[[], Coroutine[object, object, None]]) -> None:
        asyncio.run_coroutine_threadsafe(step(), self._loop).result(10)

    def add(self, key: Hashable, target_port: int) -> int:
        """A link to `target_port`; returns the port to dial instead."""
        link = Link(target_port)
        self._run(link.listen)
        self.links[key] = link
        return link.port

    def sink(self) -> int:
        """A port that accepts and at once drops every connection: an address for
        something that must never be reached (a node's advertised route address)."""
        link = Link(0)
        link.cut = True
        self._run(link.listen)
        self.links[("sink", len(self.links))] = link
        return link.port

    def cut(self, keys: list[Hashable]) -> None:
        """Sever these links; on return their connections are gone."""

        async def sever() -> None:
            for key in keys:
                self.links[key].sever()

        self._run(sever)

    def mend(self, keys: list[Hashable]) -> None:
        async def mend() -> None:
            for key in keys:
                self.links[key].mend()

        self._run(mend)

    def close(self) -> None:
        async def shut() -> None:
            for link in self.links.values():
                link.sever()
                if link.server is not None:
                    link.server.close()
            for link in self.links.values():
                if link.server is not None:
                    await link.server.wait_closed()

        if self._loop.is_running():
            try:
                self._run(shut)
            finally:
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._thread.join(5)
                if not self._loop.is_running():
                    self._loop.close()
