"""Conventions from CONTRIBUTING.md, enforced by a test rather than by memory."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORKS = ("fastapi", "starlette", "sqlalchemy", "faststream", "nats", "httpx", "asyncpg")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _sources(pattern: str) -> list[Path]:
    found = sorted(ROOT.glob(pattern))
    assert found, pattern
    return found


def test_domain_code_imports_no_framework() -> None:
    offenders = {
        str(p.relative_to(ROOT)): sorted(m for m in _imports(p) if m.split(".")[0] in FRAMEWORKS)
        for p in _sources("services/*/src/*/domain/*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_shared_library_never_imports_a_service() -> None:
    offenders = {
        str(p.relative_to(ROOT)): sorted(
            m for m in _imports(p) if m.startswith("edureg_") and not m.startswith("edureg_shared")
        )
        for p in _sources("shared/src/edureg_shared/**/*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_services_do_not_import_each_other() -> None:
    offenders = {}
    for p in _sources("services/*/src/*/**/*.py"):
        own = p.relative_to(ROOT).parts[3]
        foreign = sorted(
            m
            for m in _imports(p)
            if m.startswith("edureg_") and m.split(".")[0] not in (own, "edureg_shared")
        )
        if foreign:
            offenders[str(p.relative_to(ROOT))] = foreign
    assert offenders == {}


def test_only_settings_read_the_environment() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in _sources("services/*/src/*/**/*.py")
        if "os.environ" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []
