"""Every write to trial records goes through here.

Each document is stored in its own transaction, so an import interrupted anywhere leaves
whole documents only; the `SyncRun` row says whether the run as a whole finished.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models import Case, F, When
from django.utils import timezone
from django.utils.translation import gettext as _

from core.canonical import CanonicalJSONEncoder, content_hash
from trials.history import FieldChange, diff_fields
from trials.models import RejectedRecord, SyncRun, Trial, TrialLocation, TrialVersion
from trials.records import ParsedDocument, RecordError, deflate_document
from trials.signals import trials_stored

NEW = "new"
CHANGED = "changed"
HISTORY = "history"
UNCHANGED = "unchanged"
REJECTED = "rejected"

EXCERPT_CHARS = 2000
STORED_STATUSES = (NEW, CHANGED)


@dataclass
class Outcome:
    """What happened to one document: its fate, the trial, and which fields changed."""

    status: str
    source: str
    nct_id: str = ""
    reason: str = ""
    changes: list[FieldChange] = field(default_factory=list)


class ConflictError(RecordError):
    """Two different documents claim to be the registry's record of one trial on one day."""


def start_run(*, kind: str, parameters: dict | None = None, key: str | None = None) -> SyncRun:
    return SyncRun.objects.create(
        key=key or f"{kind}:{timezone.now():%Y%m%dT%H%M%S}:{uuid.uuid4().hex[:8]}",
        kind=kind,
        parameters=parameters or {},
    )


@transaction.atomic
def resume_run(*, run: SyncRun) -> SyncRun:
    """Take up an unfinished run again at its cursor."""
    run.start()
    return run


@transaction.atomic
def finish_run(*, run: SyncRun, error: str = "") -> SyncRun:
    """Close the run, `failed` with the error if there is one, with its final counts."""
    if error:
        run.fail(error, fields=SyncRun.COUNTS)
    else:
        run.finish(fields=SyncRun.COUNTS)
    return run


def announce_stored(nct_ids: Iterable[str]) -> None:
    """Send `trials_stored` for these trials once the current transaction has committed.

    Listeners (the finder's search index) must never see a trial the database does not yet
    hold, so the signal waits for the commit (it is sent at once outside a transaction). It
    is sent robustly: a failing listener is logged by Django's dispatcher, not raised, since
    the records are already stored and one broken index must not stop an import or keep the
    other listeners from hearing of it.
    """
    nct_ids = list(dict.fromkeys(nct_ids))
    if nct_ids:
        transaction.on_commit(lambda: trials_stored.send_robust(sender=Trial, nct_ids=nct_ids))


def _count(run: SyncRun, status: str) -> None:
    run.seen += 1
    if status == NEW:
        run.new += 1
    elif status in (CHANGED, HISTORY):
        run.changed += 1
    elif status == UNCHANGED:
        run.unchanged += 1
    else:
        run.rejected += 1


@transaction.atomic
def reject_document(
    *, run: SyncRun, source: str, reason: str, nct_id: str = "", raw: str | bytes = ""
) -> Outcome:
    """Quarantine a document with the reason, so nothing is lost silently.

    A page read again in the same run (after an expired page token) does not quarantine the
    same document twice.
    """
    if isinstance(raw, bytes):
        raw = raw[:EXCERPT_CHARS].decode("utf-8", errors="replace")
    RejectedRecord.objects.get_or_create(
        run=run,
        source=source[:500],
        reason=reason,
        defaults={"nct_id": nct_id[:11], "excerpt": raw[:EXCERPT_CHARS]},
    )
    _count(run, REJECTED)
    return Outcome(status=REJECTED, source=source, nct_id=nct_id, reason=reason)


@transaction.atomic
def store_document(*, run: SyncRun, document: ParsedDocument, source: str) -> Outcome:
    """Store one parsed registry document as a version of its trial, if it is news.

    Versions are ordered by the registry's own date, not by when we read them, so snapshots
    may arrive in any order: an older one is slotted into the history, a newer one becomes
    current, and the same content seen again only moves its "last seen" date forward.
    Raises ConflictError when a different document for the same trial and day is stored.
    """
    record = document.record
    snapshot = dt.date.fromisoformat(document.snapshot_date)
    fields = record.to_dict()
    digest = content_hash(fields)
    trial, created = Trial.objects.select_for_update().get_or_create(nct_id=record.nct_id)
    versions = [] if created else _versions_of(trial)

    same_day = next((v for v in versions if v.snapshot_date == snapshot), None)
    if same_day is not None:
        if same_day.content_hash == digest:
            _count(run, UNCHANGED)
            return Outcome(status=UNCHANGED, source=source, nct_id=record.nct_id)
        raise ConflictError(
            _(
                "a different document for %(nct_id)s dated %(date)s is already stored "
                "(from %(other)s); one of the two has been altered"
            )
            % {"nct_id": record.nct_id, "date": snapshot.isoformat(), "other": same_day.source}
        )

    previous = next((v for v in reversed(versions) if v.snapshot_date < snapshot), None)
    following = next((v for v in versions if v.snapshot_date > snapshot), None)
    if previous is not None and previous.content_hash == digest:
        if snapshot > previous.last_seen_date:
            previous.last_seen_date = snapshot
            previous.save(update_fields=["last_seen_date"])
            _refresh_current(trial)
        _count(run, UNCHANGED)
        return Outcome(status=UNCHANGED, source=source, nct_id=record.nct_id)
    if following is not None and following.content_hash == digest:
        following.snapshot_date = snapshot
        following.save(update_fields=["snapshot_date"])
        _count(run, UNCHANGED)
        return Outcome(status=UNCHANGED, source=source, nct_id=record.nct_id)

    old_current_id = trial.current_version_id
    version = TrialVersion.objects.create(
        trial=trial,
        run=run,
        source_format=document.source_format,
        source=source[:500],
        raw_deflated=deflate_document(document.raw),
        content_hash=digest,
        fields=fields,
        snapshot_date=snapshot,
        last_seen_date=snapshot,
        registry_last_update=record.last_update_posted,
        data_timestamp=document.data_timestamp,
    )
    if created or old_current_id is None:
        _refresh_current(trial, newest=version if following is None else None)
        status, changes = NEW, []
    elif following is None:
        old_fields = next(v.current_fields for v in versions if v.id == old_current_id)
        _refresh_current(trial, newest=version, old_fields=old_fields)
        status, changes = CHANGED, diff_fields(old_fields, fields)
    else:
        status, changes = HISTORY, []
    _count(run, status)
    return Outcome(status=status, source=source, nct_id=record.nct_id, changes=changes)


_VERSION_KEYS = ("id", "trial", "snapshot_date", "last_seen_date", "content_hash", "source")
_ORDER = ("snapshot_date", "id")


def _versions_of(trial: Trial) -> list[TrialVersion]:
    """The trial's versions, oldest first, in one query: what `store_document` compares
    against, and (as `current_fields`) the fields of the current one only, for the diff."""
    return list(
        trial.versions.only(*_VERSION_KEYS)
        .annotate(
            current_fields=Case(
                When(id=trial.current_version_id, then=F("fields")),
                output_field=models.JSONField(encoder=CanonicalJSONEncoder),
            )
        )
        .order_by(*_ORDER)
    )


def _refresh_current(
    trial: Trial, *, newest: TrialVersion | None = None, old_fields: dict | None = None
) -> None:
    """Make the trial's fields those of its newest version (by registry date).

    `newest` is that version when the caller has it in hand. The trial's site rows are
    rebuilt only when the sites differ from those of `old_fields` (the fields of the version
    that was current until now, if the caller knows them): most updates change a status or
    a date, not a trial's forty-odd sites.
    """
    current = newest or trial.versions.defer("raw_deflated").order_by(*_ORDER).last()
    fields = dict(current.fields)
    locations = fields.pop("locations", [])
    for name, value in fields.items():
        if name != "nct_id":
            setattr(trial, name, "" if value is None and name not in NULLABLE_FIELDS else value)
    location_changed = trial.current_version_id != current.id
    trial.current_version = current
    trial.record_date = current.last_seen_date
    trial.save()
    if location_changed and (old_fields is None or old_fields.get("locations") != locations):
        trial.locations.all().delete()
        TrialLocation.objects.bulk_create(
            TrialLocation(trial=trial, position=position, **location)
            for position, location in enumerate(locations)
        )


NULLABLE_FIELDS = {"enrollment", "healthy_volunteers"}


@dataclass
class SourceItem:
    """One document to import: its name for messages, and a way to parse it."""

    name: str
    parse: Callable[[], ParsedDocument]
    raw: bytes | str = b""
    nct_id_hint: str = ""


def import_documents(
    *,
    run: SyncRun,
    items: Iterable[SourceItem],
    on_outcome: Callable[[Outcome], None] | None = None,
) -> SyncRun:
    """Parse and store each item, rejecting (never skipping) the ones that cannot be stored.

    Every document commits on its own; `trials_stored` is sent for the new and changed trials
    every 100 documents and at the end (also when the import stops early).
    """
    stored: list[str] = []
    try:
        for item in items:
            try:
                document = item.parse()
                outcome = store_document(run=run, document=document, source=item.name)
            except RecordError as exc:
                outcome = reject_document(
                    run=run,
                    source=item.name,
                    reason=str(exc),
                    nct_id=item.nct_id_hint,
                    raw=item.raw,
                )
            if outcome.status in STORED_STATUSES:
                stored.append(outcome.nct_id)
            if on_outcome:
                on_outcome(outcome)
            if run.seen % 100 == 0:
                run.save(update_fields=["seen", "new", "changed", "unchanged", "rejected"])
                announce_stored(stored)
                stored = []
    except BaseException as exc:
        finish_run(run=run, error=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        announce_stored(stored)
    return finish_run(run=run)
