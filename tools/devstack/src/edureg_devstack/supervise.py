"""The services under supervisord (a well-kept supervisor, not a home-made one): a service
that crashes is restarted while the others keep serving; one that keeps failing at start
is retried with a growing delay (supervisor's back-off: 1 s, 2 s, … for `startretries`
tries) and then left stopped, visibly, rather than taking the system down. Ctrl-C stops
supervisord, which stops every service (their whole process groups)."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

PROGRAM_DEFAULTS = {
    "autostart": "true",
    "autorestart": "true",
    # A process that stays up this long has started; one that dies sooner backs off.
    "startsecs": "3",
    "startretries": "8",
    "stopsignal": "TERM",
    "stopwaitsecs": "20",
    "stopasgroup": "true",
    "killasgroup": "true",
    # One stream for the terminal: each service names itself in every line.
    "stdout_logfile": "/dev/stdout",
    "stdout_logfile_maxbytes": "0",
    "redirect_stderr": "true",
}


def config(workdir: Path, programs: Mapping[str, Mapping[str, str]]) -> str:
    """`programs`: service name → its environment (written to a file of its own)."""
    lines = [
        "[supervisord]",
        "nodaemon=true",
        f"logfile={workdir / 'supervisord.log'}",
        "logfile_maxbytes=5MB",
        f"pidfile={workdir / 'supervisord.pid'}",
        f"childlogdir={workdir}",
        "loglevel=warn",
        # Under root (a container, CI) the services run as root too, as they would have
        # without a supervisor; saying so keeps supervisord from warning at every start.
        *(["user=root"] if os.geteuid() == 0 else []),
    ]
    for name, env in programs.items():
        env_file = workdir / f"{name}.env.json"
        fd = os.open(env_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # secrets
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(dict(env), fh)
        command = [sys.executable, "-m", "edureg_devstack.launch", name, str(env_file)]
        lines += ["", f"[program:{name}]", f"command={shlex.join(command)}"]
        lines += [f"{k}={v}" for k, v in PROGRAM_DEFAULTS.items()]
    return "\n".join(lines) + "\n"


def start(workdir: Path, programs: Mapping[str, Mapping[str, str]]) -> subprocess.Popen[bytes]:
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "supervisord.conf"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds secrets
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(config(workdir, programs))
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "supervisord"), "-c", str(path)],
        # Its own process group: Ctrl-C reaches it through us, once, in order.
        preexec_fn=os.setpgrp,
    )


def stop(proc: subprocess.Popen[bytes], timeout: float = 60) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode or 0
