"""RFC 9457 problem details for every error response; messages users read are in Russian."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import ForeignKeyConstraint, MetaData, UniqueConstraint
from sqlalchemy.exc import DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from edureg_shared.errors import DomainError

log = logging.getLogger("edureg.errors")

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://edureg.example/problems/"


def problem(
    status: int, type_: str, title: str, detail: str | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + type_,
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body.update(extra)
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if "retry_after" in extra:
        headers["Retry-After"] = str(int(extra["retry_after"]))
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers or None)


_CYRILLIC = re.compile("[А-Яа-яЁё]")
_MESSAGES = {
    "missing": "Обязательное поле не заполнено",
    "string_too_short": "Слишком короткое значение",
    "string_too_long": "Слишком длинное значение",
    "string_type": "Ожидается строка",
    "string_pattern_mismatch": "Значение не соответствует формату",
    "int_parsing": "Ожидается целое число",
    "int_type": "Ожидается целое число",
    "float_parsing": "Ожидается число",
    "bool_parsing": "Ожидается логическое значение",
    "uuid_parsing": "Ожидается идентификатор (UUID)",
    "uuid_type": "Ожидается идентификатор (UUID)",
    "date_parsing": "Ожидается дата в формате ГГГГ-ММ-ДД",
    "date_from_datetime_parsing": "Ожидается дата в формате ГГГГ-ММ-ДД",
    "date_type": "Ожидается дата в формате ГГГГ-ММ-ДД",
    "datetime_parsing": "Ожидается дата и время",
    "datetime_from_date_parsing": "Ожидается дата и время",
    "literal_error": "Недопустимое значение",
    "enum": "Недопустимое значение",
    "list_type": "Ожидается список",
    "too_short": "Слишком мало элементов",
    "too_long": "Слишком много элементов",
    "greater_than": "Значение слишком мало",
    "greater_than_equal": "Значение слишком мало",
    "less_than": "Значение слишком велико",
    "less_than_equal": "Значение слишком велико",
    "json_invalid": "Тело запроса не является корректным JSON",
    "model_attributes_type": "Ожидается объект",
    "dict_type": "Ожидается объект",
    "extra_forbidden": "Неизвестное поле",
    "value_error": "Недопустимое значение",
}


def _field(loc: tuple[Any, ...]) -> str:
    """The field's path as a client names it: no request part, and no union member (a
    model's class name, which pydantic puts in the path of a union's errors)."""
    parts = [
        str(p)
        for p in loc
        if p not in ("body", "query", "path", "header", "cookie")
        and not (isinstance(p, str) and p[:1].isupper())
    ]
    return ".".join(parts) or str(loc[0] if loc else "body")


security_log = logging.getLogger("edureg.security")


def _record_refusal(request: Request, exc: DomainError) -> None:
    """Every refusal (not signed in, not allowed, not theirs) is recorded: who (ids only),
    which operation (the route's template, never the ids or values in the path), what
    answer. No personal data: the line is kept with the service's logs."""
    route = request.scope.get("route")
    path = getattr(route, "path", "?")
    if path.startswith("/api/v1/auth/"):
        return  # sign-in attempts have their own log (identity's login_attempts)
    principal = getattr(request.state, "principal", None)
    security_log.warning(
        "access refused",
        extra={
            "status": exc.status,
            "problem": exc.type,
            "method": request.method,
            "route": path,
            "user_id": str(principal.user_id) if principal else None,
            "tenant_id": str(principal.tenant_id) if principal else None,
        },
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        if exc.status in (401, 403, 404):
            _record_refusal(request, exc)
        return problem(exc.status, exc.type, exc.title, exc.detail, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            message = _MESSAGES.get(err.get("type", ""), "Недопустимое значение")
            ctx = err.get("ctx") or {}
            if err.get("type") == "value_error" and isinstance(ctx.get("error"), ValueError):
                # Our own validators raise ValueError with a Russian message; a library's
                # English one is never shown (FastAPI's for a part that is not a file).
                said = str(ctx["error"])
                if _CYRILLIC.search(said):
                    message = said
                elif "UploadFile" in said:
                    message = "Ожидается файл"
            errors.append({"field": _field(tuple(err.get("loc", ()))), "message": message})
        return problem(
            422,
            "validation-error",
            "Ошибка в данных запроса",
            "Проверьте поля: " + ", ".join(e["field"] for e in errors),
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {
            404: "Ресурс не найден",
            405: "Метод не поддерживается",
            401: "Требуется вход в систему",
            403: "Недостаточно прав",
            413: "Слишком большой запрос",
            415: "Неподдерживаемый тип содержимого",
        }
        title = titles.get(exc.status_code, "Ошибка запроса")
        detail = exc.detail if isinstance(exc.detail, str) and not exc.detail.isascii() else None
        if exc.status_code == 400 and detail is None:
            detail = "Не удалось разобрать тело запроса"
        return problem(exc.status_code, f"http-{exc.status_code}", title, detail)

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        return integrity_problem(exc)

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        cause = getattr(exc.orig, "__cause__", None) or exc.orig
        sqlstate = str(getattr(cause, "sqlstate", None) or getattr(exc.orig, "pgcode", "") or "")
        if sqlstate.startswith("22"):
            # A value the database cannot take (a NUL byte, an address it cannot parse):
            # the user's input, not our failure. The value itself is not repeated.
            log.info("database refused a value", extra={"sqlstate": sqlstate})
            return problem(
                422,
                "validation-error",
                "Ошибка в данных запроса",
                "Значение содержит недопустимые символы",
            )
        return await _unexpected(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"error_type": type(exc).__name__})
        return problem(
            500,
            "internal",
            "Внутренняя ошибка сервиса",
            "Повторите попытку позже; данные не изменены.",
        )


_KEY = re.compile(r"Key \((?P<columns>.+?)\)=")
_IDENT = re.compile(r"[a-z_][a-z0-9_]*")
_NOT_FIELDS = {"tenant_id", "lower", "upper", "text", "varchar"}


_CONSTRAINTS: dict[str, list[str]] = {}


def register_constraints(metadata: MetaData) -> None:
    """Remember which fields each unique constraint or index of a service covers (the
    tenant left out), so a violation can name them."""
    for table in metadata.tables.values():
        for c in table.constraints:
            if c.name and isinstance(c, (UniqueConstraint, ForeignKeyConstraint)):
                _CONSTRAINTS[str(c.name)] = [
                    col.name for col in c.columns if col.name != "tenant_id"
                ]
        for index in table.indexes:
            if index.name and index.unique:
                cols = [col.name for col in index.columns if col.name != "tenant_id"]
                if not cols:  # an expression index, e.g. lower(login)
                    cols = [
                        n
                        for n in _IDENT.findall(" ".join(str(e) for e in index.expressions))
                        if n not in _NOT_FIELDS
                    ]
                _CONSTRAINTS[str(index.name)] = list(dict.fromkeys(cols))


def constraint_fields(name: str | None) -> list[str]:
    return list(_CONSTRAINTS.get(name or "", []))


def _fields(detail: str | None) -> list[str]:
    match = _KEY.search(detail or "")
    if not match:
        return []
    names = [n for n in _IDENT.findall(match.group("columns")) if n not in _NOT_FIELDS]
    return list(dict.fromkeys(names))


def integrity_problem(exc: IntegrityError) -> JSONResponse:
    """A constraint the database enforced, as the user's problem: two requests raced to
    create the same thing (unique: 409 naming the fields), or a row refers to one that
    is gone (foreign key: 409), or a value breaks a rule (check: 422). The values
    themselves are never repeated (they may be a child's name)."""
    cause = getattr(exc.orig, "__cause__", None) or exc.orig
    sqlstate = getattr(cause, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    # With row-level security on, PostgreSQL leaves out the key (it could show another
    # tenant's row): the constraint's name says which fields, from the service's tables.
    fields = _fields(getattr(cause, "detail", None)) or constraint_fields(
        getattr(cause, "constraint_name", None)
    )
    log.info("constraint refused a write", extra={"sqlstate": sqlstate, "fields": ",".join(fields)})
    if sqlstate == "23505":
        named = ", ".join(fields) or "ключ"
        return problem(
            409,
            "conflict",
            "Конфликт с текущим состоянием",
            f"Такая запись уже есть (совпадает: {named})",
            errors=[{"field": f, "message": "Значение уже занято"} for f in fields],
        )
    if sqlstate == "23503":
        return problem(
            409,
            "conflict",
            "Конфликт с текущим состоянием",
            "Связанный объект не найден или уже используется",
            errors=[{"field": f, "message": "Связанный объект не найден"} for f in fields],
        )
    return problem(
        422,
        "invalid-state",
        "Действие недопустимо",
        "Данные нарушают правило целостности",
        errors=[{"field": f, "message": "Недопустимое значение"} for f in fields],
    )


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `detail` and `errors[].message` are Russian.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}

_DESCRIPTIONS = {
    400: "Тело запроса не разобрать",
    401: "Нет входа или токен недействителен",
    403: "Недостаточно прав, или нужно сменить одноразовый пароль",
    404: "Объекта нет (или он другой организации)",
    409: "Конфликт с текущим состоянием (уже есть, уже подписан)",
    413: "Слишком большой запрос",
    422: "Ошибка в данных запроса (поля названы)",
    429: "Слишком много попыток",
    503: "Сервис временно недоступен или перегружен",
}
# Declared for every operation of a service (`ERRORS`), writes add 409; an operation may
# add its own (`extra_errors`, e.g. sign-in: 429 and 503).
ERRORS = (400, 401, 403, 404, 413, 422)
WRITE_ERRORS = (409,)


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {
        code: {
            "description": _DESCRIPTIONS.get(code, "Ошибка"),
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for code in codes
    }


def document_problems(app: FastAPI, extra_errors: dict[str, tuple[int, ...]] | None = None) -> None:
    """Declare in the OpenAPI document every error each operation can answer, each as
    problem+json (FastAPI would declare a 422 of its own shape and nothing else). Health
    checks declare only the readiness 503. `extra_errors`: path → more codes."""
    build = app.openapi
    extra = extra_errors or {}

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        for path, item in schema.get("paths", {}).items():
            for method, op in item.items():
                if method not in ("get", "post", "put", "patch", "delete"):
                    continue
                if path.startswith("/health"):
                    codes: tuple[int, ...] = (503,) if path.endswith("ready") else ()
                else:
                    codes = ERRORS + (WRITE_ERRORS if method != "get" else ()) + extra.get(path, ())
                responses = op.setdefault("responses", {})
                for code, body in problem_responses(*codes).items():
                    responses[str(code)] = body
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
