"""Every consumer's tolerant model reads what its producer's contract emits: a producer
that renames, drops or retypes a field a consumer reads fails here, before it breaks a
consumer in production. Checked against the producer's own model, filled in fully and
with only its required fields."""

from __future__ import annotations

from typing import Any

import pytest

from edureg_admin import catalogue
from edureg_devstack.testing.examples import example
from edureg_shared.events.contract import Consumes, EventContract


def _pairs() -> list[tuple[str, Consumes, EventContract[Any] | None]]:
    published = {(c.type, c.version): c for m in catalogue.manifests() for c in m.publishes}
    return [
        (m.name, c, published.get((c.type, c.version)))
        for m in catalogue.manifests()
        for c in m.consumes
    ]


@pytest.mark.parametrize(
    ("consumer", "consumed", "contract"),
    _pairs(),
    ids=[f"{name}<-{c.type}.v{c.version}" for name, c, _ in _pairs()],
)
def test_the_consumer_reads_what_the_producer_emits(
    consumer: str, consumed: Consumes, contract: EventContract[Any] | None
) -> None:
    assert contract is not None, (
        f"{consumer} consumes {consumed.type} v{consumed.version}: no producer publishes it"
    )
    schema = contract.model.model_json_schema()
    defs = schema.get("$defs", {})
    for full in (True, False):
        payload = contract.model.model_validate(example(schema, defs, full=full))
        consumed.parse(payload.model_dump(mode="json"))
    # A field the consumer reads must exist in the contract: a tolerant default would
    # otherwise hide a rename.
    produced = set(schema.get("properties", {}))
    read = set(consumed.model.model_fields)
    assert read <= produced, (
        f"{consumer} reads {sorted(read - produced)} that {contract.type} does not carry"
    )


def test_every_consumer_pair_is_covered() -> None:
    assert len(_pairs()) >= 9
