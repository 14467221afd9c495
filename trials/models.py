"""Registry records: the trial as it stands now, every version the registry showed, and runs.

`Trial` holds the normalised fields of its newest version (by the registry's own date), so
pages read one row; `TrialVersion` keeps every distinct document with its raw text, so the
history of what changed and when is never lost. Writes go through `trials.actions`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.canonical import CanonicalJSONEncoder
from core.identifiers import nct_url
from core.runs import RecordedRun
from trials.records import (
    FORMAT_API_V2,
    FORMAT_LEGACY_XML,
    TrialRecord,
    inflate_document,
)


class OverallStatus(models.TextChoices):
    NOT_YET_RECRUITING = "NOT_YET_RECRUITING", _("Not yet recruiting")
    RECRUITING = "RECRUITING", _("Recruiting")
    ENROLLING_BY_INVITATION = "ENROLLING_BY_INVITATION", _("Enrolling by invitation")
    ACTIVE_NOT_RECRUITING = "ACTIVE_NOT_RECRUITING", _("Active, not recruiting")
    SUSPENDED = "SUSPENDED", _("Suspended")
    TERMINATED = "TERMINATED", _("Terminated")
    COMPLETED = "COMPLETED", _("Completed")
    WITHDRAWN = "WITHDRAWN", _("Withdrawn (nobody was enrolled)")
    UNKNOWN = "UNKNOWN", _("Unknown status")
    AVAILABLE = "AVAILABLE", _("Available")
    NO_LONGER_AVAILABLE = "NO_LONGER_AVAILABLE", _("No longer available")
    TEMPORARILY_NOT_AVAILABLE = "TEMPORARILY_NOT_AVAILABLE", _("Temporarily not available")
    APPROVED_FOR_MARKETING = "APPROVED_FOR_MARKETING", _("Approved for marketing")
    WITHHELD = "WITHHELD", _("Withheld")


OPEN_STATUSES = (OverallStatus.RECRUITING, OverallStatus.NOT_YET_RECRUITING)
UNFINISHED_STATUSES = (
    OverallStatus.NOT_YET_RECRUITING,
    OverallStatus.RECRUITING,
    OverallStatus.ENROLLING_BY_INVITATION,
    OverallStatus.ACTIVE_NOT_RECRUITING,
    OverallStatus.SUSPENDED,
)


class DateType(models.TextChoices):
    ACTUAL = "ACTUAL", pgettext_lazy("date type", "actual")
    ESTIMATED = "ESTIMATED", pgettext_lazy("date type", "planned")


class TrialQuerySet(models.QuerySet):
    def recruiting(self):
        return self.filter(overall_status__in=OPEN_STATUSES)

    def in_country(self, country: str):
        return self.filter(locations__country__iexact=country).distinct()

    def with_ids(self, nct_ids):
        return self.filter(nct_id__in=[nct_id.upper() for nct_id in nct_ids])


class Trial(models.Model):
    """One registered trial, as its newest stored registry version describes it."""

    nct_id = models.CharField(_("NCT number"), max_length=11, unique=True)
    brief_title = models.TextField(_("brief title"), blank=True)
    official_title = models.TextField(_("official title"), blank=True)
    acronym = models.CharField(_("acronym"), max_length=200, blank=True)
    brief_summary = models.TextField(_("brief summary"), blank=True)
    overall_status = models.CharField(
        _("overall status"), max_length=32, choices=OverallStatus.choices, blank=True
    )
    last_known_status = models.CharField(
        _("last known status"), max_length=32, choices=OverallStatus.choices, blank=True
    )
    why_stopped = models.TextField(_("why stopped"), blank=True)
    phases = models.JSONField(_("phases"), default=list, blank=True)
    study_type = models.CharField(_("study type"), max_length=32, blank=True)
    allocation = models.CharField(_("allocation"), max_length=32, blank=True)
    intervention_model = models.CharField(_("intervention model"), max_length=32, blank=True)
    primary_purpose = models.CharField(_("primary purpose"), max_length=48, blank=True)
    masking = models.CharField(_("masking"), max_length=16, blank=True)
    who_masked = models.JSONField(_("who is masked"), default=list, blank=True)
    enrollment = models.PositiveIntegerField(_("enrolment"), null=True, blank=True)
    enrollment_type = models.CharField(
        _("enrolment type"), max_length=16, choices=DateType.choices, blank=True
    )
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    interventions = models.JSONField(_("interventions"), default=list, blank=True)
    lead_sponsor = models.CharField(_("lead sponsor"), max_length=300, blank=True)
    lead_sponsor_class = models.CharField(_("lead sponsor class"), max_length=32, blank=True)
    collaborators = models.JSONField(_("collaborators"), default=list, blank=True)
    start_date = models.CharField(_("start date"), max_length=10, blank=True)
    start_date_type = models.CharField(max_length=16, choices=DateType.choices, blank=True)
    primary_completion_date = models.CharField(
        _("primary completion date"), max_length=10, blank=True
    )
    primary_completion_date_type = models.CharField(
        max_length=16, choices=DateType.choices, blank=True
    )
    completion_date = models.CharField(_("completion date"), max_length=10, blank=True)
    completion_date_type = models.CharField(max_length=16, choices=DateType.choices, blank=True)
    results_posted = models.BooleanField(_("results posted on the registry"), default=False)
    results_first_posted = models.CharField(max_length=10, blank=True)
    references = models.JSONField(_("references"), default=list, blank=True)
    verification_date = models.CharField(_("verification date"), max_length=10, blank=True)
    first_posted = models.CharField(_("first posted"), max_length=10, blank=True)
    last_update_posted = models.CharField(_("last update posted"), max_length=10, blank=True)
    eligibility_criteria = models.TextField(_("eligibility criteria"), blank=True)
    sex = models.CharField(_("sex"), max_length=8, blank=True)
    minimum_age = models.CharField(_("minimum age"), max_length=32, blank=True)
    maximum_age = models.CharField(_("maximum age"), max_length=32, blank=True)
    healthy_volunteers = models.BooleanField(_("healthy volunteers"), null=True, blank=True)
    secondary_ids = models.JSONField(_("secondary IDs"), default=list, blank=True)
    nct_aliases = models.JSONField(_("NCT aliases"), default=list, blank=True)

    current_version = models.ForeignKey(
        "TrialVersion",
        verbose_name=_("current version"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    record_date = models.DateField(
        _("record date"),
        null=True,
        blank=True,
        help_text=_("The day the registry last showed this record as stored (checked date)."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = TrialQuerySet.as_manager()

    class Meta:
        ordering = ["nct_id"]
        verbose_name = _("trial")
        verbose_name_plural = _("trials")

    def __str__(self):
        return f"{self.nct_id} {self.brief_title}".strip()

    @property
    def registry_url(self) -> str:
        return nct_url(self.nct_id)


class TrialLocation(models.Model):
    """A site of a trial; rebuilt from the current version whenever it changes."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="locations")
    position = models.PositiveIntegerField(default=0)
    facility = models.CharField(_("facility"), max_length=500, blank=True)
    city = models.CharField(_("city"), max_length=200, blank=True)
    state = models.CharField(_("state or province"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    status = models.CharField(_("site status"), max_length=32, blank=True)

    class Meta:
        ordering = ["trial", "position"]
        verbose_name = _("trial site")
        verbose_name_plural = _("trial sites")

    def __str__(self):
        return ", ".join(part for part in (self.facility, self.city, self.country) if part)


class SyncRun(RecordedRun):
    """One recorded import or sync: its state says whether what it wrote is complete.

    A run starts `importing`, ends `ready` or `failed` (`core.runs.RecordedRun`); counts and
    the error are kept, so the operator (and the next run, which resumes from `cursor`) can
    see exactly what happened.
    """

    COUNTS = ("seen", "new", "changed", "unchanged", "rejected")

    class Kind(models.TextChoices):
        FILES = "files", _("file import")
        API = "api", _("registry sync")
        BULK = "bulk", _("bulk import")

    key = models.CharField(_("key"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    cursor = models.JSONField(_("resume point"), default=dict, blank=True)
    seen = models.PositiveIntegerField(_("read"), default=0)
    new = models.PositiveIntegerField(_("new"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)

    class Meta(RecordedRun.Meta):
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")

    def __str__(self):
        return f"{self.get_kind_display()} {self.key} ({self.get_state_display()})"

    def kind_label(self) -> str:
        return str(self.get_kind_display())


class TrialVersion(models.Model):
    """One distinct registry document for a trial, kept whole (compressed, ADR 0005).

    `fields` is the normalised `TrialRecord` and `content_hash` is computed over it, so the
    same record read twice (or from another format) is not stored twice, while any change
    the registry made to a field we use becomes a new version.
    """

    FORMAT_CHOICES = [
        (FORMAT_LEGACY_XML, _("ClinicalTrials.gov legacy XML")),
        (FORMAT_API_V2, _("ClinicalTrials.gov API v2 JSON")),
    ]

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="versions")
    run = models.ForeignKey(
        SyncRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="versions"
    )
    source_format = models.CharField(_("format"), max_length=16, choices=FORMAT_CHOICES)
    source = models.CharField(_("source"), max_length=500, blank=True)
    raw_deflated = models.BinaryField(
        _("raw document (compressed)"),
        help_text=_("The document exactly as the registry sent it, compressed (raw DEFLATE)."),
    )
    content_hash = models.CharField(_("content hash"), max_length=64, db_index=True)
    fields = models.JSONField(_("normalised fields"), encoder=CanonicalJSONEncoder)
    snapshot_date = models.DateField(
        _("registry date"), help_text=_("The day the registry produced this document.")
    )
    last_seen_date = models.DateField(
        _("last seen"), help_text=_("The latest day the registry still showed this document.")
    )
    registry_last_update = models.CharField(_("registry last update"), max_length=10, blank=True)
    data_timestamp = models.CharField(_("registry data timestamp"), max_length=40, blank=True)
    fetched_at = models.DateTimeField(_("fetched"), auto_now_add=True)

    class Meta:
        ordering = ["trial", "snapshot_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["trial", "snapshot_date"], name="one_version_per_trial_and_registry_day"
            )
        ]
        verbose_name = _("trial version")
        verbose_name_plural = _("trial versions")

    def __str__(self):
        return f"{self.trial.nct_id} @ {self.snapshot_date}"

    def record(self) -> TrialRecord:
        return TrialRecord.from_dict(self.fields)

    @property
    def raw_document(self) -> str:
        """The document exactly as the registry sent it."""
        return inflate_document(self.raw_deflated)


class RejectedRecord(models.Model):
    """A document that could not be imported, quarantined with the reason; never silently lost."""

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="rejections")
    source = models.CharField(_("source"), max_length=500)
    nct_id = models.CharField(_("NCT number"), max_length=11, blank=True)
    reason = models.TextField(_("reason"))
    excerpt = models.TextField(_("excerpt"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("rejected record")
        verbose_name_plural = _("rejected records")

    def __str__(self):
        return f"{self.source}: {self.reason}"
