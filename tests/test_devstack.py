"""`make run`: real PostgreSQL and NATS from wheels, migrations, every service, a demo
region seeded once; Ctrl-C stops everything with no orphans; a second run duplicates nothing."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from edureg_admin import catalogue
from edureg_devstack import demo_region
from edureg_devstack.embedded import free_port
from edureg_devstack.testing.infra import scratch_dir

BANNER = "edureg запущен"


def _start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "edureg_devstack.run"],
        env=env,
        stdout=open(log, "ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_banner(proc: subprocess.Popen[bytes], log: Path, runs: int, timeout: float = 180) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if text.count(BANNER) >= runs:
            return text
        assert proc.poll() is None, f"run exited early:\n{text[-5000:]}"
        assert "!!!" not in text.split(BANNER)[-1], text[-5000:]
        time.sleep(0.5)
    raise AssertionError(f"no banner in {timeout}s:\n{log.read_text(errors='replace')[-5000:]}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
    proc.wait(60)


def _orphans(data: Path, children: list[psutil.Process], ports: list[int]) -> list[str]:
    """Processes of the run still alive, or anything still listening on its ports."""
    found = [" ".join(c.cmdline()) for c in children if c.is_running() and c.status() != "zombie"]
    for p in psutil.process_iter(["cmdline"]):
        cmd = " ".join(p.info["cmdline"] or [])
        if str(data) in cmd:
            found.append(cmd)
    for conn in psutil.net_connections("tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port in ports:
            found.append(f"listening on {conn.laddr.port}")
    return found


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health/ready", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _counts(urls: dict[str, str]) -> tuple[int, int, int]:
    org = demo_region.ORGANISATIONS[0]
    admin = next(s for s in org["staff"] if "admin" in s["positions"])
    token = httpx.post(
        f"{urls['identity']}/api/v1/auth/token",
        json={"login": admin["login"], "password": admin["password"]},
    ).json()
    h = {"Authorization": f"Bearer {token['access_token']}"}
    groups = httpx.get(f"{urls['contingent']}/api/v1/groups", headers=h).json()["items"]
    students = httpx.get(
        f"{urls['identity']}/api/v1/accounts", headers=h, params={"kind": "student", "limit": 1}
    ).json()["total"]
    roster = sum(
        len(
            httpx.get(
                f"{urls['journal']}/api/v1/groups/{g['id']}/roster",
                headers=h,
                params={"on": "2026-09-15"},
            ).json()["items"]
        )
        for g in groups
    )
    return len(groups), students, roster


@pytest.fixture
def run_data() -> Iterator[Path]:
    """`make run`'s data folder, in memory where the test run's databases are."""
    root = Path(tempfile.mkdtemp(prefix="edureg-run-", dir=scratch_dir()))
    try:
        yield root / "data"
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_run_seeds_once_and_stops_cleanly(run_data: Path) -> None:
    data = run_data
    ports = {s.name: free_port() for s in catalogue.services()}
    env = {
        **os.environ,
        "EDUREG_DEV_DATA_DIR": str(data),
        "EDUREG_DEV_PG_PORT": str(free_port()),
        "EDUREG_DEV_NATS_PORT": str(free_port()),
    }
    env.update({f"{s.env_prefix}HTTP_PORT": str(ports[s.name]) for s in catalogue.services()})
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    log = data.parent / "run.log"

    all_ports = [*ports.values(), int(env["EDUREG_DEV_PG_PORT"]), int(env["EDUREG_DEV_NATS_PORT"])]
    proc = _start(env, log)
    try:
        text = _wait_banner(proc, log, 1)
        children = psutil.Process(proc.pid).children(recursive=True)
        assert len(children) >= 8  # six services, PostgreSQL, NATS
        for s in catalogue.services():
            assert urls[s.name] in text
            assert httpx.get(f"{urls[s.name]}/health/ready").status_code == 200
        assert "admin.gym1" in text
        assert "admin.tc" in text
        # 5А's week of ten lessons over the first quarter (1 September – 25 October).
        assert "Расписание: 78 занятий 5А" in text
        expected_students = sum(len(g["students"]) for g in demo_region.GROUPS["gym-1"])
        deadline = time.monotonic() + 60
        while (first := _counts(urls)) != (2, expected_students, expected_students):
            assert time.monotonic() < deadline, first
            time.sleep(0.5)
        login = httpx.get(f"{urls['portal']}/login")
        assert login.status_code == 200
        assert "Войти" in login.text
        # A service that crashes is restarted; the others keep serving meanwhile.
        [journal] = [c for c in children if "edureg_journal.main" in " ".join(c.cmdline())]
        journal.kill()
        journal.wait(10)
        assert httpx.get(f"{urls['identity']}/health/ready").status_code == 200
        assert httpx.get(f"{urls['portal']}/login").status_code == 200
        deadline = time.monotonic() + 60
        while not _ready(urls["journal"]):
            assert time.monotonic() < deadline, "journal was not restarted"
            time.sleep(0.3)
        assert _counts(urls) == first
        children = psutil.Process(proc.pid).children(recursive=True)
        assert any("edureg_journal.main" in " ".join(c.cmdline()) for c in children)
    finally:
        _stop(proc)
    assert proc.returncode is not None
    assert _orphans(data, children, all_ports) == []

    proc = _start(env, log)
    try:
        text = _wait_banner(proc, log, 2)
        children = psutil.Process(proc.pid).children(recursive=True)
        assert "0 обучающихся зачислено сейчас" in text.split(BANNER)[-1]
        assert "Расписание: 0 занятий 5А" in text.split(BANNER)[-1]
        assert _counts(urls) == first
    finally:
        _stop(proc)
    assert _orphans(data, children, all_ports) == []
