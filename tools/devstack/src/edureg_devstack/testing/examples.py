"""Plausible instances of a JSON Schema (an OpenAPI body, an event's payload): what the
contract tests feed a consumer's model and what the boundary sweep sends an endpoint.

Values: a property's own `examples` first, then its enum's first value, then one of the
right type and format (a UUID, a date, a Russian word that passes the name rules).
`full=True` fills every property, `full=False` only the required ones."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

WORD = "Тест"
DATE = "2026-09-01"


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _choices(schema: dict[str, Any]) -> list[dict[str, Any]]:
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return [s for s in schema[key] if s.get("type") != "null"] or [{"type": "null"}]
    return [schema]


def example(schema: dict[str, Any], defs: dict[str, Any], *, full: bool = True) -> Any:
    schema = _resolve(schema, defs)
    if schema.get("examples"):
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    options = _choices(schema)
    if options[0] is not schema:
        return example(options[0], defs, full=full)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        required = set(schema.get("required", []))
        return {
            name: example(prop, defs, full=full)
            for name, prop in schema.get("properties", {}).items()
            if full or name in required
        }
    if kind == "array":
        count = max(1, int(schema.get("minItems", 1)))
        return [example(schema.get("items", {}), defs, full=full) for _ in range(count)]
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), int(schema.get("exclusiveMinimum", 0)) + 1)
    if kind == "number":
        return float(schema.get("minimum", 1))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    fmt = schema.get("format")
    if fmt == "uuid":
        return str(uuid.uuid4())
    if fmt == "date":
        return DATE
    if fmt == "date-time":
        return f"{DATE}T08:30:00Z"
    if fmt == "time":
        return "08:30:00"
    word = WORD * max(1, -(-int(schema.get("minLength", 1)) // len(WORD)))
    return word[: int(schema.get("maxLength", len(word)))] or WORD


def date_paths(
    schema: dict[str, Any], defs: dict[str, Any], path: tuple[Any, ...] = ()
) -> Iterator[tuple[Any, ...]]:
    """Where in an `example(...)` of `schema` the dates are (paths of keys and indexes)."""
    schema = _resolve(schema, defs)
    for option in _choices(schema):
        option = _resolve(option, defs)
        if option.get("format") == "date":
            yield path
        elif option.get("type") == "object" or "properties" in option:
            for name, prop in option.get("properties", {}).items():
                yield from date_paths(prop, defs, (*path, name))
        elif option.get("type") == "array":
            yield from date_paths(option.get("items", {}), defs, (*path, 0))


def with_value(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A copy of `document` with `value` at `path`."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(document, list):
        items = list(document)
        items[head] = with_value(items[head], rest, value)
        return items
    fields = dict(document)
    fields[head] = with_value(fields.get(head), rest, value)
    return fields


def present(document: Any, path: tuple[Any, ...]) -> bool:
    """Whether `path` leads somewhere in `document` (an optional part may be left out)."""
    for step in path:
        if (isinstance(document, list) and isinstance(step, int) and step < len(document)) or (
            isinstance(document, dict) and step in document
        ):
            document = document[step]
        else:
            return False
    return True
