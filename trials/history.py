"""Field-level differences between two versions of a registry record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist

from trials.models import Trial
from trials.records import RECORD_FIELDS


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


def diff_fields(old: dict | None, new: dict) -> list[FieldChange]:
    """The normalised fields whose value differs, in the record's own field order.

    Stored fields come back with their keys sorted (SQLite, canonical JSON) or in jsonb's
    order (PostgreSQL), so the order is taken from `TrialRecord`, then any other key.
    """
    if old is None:
        return []
    names = [name for name in RECORD_FIELDS if name in new]
    names += [name for name in new if name not in RECORD_FIELDS]
    return [
        FieldChange(field=name, old=old.get(name), new=new[name])
        for name in names
        if old.get(name) != new[name]
    ]


def field_label(name: str) -> str:
    """The translated verbose name of a Trial field, for showing changes to editors."""
    try:
        field = Trial._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    if field.is_relation and field.auto_created:
        return str(field.related_model._meta.verbose_name_plural)
    return str(field.verbose_name)


@dataclass(frozen=True)
class VersionRow:
    version: object
    changes: list[FieldChange]

    @property
    def labelled(self) -> list[tuple[str, FieldChange]]:
        return [(field_label(change.field), change) for change in self.changes]


def version_history(trial) -> list[VersionRow]:
    """Every stored version of a trial, newest first, each with what changed from the one before."""
    versions = list(trial.versions.order_by("snapshot_date", "id"))
    rows, previous = [], None
    for version in versions:
        rows.append(VersionRow(version=version, changes=diff_fields(previous, version.fields)))
        previous = version.fields
    return list(reversed(rows))
