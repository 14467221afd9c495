"""Applications to join the patients' QQ group, their audit trail and the anonymous counts.

Everything that identifies a person (nickname, contact, place, diagnosis, hospital, the
applicant's and the reviewer's messages) is kept encrypted in `Application.sealed`; the proof
is an encrypted file in the private store. Neither survives the purge: what remains is an
`ApplicationTally` row per month and outcome, and `AuditEntry` rows that name the volunteer and
the application number but nothing about the applicant.
"""

import json
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from membership import crypto

CONSENT_VERSION = "2025-1"


class Status(models.TextChoices):
    PENDING = "pending", _("waiting for review")
    NEEDS_INFO = "needs_info", _("more information needed")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("not approved")


class ContactKind(models.TextChoices):
    PHONE = "phone", _("mobile phone")
    WECHAT = "wechat", _("WeChat")
    QQ = "qq", _("QQ")


class Role(models.TextChoices):
    PATIENT = "patient", _("I am the patient")
    FAMILY = "family", _("I am a family member or carer of the patient")


class Diagnosis(models.TextChoices):
    DIFFUSE = "dcssc", _("systemic sclerosis, diffuse cutaneous")
    LIMITED = "lcssc", _("systemic sclerosis, limited cutaneous")
    SSC = "ssc", _("systemic sclerosis, type not known")
    OVERLAP = "overlap", _("overlap syndrome with systemic sclerosis")
    MORPHEA = "morphea", _("morphea (localised scleroderma of the skin)")
    OTHER = "other", _("other or not sure")


@dataclass
class ApplicantDetails:
    """The personal part of an application, stored only in encrypted form."""

    nickname: str
    contact_kind: str
    contact: str
    province: str
    city: str
    diagnosis: str
    diagnosis_other: str
    diagnosis_year: int
    hospital: str
    role: str
    conversation: list = field(default_factory=list)

    def seal(self) -> str:
        return crypto.encrypt_text(json.dumps(asdict(self), ensure_ascii=False))

    @classmethod
    def unseal(cls, token: str) -> "ApplicantDetails":
        data = json.loads(crypto.decrypt_text(token))
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{key: value for key, value in data.items() if key in known})

    def add_message(self, *, sender: str, text: str, at) -> None:
        """Keep the exchange between reviewers ('reviewer') and the applicant ('applicant')."""
        self.conversation.append({"from": sender, "text": text, "at": at.isoformat()})

    def last_message_from(self, sender: str) -> str:
        for message in reversed(self.conversation):
            if message["from"] == sender:
                return message["text"]
        return ""

    def get_contact_kind_display(self) -> str:
        return str(ContactKind(self.contact_kind).label)

    def get_role_display(self) -> str:
        return str(Role(self.role).label)

    def get_diagnosis_display(self) -> str:
        label = str(Diagnosis(self.diagnosis).label)
        return f"{label}: {self.diagnosis_other}" if self.diagnosis_other else label


class ApplicationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=[Status.PENDING, Status.NEEDS_INFO])

    def waiting(self):
        return self.filter(status=Status.PENDING)

    def decided(self):
        return self.filter(status__in=[Status.APPROVED, Status.REJECTED])

    def due_for_purge(self, today):
        return self.filter(purge_after__lte=today)


class Application(models.Model):
    code_digest = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    sealed = models.TextField(editable=False)
    proof_name = models.CharField(max_length=40, editable=False)
    proof_type = models.CharField(max_length=40, editable=False)
    proof_size = models.PositiveIntegerField(default=0, editable=False)
    consent_version = models.CharField(max_length=20)
    consented_at = models.DateTimeField()
    language = models.CharField(max_length=10, default="zh-hans")
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("last change"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    purge_after = models.DateField(_("delete on"), db_index=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("group application")
        verbose_name_plural = _("group applications")
        ordering = ["submitted_at", "pk"]
        default_permissions = ()
        permissions = [
            (
                "review_application",
                "Can review group applications and open proofs of diagnosis",
            )
        ]

    def __str__(self):
        return _("Application %(number)s") % {"number": self.pk}

    @property
    def details(self) -> ApplicantDetails:
        """The decrypted personal data (decrypted again whenever `sealed` has changed)."""
        cached = getattr(self, "_details_cache", None)
        if cached is None or cached[0] != self.sealed:
            cached = (self.sealed, ApplicantDetails.unseal(self.sealed))
            self._details_cache = cached
        return cached[1]

    def set_details(self, details: ApplicantDetails) -> None:
        self.sealed = details.seal()
        self._details_cache = (self.sealed, details)

    @property
    def proof_extension(self) -> str:
        return {"application/pdf": "pdf", "image/png": "png"}.get(self.proof_type, "jpg")

    @property
    def proof_is_image(self) -> bool:
        return self.proof_type.startswith("image/")


class Outcome(models.TextChoices):
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("not approved")
    WITHDRAWN = "withdrawn", _("withdrawn by the applicant")
    EXPIRED = "expired", _("deleted without a decision")


class ApplicationTally(models.Model):
    """How many applications submitted in a month ended how: all that is left after deletion."""

    month = models.DateField(_("month submitted"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    count = models.PositiveIntegerField(_("applications"), default=0)

    class Meta:
        verbose_name = _("application count")
        verbose_name_plural = _("application counts")
        ordering = ["-month", "outcome"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["month", "outcome"], name="membership_tally_unique")
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.get_outcome_display()}: {self.count}"


class AuditAction(models.TextChoices):
    SUBMITTED = "submitted", _("application submitted")
    VIEWED_DETAILS = "viewed_details", _("application opened")
    VIEWED_PROOF = "viewed_proof", _("proof of diagnosis opened")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    ASKED_FOR_INFO = "asked_for_info", _("more information requested")
    APPLICANT_REPLIED = "applicant_replied", _("applicant replied")
    WITHDRAWN = "withdrawn", _("withdrawn and deleted by the applicant")
    PURGED = "purged", _("deleted after the retention period")
    KEYS_ROTATED = "keys_rotated", _("encryption key rotated")


class AuditEntry(models.Model):
    """Who did what to which application, and when; never anything about the applicant."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("who"), max_length=150, blank=True)
    action = models.CharField(_("what"), max_length=30, choices=AuditAction.choices)
    application_number = models.PositiveBigIntegerField(
        _("application number"), null=True, blank=True, db_index=True
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-pk"]
        default_permissions = ()

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or '-'} {self.action} {self.application_number or ''}"
