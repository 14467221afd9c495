"""Shaping applications for the applicant's status page and the reviewers' screens."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Sum

from membership.models import (
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


def status_page(application: Application, organisation) -> dict:
    details = application.details
    approved = application.status == Status.APPROVED
    return {
        "status": application.status,
        "status_label": application.get_status_display(),
        "submitted_at": application.submitted_at,
        "decided_at": application.decided_at,
        "purge_after": application.purge_after,
        "nickname": details.nickname,
        "reviewer_message": details.last_message_from("reviewer"),
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


def queue_rows(applications) -> list[QueueRow]:
    rows = []
    for application in applications:
        details = application.details
        rows.append(
            QueueRow(
                number=application.pk,
                status=application.status,
                status_label=application.get_status_display(),
                submitted_at=application.submitted_at,
                updated_at=application.updated_at,
                nickname=details.nickname,
                place=f"{province_label(details.province)} {details.city}".strip(),
                role=details.get_role_display(),
                diagnosis=details.get_diagnosis_display(),
                proof_type=application.proof_extension.upper(),
                purge_after=application.purge_after,
            )
        )
    return rows


def application_detail(application: Application) -> dict:
    details = application.details
    return {
        "number": application.pk,
        "status": application.status,
        "status_label": application.get_status_display(),
        "submitted_at": application.submitted_at,
        "decided_at": application.decided_at,
        "decided_by": application.decided_by,
        "purge_after": application.purge_after,
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
        "proof_is_image": application.proof_is_image,
        "proof_type": application.proof_extension.upper(),
        "proof_size": application.proof_size,
        "is_open": application.status in (Status.PENDING, Status.NEEDS_INFO),
        "audit": AuditEntry.objects.filter(application_number=application.pk)[:50],
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
