"""The organisation's structure (004 4.2, 003 3.3.3): departments, specialties and
professions, groups and classes. Pure rules.

An ОКСО code is three pairs of digits (09.02.07: the enlarged group, the level, the
specialty); the level of a college's programme is ППССЗ (specialists of the middle
level, second pair 02) or ППКРС (skilled workers, second pair 01).
"""

from __future__ import annotations

import re

OKSO = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
LEVELS = {
    "ppssz": "ППССЗ (специалисты среднего звена)",
    "ppkrs": "ППКРС (квалифицированные рабочие, служащие)",
}
STUDY_FORMS = {"full_time": "очная", "part_time": "очно-заочная", "extramural": "заочная"}
FUNDING = {
    "federal": "федеральный бюджет",
    "regional": "бюджет субъекта РФ",
    "municipal": "местный бюджет",
    "contract": "по договорам об оказании платных услуг",
}


def okso_code(value: str) -> str:
    value = value.strip()
    if not OKSO.fullmatch(value):
        raise ValueError("Код по ОКСО — три пары цифр через точку, например 09.02.07")
    return value


def check_level(code: str, level: str) -> str:
    """A specialty's level must match its ОКСО code (…02… for ППССЗ, …01… for ППКРС)."""
    expected = {"01": "ppkrs", "02": "ppssz"}.get(code[3:5])
    if expected is not None and expected != level:
        raise ValueError(
            f"Код {code} — программа {LEVELS[expected].split(' ')[0]}, а выбран уровень "
            f"{LEVELS[level].split(' ')[0]}"
        )
    return level
