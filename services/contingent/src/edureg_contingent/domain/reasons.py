"""Catalogue of expulsion reasons (основания отчисления, 273-ФЗ ст. 61).

Events carry only the code: a free-text reason may name a diagnosis, a family matter or
a court decision, so the optional comment stays in the order inside contingent.
"""

from __future__ import annotations

EXPULSION_REASONS: dict[str, str] = {
    "completed": "В связи с получением образования (завершением обучения)",
    "own_request": "По инициативе обучающегося или родителей (законных представителей)",
    "transfer": "В связи с переводом в другую образовательную организацию",
    "relocation": "В связи со сменой места жительства",
    "academic_failure": "Невыполнение обязанностей по освоению образовательной программы",
    "disciplinary": "Применение отчисления как меры дисциплинарного взыскания",
    "admission_violation": "Нарушение порядка приёма по вине обучающегося",
    "circumstances": "По обстоятельствам, не зависящим от воли сторон",
    "other": "Иное основание (указывается в комментарии к приказу)",
}


def ensure_reason(code: str) -> str:
    if code not in EXPULSION_REASONS:
        raise ValueError("Основание отчисления не из справочника")
    return code


# Reasons of the other kinds of order (all optional but expulsion's).
ORDER_REASONS: dict[str, dict[str, str]] = {
    "expulsion": EXPULSION_REASONS,
    "transfer": {
        "own_request": "По заявлению обучающегося или родителей (законных представителей)",
        "organisation": "По решению организации (комплектование групп, профиль обучения)",
        "other": "Иное основание",
    },
    "academic_leave": {
        "medical": "По медицинским показаниям",
        "family": "По семейным обстоятельствам",
        "military": "В связи с призывом на военную службу",
        "other": "В других исключительных случаях",
    },
    "retention": {
        "academic_failure": "Неликвидированная академическая задолженность",
        "own_request": "По заявлению родителей (законных представителей)",
    },
    "reinstatement": {"own_request": "По заявлению лица, отчисленного ранее"},
}


def ensure_order_reason(kind: str, code: str | None) -> str | None:
    """A reason code of the kind's catalogue, or none where the kind needs none."""
    catalogue = ORDER_REASONS.get(kind)
    if code is None:
        if kind == "expulsion":
            raise ValueError("Укажите основание отчисления")
        return None
    if not catalogue or code not in catalogue:
        raise ValueError("Основание не из справочника для этого вида приказа")
    return code
