"""The broker as a deployment configures it (no test prefix): every service has its own
user that may publish only its own subjects and read only the events it consumes; no
service may touch the streams; nobody gets in without credentials."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import shutil
import ssl
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import nats
import nats.errors
import nats.js.errors
import pytest
from nats.aio.client import Client
from nats.js.api import ConsumerConfig

from edureg_admin import broker, catalogue
from edureg_admin.migrate import create_streams, nats_config
from edureg_devstack.embedded import EmbeddedNats, free_port, nats_server_binary
from edureg_shared.events.envelope import stream_name

ROOT = Path(__file__).resolve().parents[1]
# What a refused JetStream request looks like to the client: no answer, or an error one.
REFUSED = (nats.errors.TimeoutError, nats.errors.NoRespondersError, nats.js.errors.APIError)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[EmbeddedNats, dict[str, str], str]]:
    root = Path(tempfile.mkdtemp(prefix="edureg-nats-perm-"))
    passwords = {m.name: secrets.token_urlsafe(16) for m in catalogue.manifests()}
    admin = secrets.token_urlsafe(16)
    authz = broker.authorization_block(broker.users(catalogue.manifests(), passwords, admin))
    nats_server = EmbeddedNats(root / "nats", free_port(), authorization=authz).start()
    try:
        asyncio.run(create_streams(nats_server.url, user=broker.ADMIN_USER, password=admin))
        yield nats_server, passwords, admin
    finally:
        nats_server.stop()
        shutil.rmtree(root, ignore_errors=True)


@contextlib.asynccontextmanager
async def connect_as(
    server: tuple[EmbeddedNats, dict[str, str], str], service: str
) -> AsyncIterator[tuple[Client, list[str]]]:
    nats_server, passwords, _ = server
    errors: list[str] = []

    async def on_error(exc: Exception) -> None:
        errors.append(str(exc))

    nc = await nats.connect(
        nats_server.url,
        user=service,
        password=passwords[service],
        inbox_prefix=broker.inbox_prefix(service),
        error_cb=on_error,
        allow_reconnect=False,
    )
    try:
        yield nc, errors
    finally:
        await nc.close()


async def _refused(errors: list[str], what: str) -> None:
    for _ in range(50):
        if any("permissions violation" in e.lower() and what.lower() in e.lower() for e in errors):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no permission violation for {what}: {errors}")


async def test_an_anonymous_or_wrong_credential_is_refused(server: Any) -> None:
    nats_server, _, _ = server
    for kwargs in (
        {},
        {"user": "identity", "password": "guess"},
        {"user": "nobody", "password": "x"},
    ):
        with pytest.raises(Exception, match="Authorization"):
            await nats.connect(
                nats_server.url, allow_reconnect=False, max_reconnect_attempts=0, **kwargs
            )


async def test_a_service_cannot_publish_another_services_event(server: Any) -> None:
    async with connect_as(server, "identity") as (nc, errors):
        await nc.publish("contingent.student.expelled.v2", b"{}")
        await nc.flush()
        await _refused(errors, "contingent.student.expelled.v2")
        with pytest.raises(REFUSED):  # no JetStream ack: the message never got in
            await nc.jetstream().publish("contingent.student.expelled.v2", b"{}", timeout=1)
    async with connect_as(server, "contingent") as (nc, errors):
        ack = await nc.jetstream().publish("contingent.student.expelled.v2", b"{}", timeout=5)
        assert ack.stream == stream_name("contingent")
        assert errors == []


async def test_no_service_may_delete_edit_or_read_streams_directly(server: Any) -> None:
    for service in ("identity", "contingent", "journal"):
        async with connect_as(server, service) as (nc, errors):
            js = nc.jetstream(timeout=1)
            with pytest.raises(REFUSED):
                await js.delete_stream(stream_name("contingent"))
            with pytest.raises(REFUSED):
                await js.purge_stream(stream_name("deadletter"))
            with pytest.raises(REFUSED):
                await js.get_msg(stream_name("contingent"), 1)
            await _refused(errors, "$JS.API.STREAM")
    nats_server, _, admin = server
    nc = await nats.connect(nats_server.url, user=broker.ADMIN_USER, password=admin)
    try:
        info = await nc.jetstream().stream_info(stream_name("contingent"))
        assert info.config.name == stream_name("contingent")
    finally:
        await nc.close()


async def test_a_service_reads_only_the_events_it_consumes(server: Any) -> None:
    identity = next(m for m in catalogue.manifests() if m.name == "identity")
    journal = next(m for m in catalogue.manifests() if m.name == "journal")
    requested = next(c for c in identity.consumes if c.type == "contingent.accounts.requested")
    async with connect_as(server, "identity") as (nc, errors):
        js = nc.jetstream(timeout=2)
        sub = await js.pull_subscribe(
            requested.subject(),
            durable=identity.consumer_name(requested),
            stream=stream_name("contingent"),
            config=ConsumerConfig(filter_subject=requested.subject()),
        )
        with contextlib.suppress(TimeoutError, nats.errors.TimeoutError):
            await sub.fetch(1, timeout=0.3)
        assert errors == []
    # Full names travel on contingent.accounts.requested: journal may not read them, not
    # even under a consumer name of its own choosing or identity's.
    async with connect_as(server, "journal") as (nc, errors):
        js = nc.jetstream(timeout=1)
        for name in (journal.consumer_name(requested), identity.consumer_name(requested)):
            with pytest.raises(REFUSED):
                await js.add_consumer(
                    stream_name("contingent"),
                    ConsumerConfig(
                        name=name, durable_name=name, filter_subject=requested.subject()
                    ),
                )
        with pytest.raises(REFUSED):
            await js.add_consumer(
                stream_name("contingent"),
                ConsumerConfig(name="journal-all", durable_name="journal-all", filter_subject=">"),
            )
        await _refused(errors, "$JS.API.CONSUMER.CREATE")


async def test_a_service_cannot_listen_to_another_services_replies(server: Any) -> None:
    async with connect_as(server, "journal") as (nc, errors):
        await nc.subscribe("_INBOX_identity.>")
        await nc.subscribe(">")
        await nc.flush()
        await _refused(errors, "Subscription")


def test_the_compose_broker_configuration_is_generated_and_valid(tmp_path: Path) -> None:
    """deploy/nats/auth.conf is what the manifests give (regenerate it with
    `edureg-migrate render`), and the server accepts the whole
    configuration with TLS."""
    committed = (ROOT / "deploy/nats/auth.conf").read_text(encoding="utf-8")
    assert committed == nats_config(), "deploy/nats/auth.conf is stale: regenerate it"
    tls = _certificates(tmp_path)
    conf = (ROOT / "deploy/nats/nats.conf").read_text(encoding="utf-8")
    conf = conf.replace("/etc/nats/tls", str(tls)).replace("/data/jetstream", str(tmp_path / "js"))
    (tmp_path / "nats.conf").write_text(conf, encoding="utf-8")
    shutil.copy(ROOT / "deploy/nats/auth.conf", tmp_path / "auth.conf")
    env = {f"{m.name.upper()}_NATS_PASSWORD": "x" for m in catalogue.manifests() if m.has_broker}
    env |= {"ADMIN_NATS_PASSWORD": "x", "NATS_SERVER_NAME": "nats-1"}
    result = subprocess.run(
        [nats_server_binary(), "-t", "-c", str(tmp_path / "nats.conf")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _certificates(folder: Path) -> Path:
    """A CA and a server certificate, as deploy/README.md tells an operator to make."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    out = folder / "tls"
    out.mkdir()
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "edureg test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "nats")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in ("nats-1", "nats-2", "nats-3")]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    (out / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (out / "server.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (out / "server-key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    assert ssl.create_default_context(cafile=str(out / "ca.pem"))
    return out
