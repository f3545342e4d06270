"""Unit tests of the shared library's pure parts (no I/O)."""

from __future__ import annotations

import json
import logging
import uuid

import httpx
from fastapi import FastAPI
from pydantic import BaseModel, Field

from edureg_shared.errors import Conflict
from edureg_shared.events.consumer import backoff
from edureg_shared.events.envelope import Actor, Envelope, stream_name, subject_for
from edureg_shared.events.manifest import deadletter_subject
from edureg_shared.problems import install_error_handlers
from edureg_shared.scrub import describe
from edureg_shared.telemetry import JsonFormatter


def test_envelope_round_trips_and_names_its_subject() -> None:
    env = Envelope(
        type="contingent.student.enrolled",
        tenant_id=uuid.uuid4(),
        actor=Actor(id=uuid.uuid4()),
        data={"x": 1},
    )
    again = Envelope.model_validate_json(env.model_dump_json())
    assert again == env
    assert env.producer == "contingent"
    assert subject_for(env.type, env.schema_version, "t1.") == "t1.contingent.student.enrolled.v1"
    assert stream_name("contingent", "t1.") == "T1_CONTINGENT"
    assert stream_name("contingent") == "CONTINGENT"
    assert (
        deadletter_subject("journal", "journal-x", env.type, "t1.")
        == "t1.deadletter.journal.journal-x.contingent.student.enrolled"
    )


def test_backoff_grows_and_is_capped() -> None:
    delays = [backoff(n, 0.5, 5.0) for n in range(1, 7)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]


def test_json_logs_carry_extra_ids_but_are_plain_json() -> None:
    record = logging.LogRecord(
        "edureg.x", logging.WARNING, __file__, 1, "handled %s", ("ok",), None
    )
    record.consumer = "identity-x"
    line = json.loads(JsonFormatter("identity").format(record))
    assert line["msg"] == "handled ok"
    assert line["consumer"] == "identity-x"
    assert line["service"] == "identity"


class _Body(BaseModel):
    name: str = Field(min_length=2)
    count: int


async def test_problem_details_for_validation_domain_and_unexpected_errors() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/x")
    async def x(body: _Body) -> dict[str, str]:
        if body.name == "dup":
            raise Conflict("Уже есть")
        if body.name == "boom":
            raise RuntimeError("secret internals")
        return {"ok": "yes"}

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        r = await c.post("/x", json={"name": "a", "count": "many"})
        assert r.status_code == 422
        assert r.headers["content-type"] == "application/problem+json"
        errors = {e["field"]: e["message"] for e in r.json()["errors"]}
        assert errors == {"name": "Слишком короткое значение", "count": "Ожидается целое число"}
        r = await c.post("/x", json={"name": "dup", "count": 1})
        assert (r.status_code, r.json()["detail"]) == (409, "Уже есть")
        r = await c.post("/x", json={"name": "boom", "count": 1})
        assert r.status_code == 500
        assert "secret" not in r.text
        assert r.json()["title"] == "Внутренняя ошибка сервиса"


def test_dead_letter_errors_carry_no_sql_parameters() -> None:
    from sqlalchemy.exc import IntegrityError

    exc = IntegrityError(
        "INSERT INTO users ...",
        {"surname": "Иванов"},
        Exception(
            'duplicate key value violates unique constraint "uq_users_login"\nDETAIL: Key (login)=(ivanov1)'
        ),
    )
    text = describe(exc)
    assert text.startswith("IntegrityError: duplicate key value")
    assert "Иванов" not in text
    assert "ivanov1" not in text
    assert describe(ValueError("")) == "ValueError"


def test_errors_lose_quoted_values_but_keep_identifiers() -> None:
    text = describe(ValueError('invalid input syntax for type uuid: "Сидоренко"'))
    assert "Сидоренко" not in text
    assert "uuid" in text
    kept = describe(ValueError('relation "roster_memberships" does not exist'))
    assert '"roster_memberships"' in kept
    assert "'Петров'" not in describe(ValueError("value 'Петров' is too long"))
