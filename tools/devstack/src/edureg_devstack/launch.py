"""`python -m edureg_devstack.launch <service> <env.json>`: exec a service with the
environment in a file (mode 0600) — how supervisord starts each service under `make run`,
so no secret is quoted into a command line or a config value."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main() -> None:
    service, env_file = sys.argv[1], Path(sys.argv[2])
    env = {**os.environ, **json.loads(env_file.read_text(encoding="utf-8"))}
    os.execve(sys.executable, [sys.executable, "-m", f"edureg_{service}.main"], env)  # noqa: S606


if __name__ == "__main__":
    main()
