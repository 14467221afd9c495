"""Shaping applications for the applicant's status page and the reviewers' screens.

An application whose sealed record no key in MEMBERSHIP_ENCRYPTION_KEYS opens (a key mistyped
or removed) is shown as unreadable, not as an error page: one bad row must not hide the rest of
the queue from the reviewers or the status from the applicant. The operator is told at ERROR
level (sent to ADMINS where error mail is configured), with the application numbers only.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Sum

from membership import crypto
from membership.models import (
    ApplicantDetails,
    Application,
    ApplicationTally,
    AuditEntry,
    Outcome,
    Status,
)
from membership.provinces import province_label


def privacy_facts() -> dict:
    """The numbers the privacy notice promises, read from the settings that enforce them."""
    return {
        "retention_days": settings.MEMBERSHIP_RETENTION_DAYS,
        "undecided_days": settings.MEMBERSHIP_UNDECIDED_RETENTION_DAYS,
    }


logger = logging.getLogger(__name__)

KEY_PROBLEM = (
    "Group application(s) %s cannot be decrypted with any key in MEMBERSHIP_ENCRYPTION_KEYS. "
    "Restore the key that encrypted them (keep it after the current first key), restart, then "
    "run `manage.py rotate_membership_key` to re-encrypt them with the first key."
)


def readable_details(application: Application) -> ApplicantDetails | None:
    """The decrypted details, or None (reported to the operator) if no configured key opens them."""
    try:
        return application.details
    except crypto.InvalidToken:
        report_key_problem([application.pk])
        return None


def report_key_problem(numbers: list[int]) -> None:
    logger.error(KEY_PROBLEM, ", ".join(str(number) for number in numbers))


def _sealed_details(application: Application) -> ApplicantDetails | None:
    try:
        return application.details
    except crypto.InvalidToken:
        return None


def status_page(application: Application, organisation) -> dict:
    details = readable_details(application)
    approved = application.status == Status.APPROVED
    return {
        "status": application.status,
        "status_label": application.get_status_display(),
        "submitted_at": application.submitted_at,
        "decided_at": application.decided_at,
        "purge_after": application.purge_after,
        "readable": details is not None,
        "nickname": details.nickname if details else "",
        "reviewer_message": details.last_message_from("reviewer") if details else "",
        "qq_group": organisation.qq_group if approved and organisation else "",
        "qq_group_rule": organisation.qq_group_rule if approved and organisation else "",
        "needs_info": application.status == Status.NEEDS_INFO,
        "approved": approved,
        "rejected": application.status == Status.REJECTED,
        "pending": application.status == Status.PENDING,
    }


@dataclass
class QueueRow:
    number: int
    status: str
    status_label: str
    submitted_at: object
    updated_at: object
    nickname: str
    place: str
    role: str
    diagnosis: str
    proof_type: str
    purge_after: object
    readable: bool = True


def queue_rows(applications) -> list[QueueRow]:
    """One row an application; one that no key opens is a row of its own (`readable=False`)
    instead of breaking the queue, and the operator is told once for all of them."""
    rows, unreadable = [], []
    for application in applications:
        common = {
            "number": application.pk,
            "status": application.status,
            "status_label": application.get_status_display(),
            "submitted_at": application.submitted_at,
            "updated_at": application.updated_at,
            "proof_type": application.proof_extension.upper(),
            "purge_after": application.purge_after,
        }
        details = _sealed_details(application)
        if details is None:
            unreadable.append(application.pk)
            rows.append(
                QueueRow(**common, nickname="", place="", role="", diagnosis="", readable=False)
            )
            continue
        rows.append(
            QueueRow(
                **common,
                nickname=details.nickname,
                place=f"{province_label(details.province)} {details.city}".strip(),
                role=details.get_role_display(),
                diagnosis=details.get_diagnosis_display(),
            )
        )
    if unreadable:
        report_key_problem(unreadable)
    return rows


def application_detail(application: Application) -> dict:
    details = readable_details(application)
    base = {
        "number": application.pk,
        "status": application.status,
        "status_label": application.get_status_display(),
        "submitted_at": application.submitted_at,
        "decided_at": application.decided_at,
        "decided_by": application.decided_by,
        "purge_after": application.purge_after,
        "proof_is_image": application.proof_is_image,
        "proof_type": application.proof_extension.upper(),
        "proof_size": application.proof_size,
        "audit": AuditEntry.objects.filter(application_number=application.pk)[:50],
    }
    if details is None:
        return {**base, "readable": False, "fields": [], "conversation": [], "is_open": False}
    return {
        **base,
        "readable": True,
        "fields": [
            ("nickname", details.nickname),
            ("contact", f"{details.get_contact_kind_display()}: {details.contact}"),
            ("place", f"{province_label(details.province)} {details.city}".strip()),
            ("diagnosis", details.get_diagnosis_display()),
            ("diagnosis_year", details.diagnosis_year),
            ("hospital", details.hospital),
            ("role", details.get_role_display()),
        ],
        "conversation": [
            {**message, "at": datetime.fromisoformat(message["at"])}
            for message in details.conversation
        ],
        "is_open": application.status in (Status.PENDING, Status.NEEDS_INFO),
    }


def tally_table() -> dict:
    """Anonymous counts per month and outcome, plus what is still being kept."""
    months: dict = {}
    for row in ApplicationTally.objects.all():
        months.setdefault(row.month, {})[row.outcome] = row.count
    outcomes = [(value, label) for value, label in Outcome.choices]
    rows = [
        {"month": month, "counts": [months[month].get(value, 0) for value, _ in outcomes]}
        for month in sorted(months, reverse=True)
    ]
    totals = ApplicationTally.objects.aggregate(total=Sum("count"))
    return {"outcomes": outcomes, "rows": rows, "total": totals["total"] or 0}
