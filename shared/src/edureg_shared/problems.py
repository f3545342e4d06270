"""RFC 9457 problem details for every error response; messages users read are in Russian."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
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
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or str(loc[0] if loc else "body")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return problem(exc.status, exc.type, exc.title, exc.detail, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            message = _MESSAGES.get(err.get("type", ""), "Недопустимое значение")
            ctx = err.get("ctx") or {}
            if err.get("type") == "value_error" and isinstance(ctx.get("error"), ValueError):
                # Our own validators raise ValueError with a Russian message.
                message = str(ctx["error"])
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

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"error_type": type(exc).__name__})
        return problem(
            500,
            "internal",
            "Внутренняя ошибка сервиса",
            "Повторите попытку позже; данные не изменены.",
        )
