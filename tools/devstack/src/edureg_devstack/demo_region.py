"""The demo region seeded by `make run`: a gymnasium and a technical college."""

from __future__ import annotations

from typing import Any

DEMO_PASSWORD = "Demo-2026!"  # demo staff only; real accounts get one-time passwords


# A teacher working in both organisations: one login, the organisation chosen at
# sign-in (the second account is joined to the first by the seed).
BOTH = {
    "login": "teacher.both",
    "password": DEMO_PASSWORD,
    "surname": "Соколов",
    "name": "Игорь",
    "patronymic": "Павлович",
    "positions": ["teacher"],
}


def _staff(prefix: str) -> list[dict[str, Any]]:
    return [
        BOTH,
        {
            "login": f"admin.{prefix}",
            "password": DEMO_PASSWORD,
            "surname": "Смирнова",
            "name": "Елена",
            "patronymic": "Викторовна",
            "positions": ["admin"],
        },
        {
            "login": f"secretary.{prefix}",
            "password": DEMO_PASSWORD,
            "surname": "Кузнецова",
            "name": "Ольга",
            "patronymic": "Петровна",
            "positions": ["secretary"],
        },
        {
            "login": f"teacher.{prefix}",
            "password": DEMO_PASSWORD,
            "surname": "Попов",
            "name": "Андрей",
            "patronymic": "Николаевич",
            "positions": ["teacher"],
        },
        {
            "login": f"curator.{prefix}",
            "password": DEMO_PASSWORD,
            "surname": "Васильева",
            "name": "Марина",
            "patronymic": "Игоревна",
            "positions": ["teacher", "curator"],
        },
    ]


ORGANISATIONS: list[dict[str, Any]] = [
    {
        "code": "gym-1",
        "name": "МБОУ «Гимназия № 1»",
        "short_name": "Гимназия № 1",
        "municipality": "Центральный район",
        "kind": "school",
        "staff": _staff("gym1"),
    },
    {
        "code": "tech-college",
        "name": "ГБПОУ «Технический колледж»",
        "short_name": "Технический колледж",
        "municipality": "Заречный район",
        "kind": "college",
        "staff": _staff("tc"),
    },
    {
        # The region's own administration: registers organisations, restores access to
        # those whose administrators are locked out, monitors usage (counts only).
        "code": "minobr",
        "name": "Министерство образования демо-региона",
        "kind": "ministry",
        "staff": [
            {
                "login": "region.admin",
                "password": DEMO_PASSWORD,
                "surname": "Орлова",
                "name": "Татьяна",
                "patronymic": "Сергеевна",
                "positions": ["regional_admin"],
            },
            {
                "login": "region.monitor",
                "password": DEMO_PASSWORD,
                "surname": "Белова",
                "name": "Ксения",
                "patronymic": "Андреевна",
                "positions": ["regional_monitor"],
            },
        ],
    },
]

_FAMILIES = [
    ("Иванов", "Пётр", "Сергеевич", "m", "2015-03-14", ("Сергей", "Анна")),
    ("Петрова", "Мария", "Алексеевна", "f", "2015-07-02", ("Алексей", "Ирина")),
    ("Сидоров", "Артём", "Игоревич", "m", "2014-11-20", ("Игорь", "Наталья")),
    ("Козлова", "Дарья", "Павловна", "f", "2015-01-09", ("Павел", "Екатерина")),
    ("Морозов", "Никита", "Дмитриевич", "m", "2015-05-30", ("Дмитрий", "Светлана")),
]


def _guardians(surname: str, father: str, mother: str) -> list[dict[str, Any]]:
    base = surname[:-1] if surname.endswith("а") else surname
    return [
        {"surname": base, "name": father, "relation": "father"},
        {"surname": base + "а", "name": mother, "relation": "mother"},
    ]


def students(shift_year: int) -> list[dict[str, Any]]:
    out = []
    for surname, name, patronymic, sex, birth, (father, mother) in _FAMILIES:
        year = int(birth[:4]) - shift_year
        out.append(
            {
                "surname": surname,
                "name": name,
                "patronymic": patronymic,
                "sex": sex,
                "birth_date": f"{year}{birth[4:]}",
                "guardians": _guardians(surname, father, mother),
            }
        )
    return out


GROUPS: dict[str, list[dict[str, Any]]] = {
    "gym-1": [
        {
            "name": "5А",
            "grade": 5,
            "academic_year": "2026/2027",
            "order": "ДЕМО-5А",
            "curated": True,  # curator.gym1 is its class teacher
            "students": students(0),
        },
        {
            "name": "9Б",
            "grade": 9,
            "academic_year": "2026/2027",
            "order": "ДЕМО-9Б",
            "students": students(4),
        },
    ],
    "tech-college": [
        {
            "name": "ИСП-21",
            "grade": 2,
            "academic_year": "2026/2027",
            "order": "ДЕМО-ИСП-21",
            "curated": True,  # curator.tc is its curator
            "students": students(7),
        },
        {
            "name": "ЭК-11",
            "grade": 1,
            "academic_year": "2026/2027",
            "order": "ДЕМО-ЭК-11",
            "students": students(6),
        },
    ],
}


_QUARTERS = [
    {"kind": "quarter", "number": 1, "starts_on": "2026-09-01", "ends_on": "2026-10-25"},
    {"kind": "quarter", "number": 2, "starts_on": "2026-11-05", "ends_on": "2026-12-28"},
    {"kind": "quarter", "number": 3, "starts_on": "2027-01-12", "ends_on": "2027-03-21"},
    {"kind": "quarter", "number": 4, "starts_on": "2027-04-01", "ends_on": "2027-05-31"},
]

# The timetable of the demo: (weekday, lesson, subject, teacher's login, room).
SCHEDULE: dict[str, dict[str, Any]] = {
    "gym-1": {
        "year": {
            "title": "2026/2027",
            "starts_on": "2026-09-01",
            "ends_on": "2027-05-31",
            "periods": _QUARTERS,
        },
        "holidays": [
            {"title": "Осенние каникулы", "starts_on": "2026-10-26", "ends_on": "2026-11-04"},
            {"title": "Зимние каникулы", "starts_on": "2026-12-29", "ends_on": "2027-01-11"},
            {"title": "Весенние каникулы", "starts_on": "2027-03-22", "ends_on": "2027-03-31"},
        ],
        "rooms": [
            {"number": "201", "capacity": 30, "kind": "classroom"},
            {"number": "202", "capacity": 30, "kind": "classroom"},
            {"number": "305", "capacity": 16, "kind": "computer"},
            {"number": "Спортзал", "capacity": 60, "kind": "gym"},
        ],
        "subjects": [
            {"name": "Русский язык"},
            {"name": "Математика"},
            {"name": "Английский язык"},
            {"name": "Физическая культура"},
        ],
        "load": [
            ("teacher.gym1", "Математика", "5А", 40),
            ("teacher.gym1", "Математика", "9Б", 32),
            ("curator.gym1", "Русский язык", "5А", 40),
            ("teacher.both", "Физическая культура", "5А", 24),
        ],
        "weeks": {
            "5А": [
                (1, 1, "Русский язык", "curator.gym1", "201"),
                (1, 2, "Математика", "teacher.gym1", "202"),
                (2, 1, "Математика", "teacher.gym1", "202"),
                (2, 2, "Физическая культура", "teacher.both", "Спортзал"),
                (3, 1, "Русский язык", "curator.gym1", "201"),
                (3, 2, "Математика", "teacher.gym1", "202"),
                (4, 1, "Русский язык", "curator.gym1", "201"),
                (4, 3, "Физическая культура", "teacher.both", "Спортзал"),
                (5, 1, "Математика", "teacher.gym1", "202"),
                (5, 2, "Русский язык", "curator.gym1", "201"),
            ],
        },
    },
    "tech-college": {
        "year": {
            "title": "2026/2027",
            "starts_on": "2026-09-01",
            "ends_on": "2027-06-30",
            "periods": [
                {
                    "kind": "semester",
                    "number": 1,
                    "starts_on": "2026-09-01",
                    "ends_on": "2026-12-28",
                },
                {
                    "kind": "semester",
                    "number": 2,
                    "starts_on": "2027-01-12",
                    "ends_on": "2027-06-30",
                },
            ],
        },
        "rooms": [
            {"number": "101", "capacity": 30, "kind": "classroom"},
            {"number": "Лаб. 12", "capacity": 15, "kind": "laboratory"},
        ],
        "subjects": [
            {"name": "Разработка программных модулей", "kind": "module", "code": "ПМ.01"},
            {"name": "Операционные системы и среды", "code": "ОП.01"},
        ],
    },
}
