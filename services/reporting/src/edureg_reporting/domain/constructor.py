"""The report constructor (001 10.6): the datasets an administrator may build a report
from, their fields, and what a definition may ask — fields, filters, grouping and
aggregates — checked against them. A definition names fields from this catalogue only:
no SQL from users ever reaches the database. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from edureg_shared.errors import InvalidState

Kind = Literal["str", "int", "float", "date", "bool"]
MAX_ROWS = 5000
MAX_DAYS = 400


@dataclass(frozen=True)
class Field:
    key: str
    title: str
    kind: Kind


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str
    fields: tuple[Field, ...]
    # The date every query of it is bounded by (at most MAX_DAYS), if it grows daily.
    dated_by: str | None = None
    available: bool = True
    note: str = ""

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)


_GROUP = (
    Field("group", "Группа", "str"),
    Field("grade", "Класс (параллель), курс", "int"),
    Field("academic_year", "Учебный год", "str"),
)
DATASETS: dict[str, Dataset] = {
    d.key: d
    for d in (
        Dataset(
            "students",
            "Обучающиеся (составы групп)",
            (
                *_GROUP,
                Field("student", "Обучающийся", "str"),
                Field("valid_from", "В группе с", "date"),
                Field("valid_to", "В группе по", "date"),
                Field("active", "Сейчас в группе", "bool"),
            ),
        ),
        Dataset(
            "marks",
            "Оценки",
            (
                *_GROUP,
                Field("subject", "Предмет", "str"),
                Field("student", "Обучающийся", "str"),
                Field("day", "Дата урока", "date"),
                Field("work_type", "Вид работы", "str"),
                Field("value", "Оценка", "str"),
                Field("score", "Оценка (число)", "int"),
                Field("weight", "Вес", "int"),
            ),
            dated_by="day",
        ),
        Dataset(
            "attendance",
            "Посещаемость",
            (
                *_GROUP,
                Field("subject", "Предмет", "str"),
                Field("student", "Обучающийся", "str"),
                Field("day", "Дата урока", "date"),
                Field("code", "Отметка (absent, ill, excused, late)", "str"),
            ),
            dated_by="day",
        ),
        Dataset(
            "movement",
            "Движение обучающихся",
            (
                *_GROUP,
                Field("kind", "Движение (enrolled, expelled)", "str"),
                Field("student", "Обучающийся", "str"),
                Field("order_number", "Номер приказа", "str"),
                Field("order_date", "Дата приказа", "date"),
                Field("effective_date", "Вступает в силу", "date"),
            ),
            dated_by="effective_date",
        ),
        Dataset(
            "staff",
            "Сотрудники",
            (),
            available=False,
            note=(
                "Кадровые данные (ФИО, должности) в отчёты не передаются: они ведутся в "
                "контингенте («Кадры») и не нужны отчётам по 152-ФЗ."
            ),
        ),
    )
}

AGGREGATES = {
    "count": "Количество",
    "count_distinct": "Количество разных",
    "avg": "Среднее",
    "sum": "Сумма",
    "min": "Наименьшее",
    "max": "Наибольшее",
}
OPS = {"eq": "=", "ne": "≠", "in": "одно из", "gte": "≥", "lte": "≤"}


@dataclass(frozen=True)
class Filter:
    field: str
    op: str
    value: Any


@dataclass(frozen=True)
class Aggregate:
    fn: str
    field: str | None

    @property
    def key(self) -> str:
        return f"{self.fn}_{self.field or 'rows'}"


@dataclass(frozen=True)
class Plan:
    dataset: Dataset
    fields: list[str]
    filters: list[Filter]
    group_by: list[str]
    aggregates: list[Aggregate]
    limit: int


def _value(kind: Kind, raw: Any) -> Any:
    if kind == "date":
        return date.fromisoformat(str(raw))
    if kind == "int":
        if isinstance(raw, bool):
            raise ValueError(raw)
        value = int(raw)
        if not -32768 <= value <= 32767:  # every whole-number field is a small one
            raise ValueError(raw)
        return value
    if kind == "float":
        return float(raw)
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        if str(raw).lower() in ("true", "1", "да"):
            return True
        if str(raw).lower() in ("false", "0", "нет"):
            return False
        raise ValueError(raw)
    text = str(raw)
    if len(text) > 200:
        raise ValueError(raw)
    return text


def check(definition: dict[str, Any]) -> Plan:
    """A definition as a plan, or a 422 naming every bad part (`fields.2`, `filters.0.value`…)."""
    errors: list[dict[str, str]] = []

    def bad(where: str, message: str) -> None:
        errors.append({"field": where, "message": message})

    ds = DATASETS.get(str(definition.get("dataset")))
    if ds is None:
        raise InvalidState(
            "Отчёт не построен: выберите набор данных",
            errors=[{"field": "dataset", "message": "Нет такого набора данных"}],
        )
    if not ds.available:
        raise InvalidState(ds.note, errors=[{"field": "dataset", "message": ds.note}])
    fields = [str(f) for f in definition.get("fields") or []]
    group_by = [str(f) for f in definition.get("group_by") or []]
    for where, keys in (("fields", fields), ("group_by", group_by)):
        for i, key in enumerate(keys):
            if ds.field(key) is None:
                bad(f"{where}.{i}", f"В наборе «{ds.title}» нет такого поля")
    aggregates = []
    for i, a in enumerate(definition.get("aggregates") or []):
        fn, key = str(a.get("fn")), a.get("field")
        f = ds.field(str(key)) if key else None
        if fn not in AGGREGATES:
            bad(f"aggregates.{i}.fn", "Нет такой функции")
        elif key and f is None:
            bad(f"aggregates.{i}.field", f"В наборе «{ds.title}» нет такого поля")
        elif fn in ("avg", "sum") and (f is None or f.kind not in ("int", "float")):
            bad(f"aggregates.{i}.field", "Среднее и сумма — только у числовых полей")
        elif fn in ("min", "max", "count_distinct") and f is None:
            bad(f"aggregates.{i}.field", "Выберите поле")
        elif fn in ("min", "max") and f is not None and f.kind == "bool":
            bad(f"aggregates.{i}.field", "Наименьшее и наибольшее — не у полей «да/нет»")
        aggregates.append(Aggregate(fn, str(key) if key else None))
    if not fields and not aggregates:
        bad("fields", "Выберите хотя бы одно поле или итог")
    if aggregates:
        extra = [f for f in fields if f not in group_by]
        if extra:
            bad("fields", "При итогах поля показываются только те, по которым группируют")
    filters = []
    for i, flt in enumerate(definition.get("filters") or []):
        key, op = str(flt.get("field")), str(flt.get("op"))
        f = ds.field(key)
        if f is None:
            bad(f"filters.{i}.field", f"В наборе «{ds.title}» нет такого поля")
            continue
        if op not in OPS:
            bad(f"filters.{i}.op", "Нет такого условия")
            continue
        raw = flt.get("value")
        try:
            if op == "in":
                if not isinstance(raw, list) or not 1 <= len(raw) <= 100:
                    raise ValueError(raw)
                value: Any = [_value(f.kind, v) for v in raw]
            else:
                value = _value(f.kind, raw)
        except (TypeError, ValueError, OverflowError):
            bad(f"filters.{i}.value", "Значение не подходит к полю")
            continue
        filters.append(Filter(key, op, value))
    if ds.dated_by and not errors:
        low = [f.value for f in filters if f.field == ds.dated_by and f.op in ("gte", "eq")]
        high = [f.value for f in filters if f.field == ds.dated_by and f.op in ("lte", "eq")]
        title = ds.field(ds.dated_by).title  # type: ignore[union-attr]
        if not low or not high:
            bad("filters", f"Ограничьте «{title}» с обеих сторон (не больше {MAX_DAYS} дней)")
        elif (min(high) - max(low)).days > MAX_DAYS:
            bad("filters", f"«{title}»: не больше {MAX_DAYS} дней")
    try:
        limit = int(definition.get("limit") or MAX_ROWS)
    except (TypeError, ValueError):
        limit = -1
    if not 1 <= limit <= MAX_ROWS:
        bad("limit", f"От 1 до {MAX_ROWS} строк")
    if errors:
        raise InvalidState("Отчёт не построен: исправьте отмеченные части", errors=errors)
    return Plan(ds, fields, filters, group_by, aggregates, limit)


def columns(plan: Plan) -> list[tuple[str, str]]:
    """(key, title) of the result's columns."""
    out = [(k, plan.dataset.field(k).title) for k in plan.fields]  # type: ignore[union-attr]
    for a in plan.aggregates:
        what = plan.dataset.field(a.field).title if a.field else "строк"  # type: ignore[union-attr]
        out.append((a.key, f"{AGGREGATES[a.fn]}: {what}"))
    return out
