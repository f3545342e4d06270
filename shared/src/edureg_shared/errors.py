"""Expected errors, each knowing its HTTP status, problem type and Russian title.

Pure: domain code raises these without importing a web framework; `problems.py` turns
them into RFC 9457 responses.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every expected error; knows its HTTP status and problem type."""

    status: int = 400
    type: str = "bad-request"
    title: str = "Некорректный запрос"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra


class NotFound(DomainError):
    status = 404
    type = "not-found"
    title = "Объект не найден"


class Conflict(DomainError):
    status = 409
    type = "conflict"
    title = "Конфликт с текущим состоянием"


class Unauthorized(DomainError):
    status = 401
    type = "unauthorized"
    title = "Требуется вход в систему"


class Forbidden(DomainError):
    status = 403
    type = "forbidden"
    title = "Недостаточно прав"


class InvalidState(DomainError):
    status = 422
    type = "invalid-state"
    title = "Действие недопустимо"
