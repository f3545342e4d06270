"""Headless Chromium (Debian's, tools/system/packages.txt) driven by Playwright, against
the portal of the session's running system."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

PHONE = {"width": 360, "height": 760}
DESKTOP = {"width": 1280, "height": 800}
# Where the journeys leave their screenshots: a temporary folder, or docs/screenshots
# when asked (`make screenshots`).
SHOTS = Path(os.environ.get("EDUREG_SCREENSHOTS") or tempfile.mkdtemp(prefix="edureg-shots-"))


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    async with async_playwright() as p:
        launched = await p.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield launched
        finally:
            await launched.close()


def shot(name: str) -> str:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return str(SHOTS / f"{name}.png")
