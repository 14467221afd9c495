"""Registry dates at the precision the registry gave them.

ClinicalTrials.gov often gives a month ("December 2011", "2011-12") and sometimes only a year.
A month must stay a month: we never invent a day. `PartialDate` keeps the precision, compares
by the range of days it covers, and formats itself per language.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import get_language

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})

_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_MONTH_DAY_YEAR = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2}),\s*(\d{4})$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]+)\.?\s+(\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")

EN_MONTHS = [
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


class DateParseError(ValueError):
    pass


@dataclass(frozen=True, order=False)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self):
        if self.day is not None and self.month is None:
            raise DateParseError("a day needs a month")
        try:
            dt.date(self.year, self.month or 1, self.day or 1)
        except ValueError as exc:
            raise DateParseError(str(exc)) from exc

    @property
    def precision(self) -> str:
        if self.day is not None:
            return "day"
        if self.month is not None:
            return "month"
        return "year"

    @property
    def iso(self) -> str:
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def __str__(self) -> str:
        return self.iso

    def earliest(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> dt.date:
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return dt.date(self.year, month, day)

    def is_past(self, today: dt.date) -> bool:
        """True once every day this date could mean is before `today`."""
        return self.latest() < today

    @classmethod
    def parse(cls, text: str | None) -> PartialDate | None:
        """Parse ISO partial dates and the registry's English forms; None for empty input."""
        if text is None:
            return None
        value = " ".join(text.split())
        if not value:
            return None
        if match := _ISO.match(value):
            year, month, day = match.groups()
            return cls(int(year), int(month) if month else None, int(day) if day else None)
        if match := _MONTH_DAY_YEAR.match(value):
            month = MONTHS.get(match.group(1).lower())
            if month:
                return cls(int(match.group(3)), month, int(match.group(2)))
        if match := _MONTH_YEAR.match(value):
            month = MONTHS.get(match.group(1).lower())
            if month:
                return cls(int(match.group(2)), month)
        if match := _YEAR.match(value):
            return cls(int(match.group(1)))
        raise DateParseError(f"not a registry date: {text!r}")

    @classmethod
    def from_iso(cls, value: str | None) -> PartialDate | None:
        if not value:
            return None
        match = _ISO.match(value)
        if not match:
            raise DateParseError(f"not an ISO partial date: {value!r}")
        return cls.parse(value)

    def format(self, language: str | None = None) -> str:
        """Human form at the date's own precision: 2011年12月 / December 2011."""
        language = (language or get_language() or "zh-hans").lower()
        if language.startswith("zh"):
            if self.day is not None:
                return f"{self.year}年{self.month}月{self.day}日"
            if self.month is not None:
                return f"{self.year}年{self.month}月"
            return f"{self.year}年"
        if self.day is not None:
            return f"{self.day} {EN_MONTHS[self.month]} {self.year}"
        if self.month is not None:
            return f"{EN_MONTHS[self.month]} {self.year}"
        return str(self.year)
