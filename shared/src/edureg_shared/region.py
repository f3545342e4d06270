"""The region's clock: the day a school lives a moment in (a change made at 01:00 in
Moscow belongs to that Moscow day, not to the previous UTC one). One region per
deployment; `EDUREG_TIMEZONE` names its zone."""

from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

ZONE = ZoneInfo(os.environ.get("EDUREG_TIMEZONE", "Europe/Moscow"))


def local_date(moment: datetime) -> date:
    return moment.astimezone(ZONE).date()


def today() -> date:
    return datetime.now(ZONE).date()
