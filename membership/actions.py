"""Every write to applications: submit, review, reply, withdraw, purge, rotate keys.

Files and rows go together: a proof file is written before its row is committed (and removed
again if the commit fails), and deleted only after the row's deletion has committed, so a crash
can leave at most an unreferenced ciphertext file, which the next purge removes. Each step that
touches personal data writes an `AuditEntry`.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from membership import codes, crypto, storage
from membership.models import (
    CONSENT_VERSION,
    ApplicantDetails,
    Application,
    ApplicationTally,
    AuditAction,
    AuditEntry,
    Outcome,
    Status,
)
from membership.uploads import CleanProof

STRAY_FILE_AGE_SECONDS = 3600


class NotAllowed(Exception):
    """The application is not in a state that allows this step (e.g. deciding twice)."""


class Decision:
    APPROVE = "approve"
    REJECT = "reject"
    ASK = "ask"


DECISIONS = {
    Decision.APPROVE: (Status.APPROVED, AuditAction.APPROVED),
    Decision.REJECT: (Status.REJECTED, AuditAction.REJECTED),
    Decision.ASK: (Status.NEEDS_INFO, AuditAction.ASKED_FOR_INFO),
}


def audit(*, action: str, user=None, application_number=None, note: str = "", at=None):
    return AuditEntry.objects.create(
        action=action,
        actor=user if user is not None and user.is_authenticated else None,
        actor_name=user.get_username() if user is not None and user.is_authenticated else "",
        application_number=application_number,
        note=note[:200],
        at=at or timezone.now(),
    )


def _days(name: str) -> timedelta:
    return timedelta(days=getattr(settings, name))


def submit_application(
    *, details: ApplicantDetails, proof: CleanProof, language: str, now: datetime
) -> tuple[Application, str]:
    """Store a new application and its encrypted proof; returns it and its code (shown once)."""
    name = storage.save(proof.content)
    try:
        return _create_application(
            details=details, proof=proof, proof_name=name, language=language, now=now
        )
    except BaseException:
        storage.delete(name)
        raise


@transaction.atomic
def _create_application(*, details, proof, proof_name, language, now):
    code = codes.new_code()
    application = Application(
        code_digest=codes.digest(code),
        status=Status.PENDING,
        proof_name=proof_name,
        proof_type=proof.content_type,
        proof_size=len(proof.content),
        consent_version=CONSENT_VERSION,
        consented_at=now,
        language=language,
        submitted_at=now,
        updated_at=now,
        purge_after=timezone.localdate(now) + _days("MEMBERSHIP_UNDECIDED_RETENTION_DAYS"),
    )
    application.set_details(details)
    application.save()
    audit(action=AuditAction.SUBMITTED, application_number=application.pk, at=now)
    return application, code


def find_by_code(code: str) -> Application | None:
    """The application with this code, or None; unknown and malformed codes are alike.

    A digest made under a key in SECRET_KEY_FALLBACKS is still found, and re-keyed under the
    current secret key, so that the fallback can later be dropped.
    """
    wanted = codes.candidate_digests(code)
    application = Application.objects.filter(code_digest__in=wanted).first()
    if application is None or not any(
        codes.same_digest(application.code_digest, candidate) for candidate in wanted
    ):
        return None
    if not codes.same_digest(application.code_digest, wanted[0]):
        Application.objects.filter(pk=application.pk).update(code_digest=wanted[0])
        application.code_digest = wanted[0]
    return application


@transaction.atomic
def record_view(*, application: Application, user, action: str) -> None:
    audit(action=action, user=user, application_number=application.pk)


@transaction.atomic
def decide(
    *, application: Application, user, decision: str, message: str, now: datetime
) -> Application:
    """Approve, reject or ask for more; the personal data is then kept RETENTION_DAYS more."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status not in (Status.PENDING, Status.NEEDS_INFO):
        raise NotAllowed(application.status)
    status, action = DECISIONS[decision]
    details = application.details
    if message:
        details.add_message(sender="reviewer", text=message, at=now)
    application.set_details(details)
    application.status = status
    application.updated_at = now
    if decision != Decision.ASK:
        application.decided_at = now
        application.decided_by = user
    application.purge_after = timezone.localdate(now) + _days("MEMBERSHIP_RETENTION_DAYS")
    application.save()
    audit(action=action, user=user, application_number=application.pk, at=now)
    return application


def reply(
    *, application: Application, message: str, proof: CleanProof | None, now: datetime
) -> Application:
    """The applicant answers a request for more information, perhaps with a new proof."""
    new_name = storage.save(proof.content) if proof else ""
    try:
        application, old_name = _record_reply(
            application=application, message=message, proof=proof, new_name=new_name, now=now
        )
    except BaseException:
        if new_name:
            storage.delete(new_name)
        raise
    if old_name:
        storage.delete(old_name)
    return application


@transaction.atomic
def _record_reply(*, application, message, proof, new_name, now):
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != Status.NEEDS_INFO:
        raise NotAllowed(application.status)
    details = application.details
    details.add_message(sender="applicant", text=message, at=now)
    application.set_details(details)
    old_name = ""
    if proof is not None:
        old_name = application.proof_name
        application.proof_name = new_name
        application.proof_type = proof.content_type
        application.proof_size = len(proof.content)
    application.status = Status.PENDING
    application.updated_at = now
    application.purge_after = timezone.localdate(now) + _days("MEMBERSHIP_UNDECIDED_RETENTION_DAYS")
    application.save()
    audit(action=AuditAction.APPLICANT_REPLIED, application_number=application.pk, at=now)
    return application, old_name


def _count(*, month: date, outcome: str) -> None:
    updated = ApplicationTally.objects.filter(month=month, outcome=outcome).update(
        count=F("count") + 1
    )
    if updated:
        return
    try:
        with transaction.atomic():
            ApplicationTally.objects.create(month=month, outcome=outcome, count=1)
    except IntegrityError:
        ApplicationTally.objects.filter(month=month, outcome=outcome).update(count=F("count") + 1)


def _erase(*, application: Application, outcome: str, action: str, user=None, now=None) -> None:
    """Delete the row (inside the caller's transaction) and the file once that has committed."""
    number, proof_name = application.pk, application.proof_name
    month = timezone.localdate(application.submitted_at).replace(day=1)
    _count(month=month, outcome=outcome)
    Application.objects.filter(pk=number).delete()
    audit(action=action, user=user, application_number=number, at=now)
    transaction.on_commit(lambda: storage.delete(proof_name))


@transaction.atomic
def withdraw(*, application: Application, now: datetime) -> None:
    """The applicant's right to have everything deleted at once."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    _erase(
        application=application,
        outcome=Outcome.WITHDRAWN,
        action=AuditAction.WITHDRAWN,
        now=now,
    )


OUTCOME_BY_STATUS = {
    Status.APPROVED: Outcome.APPROVED,
    Status.REJECTED: Outcome.REJECTED,
    Status.PENDING: Outcome.EXPIRED,
    Status.NEEDS_INFO: Outcome.EXPIRED,
}


@dataclass
class PurgeReport:
    outcomes: Counter = field(default_factory=Counter)
    stray_files: int = 0

    @property
    def deleted(self) -> int:
        return sum(self.outcomes.values())


def purge_due(*, today: date, on_progress: Callable[[int, int], None] | None = None) -> PurgeReport:
    """Delete every application whose `purge_after` date has come, and unreferenced files."""
    report = PurgeReport()
    due = list(Application.objects.due_for_purge(today).values_list("pk", flat=True))
    for done, number in enumerate(due, start=1):
        outcome = _purge_one(number=number, today=today)
        if outcome:
            report.outcomes[outcome] += 1
        if on_progress:
            on_progress(done, len(due))
    known = set(Application.objects.values_list("proof_name", flat=True))
    for name, mtime in list(storage.stored_names()):
        if name not in known and storage.age_seconds(mtime) > STRAY_FILE_AGE_SECONDS:
            storage.delete_stray(name)
            report.stray_files += 1
    return report


@transaction.atomic
def _purge_one(*, number: int, today: date) -> str | None:
    application = (
        Application.objects.select_for_update().filter(pk=number, purge_after__lte=today).first()
    )
    if application is None:
        return None
    outcome = OUTCOME_BY_STATUS[Status(application.status)]
    _erase(application=application, outcome=outcome, action=AuditAction.PURGED)
    return outcome


def rotate_keys(*, on_progress: Callable[[int, int], None] | None = None) -> int:
    """Re-encrypt every proof file and sealed record with the first configured key."""
    numbers = list(Application.objects.values_list("pk", flat=True))
    for done, number in enumerate(numbers, start=1):
        _rotate_one(number=number)
        if on_progress:
            on_progress(done, len(numbers))
    audit(action=AuditAction.KEYS_ROTATED, note=f"{len(numbers)}")
    return len(numbers)


@transaction.atomic
def _rotate_one(*, number: int) -> None:
    application = Application.objects.select_for_update().filter(pk=number).first()
    if application is None:
        return
    if storage.exists(application.proof_name):
        storage.rotate(application.proof_name)
    Application.objects.filter(pk=number).update(sealed=crypto.rotate_text(application.sealed))
