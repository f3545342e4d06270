"""What this machine can do right now, measured beside every benchmark in the same run
(shared machines vary several-fold between runs): PostgreSQL single-row committed
inserts and COPY rows per second (fsync on), NATS JetStream acknowledged publishes per
second. A benchmark's figures are read against these.

    uv run python bench/machine.py        # the baseline alone
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import asyncpg

from edureg_devstack.testing.infra import Infra

ROWS = 2_000
COPY_ROWS = 200_000
MESSAGES = 5_000


@dataclass(frozen=True)
class Baseline:
    pg_commits_per_s: float
    pg_copy_rows_per_s: float
    nats_acked_per_s: float

    def line(self) -> str:
        return (
            f"machine: PostgreSQL {self.pg_commits_per_s:,.0f} committed inserts/s, "
            f"COPY {self.pg_copy_rows_per_s:,.0f} rows/s; "
            f"NATS JetStream {self.nats_acked_per_s:,.0f} acked publishes/s"
        )


async def measure(infra: Infra) -> Baseline:
    conn = await asyncpg.connect(infra.pg.admin_dsn)
    try:
        await conn.execute("DROP TABLE IF EXISTS bench_probe")
        await conn.execute("CREATE TABLE bench_probe (id bigint, tenant uuid, note text)")
        start = time.perf_counter()
        for i in range(ROWS):  # each its own transaction: a commit (and fsync) per row
            await conn.execute("INSERT INTO bench_probe VALUES ($1, gen_random_uuid(), 'probe')", i)
        commits = ROWS / (time.perf_counter() - start)
        records = [(i, None, "probe") for i in range(COPY_ROWS)]
        start = time.perf_counter()
        await conn.copy_records_to_table("bench_probe", records=records)
        copy_rate = COPY_ROWS / (time.perf_counter() - start)
        await conn.execute("DROP TABLE bench_probe")
    finally:
        await conn.close()
    await infra.create_streams("machine.")
    async with infra.nats_admin() as nc:
        js = nc.jetstream()
        payload = b"x" * 600  # about one enrolment event
        start = time.perf_counter()
        for chunk in range(0, MESSAGES, 500):
            await asyncio.gather(
                *(
                    js.publish("machine.contingent.probe.v1", payload)
                    for _ in range(min(500, MESSAGES - chunk))
                )
            )
        published = MESSAGES / (time.perf_counter() - start)
        for info in await js.streams_info():  # leave the broker as it was
            if info.config.name and info.config.name.startswith("MACHINE_"):
                await js.delete_stream(info.config.name)
    return Baseline(commits, copy_rate, published)


async def _main() -> None:
    infra = Infra.start(fsync=True, prefix_pattern="")
    try:
        print((await measure(infra)).line())
    finally:
        infra.stop()


if __name__ == "__main__":
    asyncio.run(_main())
