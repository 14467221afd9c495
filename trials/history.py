"""Field-level differences between two versions of a registry record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


def diff_fields(old: dict | None, new: dict) -> list[FieldChange]:
    """The normalised fields whose value differs, in the record's own field order."""
    if old is None:
        return []
    return [
        FieldChange(field=name, old=old.get(name), new=value)
        for name, value in new.items()
        if old.get(name) != value
    ]
