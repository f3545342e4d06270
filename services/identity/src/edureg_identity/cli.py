"""Administration CLI of identity.

    python -m edureg_identity.cli seed --file region.json
    python -m edureg_identity.cli rotate-keys      # next → current → previous, a new next

Creates the organisations and staff described in the file (idempotent) and prints
`{"organisations": {"<code>": "<tenant id>"}}`. Uses the service's own settings
(EDUREG_IDENTITY_DATABASE_URL: the app role, under RLS like the service itself).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from edureg_identity import keys
from edureg_identity.config import Settings
from edureg_identity.services import passwords
from edureg_identity.services.seed import seed
from edureg_shared.db import Database, create_engine


async def _seed(spec: dict[str, Any], database_url: str | None) -> dict[str, str]:
    settings = Settings()
    passwords.configure(
        memory_budget_mib=settings.hash_memory_budget_mib,
        queue_limit=settings.login_queue_limit,
        memory_kib=settings.password_hash_memory_kib,
        time_cost=settings.password_hash_time_cost,
    )
    db = Database(create_engine(database_url or settings.database_url, pool_size=2))
    try:
        return await seed(db, spec)
    finally:
        await db.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="edureg_identity.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    seed_cmd = sub.add_parser("seed", help="создать организации и сотрудников из файла")
    seed_cmd.add_argument("--file", required=True, type=Path)
    seed_cmd.add_argument("--database-url")
    sub.add_parser("rotate-keys", help="сменить ключ подписи токенов (docs/security.md)")
    args = parser.parse_args(argv)
    if args.command == "rotate-keys":
        rotated = keys.rotate(Settings().jwt_keys_dir)
        sys.stdout.write(
            json.dumps(
                {"current": rotated.current.kid, "next": rotated.next.kid if rotated.next else None}
            )
            + "\n"
        )
        return
    spec = json.loads(args.file.read_text(encoding="utf-8"))
    result = asyncio.run(_seed(spec, args.database_url))
    sys.stdout.write(json.dumps({"organisations": result}) + "\n")


if __name__ == "__main__":
    main()
