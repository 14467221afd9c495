"""What the handbook claims about trials, and what the latest check found.

A `Statement` pins one claim to the words that make it (page, block, character span,
language), so an editor sees exactly which sentence is meant and an accepted suggestion
replaces exactly that sentence. A `Finding` is the latest verdict for a statement; a
`Dismissal` remembers an editor's "this is fine" against the record it was made on, so the
same finding is not raised again until the record changes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.runs import RecordedRun
from freshness.extraction import KINDS


class Kind(models.TextChoices):
    STATUS = "status", _("Status")
    START_DATE = "start_date", _("Start date")
    COMPLETION_DATE = "completion_date", _("Completion date")
    RESULTS = "results", _("Results")
    ENROLLMENT = "enrollment", _("Enrolment")
    PHASE = "phase", _("Phase")
    LOCATION = "location", _("Location")
    DESIGN = "design", _("Design")
    INTERVENTION = "intervention", _("Intervention")
    SPONSOR = "sponsor", _("Sponsor")


assert tuple(Kind.values) == KINDS


class Verdict(models.TextChoices):
    CURRENT = "current", _("Current")
    OUTDATED = "outdated", _("Outdated")
    CONTRADICTS_REGISTRY = "contradicts_registry", _("Contradicts the registry")
    CANNOT_VERIFY = "cannot_verify", _("Cannot be verified")


class StatementQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state=Statement.State.ACTIVE)

    def on_page(self, page):
        return self.filter(page=page)

    def about(self, nct_id: str):
        return self.filter(nct_id=nct_id.upper())


class Statement(models.Model):
    """One claim about one trial inside a handbook page."""

    class Origin(models.TextChoices):
        EXTRACTED = "extracted", _("Found in the text")
        EDITOR = "editor", _("Added by an editor")

    class State(models.TextChoices):
        ACTIVE = "active", _("Checked")
        DELETED = "deleted", _("Deleted by an editor")
        SUPERSEDED = "superseded", _("Replaced by an accepted suggestion")

    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        on_delete=models.CASCADE,
        related_name="trial_statements",
    )
    block_id = models.CharField(
        _("block"), max_length=64, help_text=_("The paragraph block the claim is in.")
    )
    paragraph = models.PositiveIntegerField(
        _("paragraph number"), default=0, help_text=_("Position of the paragraph on the page.")
    )
    start = models.PositiveIntegerField(_("start of the claim in the paragraph"))
    end = models.PositiveIntegerField(_("end of the claim in the paragraph"))
    sentence = models.TextField(
        _("sentence"), help_text=_("The whole sentence the claim is in, as written.")
    )
    claim_text = models.TextField(_("claim"), help_text=_("The words that make the claim."))
    language = models.CharField(_("language"), max_length=16)
    nct_id = models.CharField(_("NCT number"), max_length=11, db_index=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    claimed = models.JSONField(
        _("claimed value"),
        default=dict,
        help_text=_("What the claim says, in the registry's vocabulary."),
    )
    written_on = models.DateField(
        _("written or last confirmed on"),
        null=True,
        blank=True,
        help_text=_("When the claim was written, or an editor last confirmed it."),
    )
    origin = models.CharField(
        _("origin"), max_length=16, choices=Origin.choices, default=Origin.EXTRACTED
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.ACTIVE)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        ordering = ["page_id", "paragraph", "start", "kind"]
        verbose_name = _("statement about a trial")
        verbose_name_plural = _("statements about trials")
        constraints = [
            models.UniqueConstraint(
                fields=["page", "block_id", "kind", "claim_text", "start"],
                name="freshness_statement_unique_span",
            )
        ]

    def __str__(self):
        return f"{self.nct_id} {self.kind}: {self.claim_text}"


class FindingQuerySet(models.QuerySet):
    def flagged(self):
        return self.exclude(verdict=Verdict.CURRENT)

    def open(self):
        """Flagged, on an active statement, and not dismissed for the record it was found on."""
        return self.flagged().filter(
            statement__state=Statement.State.ACTIVE, dismissed=False, accepted_at__isnull=True
        )


class Finding(models.Model):
    """The latest check of one statement against the stored record of its trial."""

    statement = models.OneToOneField(
        Statement, verbose_name=_("statement"), on_delete=models.CASCADE, related_name="finding"
    )
    verdict = models.CharField(_("verdict"), max_length=32, choices=Verdict.choices)
    reason_zh = models.TextField(_("reason (Chinese)"), blank=True)
    reason_en = models.TextField(_("reason (English)"), blank=True)
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    suggestion_zh = models.TextField(_("suggested wording (Chinese)"), blank=True)
    suggestion_en = models.TextField(_("suggested wording (English)"), blank=True)
    results_overdue = models.BooleanField(_("results overdue"), default=False)
    record_stale = models.BooleanField(_("record not updated for over two years"), default=False)
    record_hash = models.CharField(
        _("record checked"),
        max_length=64,
        blank=True,
        help_text=_("Content hash of the trial record this finding was made on."),
    )
    checked_on = models.DateField(_("checked on"))
    first_found_on = models.DateField(_("first found on"))
    dismissed = models.BooleanField(_("dismissed"), default=False)
    accepted_at = models.DateTimeField(_("suggestion accepted"), null=True, blank=True)
    accepted_revision = models.ForeignKey(
        "wagtailcore.Revision",
        verbose_name=_("draft with the accepted wording"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["-first_found_on", "statement__page_id", "statement__paragraph"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self):
        return f"{self.statement} → {self.verdict}"

    @property
    def is_flagged(self) -> bool:
        return self.verdict != Verdict.CURRENT


class Dismissal(models.Model):
    """An editor's decision that a finding needs no change, valid for one record content."""

    statement = models.ForeignKey(
        Statement, verbose_name=_("statement"), on_delete=models.CASCADE, related_name="dismissals"
    )
    verdict = models.CharField(_("verdict"), max_length=32, choices=Verdict.choices)
    record_hash = models.CharField(_("record at the time"), max_length=64, blank=True)
    reason = models.TextField(_("reason"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dismissed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("dismissed at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("dismissal")
        verbose_name_plural = _("dismissals")

    def __str__(self):
        return f"{self.statement}: {self.reason}"


class CheckRun(RecordedRun):
    """One pass of the checks over every active statement (the daily job, or an editor).

    Its states are every recorded run's (`core.runs.RecordedRun`); a run in progress was
    already stored as "importing", so no stored value changed when the names were unified.
    """

    COUNTS = ("statements", "flagged", "newly_flagged")

    key = models.CharField(_("key"), max_length=64, unique=True)
    today = models.DateField(_("checked as of"))
    statements = models.PositiveIntegerField(_("statements checked"), default=0)
    flagged = models.PositiveIntegerField(_("flagged"), default=0)
    newly_flagged = models.PositiveIntegerField(_("newly flagged"), default=0)

    class Meta(RecordedRun.Meta):
        verbose_name = _("freshness check")
        verbose_name_plural = _("freshness checks")

    def __str__(self):
        return f"{self.key} ({self.state})"


class PageFreshness(models.Model):
    """Per page: when its trial facts were last checked, and whether readers see a notice."""

    page = models.OneToOneField(
        "wagtailcore.Page",
        verbose_name=_("page"),
        on_delete=models.CASCADE,
        related_name="freshness",
    )
    checked_on = models.DateField(_("trial facts checked on"), null=True, blank=True)
    open_findings = models.PositiveIntegerField(_("open findings"), default=0)
    show_notice = models.BooleanField(
        _("show a notice to readers"),
        default=False,
        help_text=_(
            "Tell readers that some trial information on this page is being re-checked, "
            "while findings are open."
        ),
    )

    class Meta:
        verbose_name = _("page freshness")
        verbose_name_plural = _("page freshness")

    def __str__(self):
        return f"{self.page_id}: {self.checked_on}"
