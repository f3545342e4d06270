"""Benchmark of importing students from a spreadsheet (the contingent issue, item 7).

    make bench-import                      # 10,000 students in one XLSX
    uv run python bench/imports.py -n 10000

Starts its own PostgreSQL (fsync on) and NATS, identity and contingent as processes,
one organisation with ten classes. Writes an XLSX of N students (ten classes, one
guardian each), uploads it (read, every row checked and matched, the preview kept:
rows/s), then applies it (draft enrolment orders of up to 1,000, in one transaction in
the background: rows/s until done), sampling the contingent process's resident memory
all along (peak and the growth over its idle size). Prints the figures beside the
machine's own baseline (bench/machine.py); asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import tempfile
import time
from pathlib import Path

import httpx
import psutil
from machine import measure
from openpyxl import Workbook

from edureg_devstack.system import System
from edureg_devstack.testing.infra import Infra

HEADER = [
    "Фамилия",
    "Имя",
    "Отчество",
    "Дата рождения",
    "Пол",
    "Класс",
    "Представитель: фамилия",
    "Представитель: имя",
    "Представитель: кем приходится",
]


def _workbook(n: int) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for i in range(n):
        sheet.append(
            [
                f"Загрузкин{_letters(i)}",
                "Ученик",
                "Иванович",
                f"{1 + i % 28:02d}.0{1 + i % 9}.2015",
                "м",
                f"{1 + i % 10}А",
                f"Загрузкина{_letters(i)}",
                "Мама",
                "мать",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _letters(i: int) -> str:
    """A distinct Cyrillic suffix per row (names take letters only)."""
    alphabet = "абвгдежзиклмнопрстуфхцчшэюя"
    out = ""
    while True:
        out = alphabet[i % len(alphabet)] + out
        i //= len(alphabet)
        if not i:
            return out


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=10_000)
    args = ap.parse_args()
    os.environ.setdefault("EDUREG_BENCH", "1")
    infra = Infra.start(fsync=True)
    print((await measure(infra)).line(), flush=True)
    system = System(
        infra=infra, prefix="bench.", workdir=Path(tempfile.mkdtemp(prefix="edureg-bench-"))
    )
    system.extra_env.update({"LOG_LEVEL": "WARNING", "OTEL_SPANS_FILE": ""})
    content = _workbook(args.n)
    try:
        await system.prepare(("identity", "contingent"))
        await system.start()
        system.seed_organisations("bench")
        admin = await system.login("admin.bench")
        proc = system.services["contingent"].proc
        assert proc is not None
        process = psutil.Process(proc.pid)
        idle_rss = process.memory_info().rss
        peak = idle_rss
        sampling = True

        async def sample() -> None:
            nonlocal peak
            while sampling:
                peak = max(peak, process.memory_info().rss)
                await asyncio.sleep(0.05)

        sampler = asyncio.create_task(sample())
        async with httpx.AsyncClient(
            base_url=system.url("contingent"), headers=admin, timeout=600
        ) as c:
            for g in range(1, 11):
                await c.post(
                    "/api/v1/groups",
                    json={"name": f"{g}А", "grade": min(g, 11), "academic_year": "2026/2027"},
                )
            t0 = time.perf_counter()
            r = await c.post("/api/v1/imports/students", files={"file": ("bench.xlsx", content)})
            r.raise_for_status()
            t_preview = time.perf_counter() - t0
            job = r.json()
            assert job["valid"] == args.n, job["errors"][:3]
            t0 = time.perf_counter()
            (
                await c.post(
                    f"/api/v1/imports/{job['id']}/apply",
                    json={
                        "number": "B",
                        "order_date": "2026-09-01",
                        "effective_date": "2026-09-01",
                    },
                )
            ).raise_for_status()
            while True:
                state = (await c.get(f"/api/v1/imports/{job['id']}")).json()
                if state["status"] in ("done", "failed"):
                    break
                await asyncio.sleep(0.1)
            t_apply = time.perf_counter() - t0
        sampling = False
        await sampler
    finally:
        system.stop()
        infra.stop()
    mib = 1024 * 1024
    print(f"import of {args.n} students from XLSX ({len(content) / mib:.1f} MiB), 10 classes:")
    print(
        f"  uploaded, read, checked and matched (preview): {t_preview:.2f} s, "
        f"{args.n / t_preview:,.0f} rows/s"
    )
    print(
        f"  applied ({state['status']}, {len(state['order_ids'])} draft orders): "
        f"{t_apply:.2f} s, {args.n / t_apply:,.0f} rows/s"
    )
    print(
        f"  contingent's memory: {idle_rss / mib:.0f} MiB idle, peak {peak / mib:.0f} MiB "
        f"(+{(peak - idle_rss) / mib:.0f} MiB)"
    )


if __name__ == "__main__":
    asyncio.run(main())
