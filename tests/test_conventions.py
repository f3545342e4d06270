"""Conventions from CONTRIBUTING.md, enforced by a test rather than by memory."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from typing import Any

from fastapi.routing import APIRoute

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


def _api_routes(routes: Any) -> list[APIRoute]:
    """Every API route, also those of included routers (FastAPI nests them)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found += _api_routes(route.original_router.routes)
        elif hasattr(route, "routes"):
            found += _api_routes(route.routes)
    return found


def _required(dependant: Any) -> set[str]:
    found = set(getattr(dependant.call, "required_permissions", ()) or ())
    for sub in dependant.dependencies:
        found |= _required(sub)
    return found


def test_every_permission_a_route_requires_is_one_identity_can_grant() -> None:
    """A route asking for a permission no position holds would be closed to everyone; a
    permission no route asks for would be a promise the catalogue cannot keep. Each
    service's routes require exactly the permissions its manifest declares (the catalogue
    identity grants from is rendered from those declarations)."""
    from edureg_admin import catalogue
    from edureg_identity.domain.permissions import PERMISSIONS, REGION_PERMISSIONS

    grantable = set(PERMISSIONS) | set(REGION_PERMISSIONS)
    required: dict[str, set[str]] = {}
    declared: dict[str, set[str]] = {}
    for s in catalogue.services():
        if s.name == "portal":
            continue
        declared[s.name] = {name for name, _ in s.manifest.permissions}
        bootstrap = importlib.import_module(f"edureg_{s.name}.bootstrap")
        app = bootstrap.create(s.manifest.settings())
        for route in _api_routes(app.routes):
            required.setdefault(s.name, set()).update(_required(route.dependant))
    assert sum(len(v) for v in required.values()) >= 10
    assert set().union(*declared.values()) == grantable
    assert required == declared
