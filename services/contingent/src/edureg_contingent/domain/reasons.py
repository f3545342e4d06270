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
