"""Papers that report trials, and where each trial–paper link came from.

A `Publication` is a PubMed record, refreshed by every sync so a later retraction shows up.
A `TrialPublication` ties a paper to an NCT number, not to a `trials.Trial` row: PubMed and
editors may know a paper before the registry record is stored, and the link must be there,
waiting, when it arrives. Each link says where it came from (the registry's own reference,
PubMed's secondary source ID, or an editor with a note), so the handbook can show its source.
Writes go through `literature.actions`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.identifiers import nct_validator
from core.runs import RecordedRun
from trials.models import Trial

PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{pmid}/"

pmid_validator = RegexValidator(r"^\d{1,9}$", _("A PMID is a number of up to 9 digits."))


class Publication(models.Model):
    """One PubMed record, with the fields the handbook shows and the XML PubMed sent."""

    pmid = models.CharField(_("PMID"), max_length=12, unique=True, validators=[pmid_validator])
    title = models.TextField(_("title"), blank=True)
    journal = models.CharField(_("journal"), max_length=500, blank=True)
    journal_abbreviation = models.CharField(_("journal abbreviation"), max_length=200, blank=True)
    pub_date = models.CharField(
        _("publication date"),
        max_length=10,
        blank=True,
        help_text=_("At PubMed's precision: 2018-05-17, 2018-05 or 2018."),
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, db_index=True)
    authors = models.JSONField(_("authors"), default=list, blank=True)
    doi = models.CharField(_("DOI"), max_length=300, blank=True)
    abstract = models.TextField(_("abstract"), blank=True)
    publication_types = models.JSONField(_("publication types"), default=list, blank=True)
    databank_accessions = models.JSONField(
        _("databank accession numbers"),
        default=list,
        blank=True,
        help_text=_("PubMed's DataBankList, e.g. ClinicalTrials.gov NCT02149199."),
    )
    is_retracted = models.BooleanField(_("retracted"), default=False)
    retraction_notices = models.JSONField(_("retraction notices"), default=list, blank=True)
    erratum_notices = models.JSONField(_("errata"), default=list, blank=True)
    raw_xml = models.TextField(_("PubMed XML"), blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    fetched_at = models.DateTimeField(
        _("fetched from PubMed"),
        null=True,
        blank=True,
        help_text=_("Empty until a sync has read the PubMed record."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-year", "pmid"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def __str__(self):
        return f"PMID {self.pmid}: {self.title}" if self.title else f"PMID {self.pmid}"

    @property
    def url(self) -> str:
        return PUBMED_URL.format(pmid=self.pmid)


class Provenance(models.TextChoices):
    REGISTRY_RESULT = "registry_result", _("ClinicalTrials.gov reference: results")
    REGISTRY_DERIVED = "registry_derived", _("ClinicalTrials.gov reference: found by PubMed")
    REGISTRY_BACKGROUND = "registry_background", _("ClinicalTrials.gov reference: background")
    PUBMED_SI = "pubmed_si", _("PubMed secondary source ID")
    EDITOR = "editor", _("added by an editor")


REGISTRY_PROVENANCES = {
    "RESULT": Provenance.REGISTRY_RESULT,
    "DERIVED": Provenance.REGISTRY_DERIVED,
    "BACKGROUND": Provenance.REGISTRY_BACKGROUND,
}

# A result publication is one the registry types RESULT, one PubMed lists under the trial's
# NCT number ([si]), or one an editor added. The registry's DERIVED references are links
# ClinicalTrials.gov itself made from PubMed records that carry the NCT number, i.e. the same
# evidence as our own [si] search, so they count as results too. BACKGROUND never does.
RESULT_PROVENANCES = (
    Provenance.REGISTRY_RESULT,
    Provenance.REGISTRY_DERIVED,
    Provenance.PUBMED_SI,
    Provenance.EDITOR,
)


class TrialPublicationQuerySet(models.QuerySet):
    def for_trial(self, nct_id: str):
        return self.filter(nct_id=nct_id.strip().upper())

    def results(self):
        return self.filter(provenance__in=RESULT_PROVENANCES)

    def background(self):
        return self.exclude(provenance__in=RESULT_PROVENANCES)

    def with_trial_title(self):
        """Annotate `trial_title` from the stored trial, when there is one (else None)."""
        title = Trial.objects.filter(nct_id=models.OuterRef("nct_id")).values("brief_title")[:1]
        return self.annotate(trial_title=models.Subquery(title))

    def attached(self):
        """Links whose trial record is stored."""
        return self.filter(nct_id__in=Trial.objects.values("nct_id"))


class TrialPublication(models.Model):
    """A paper linked to a trial by NCT number, and where that link came from."""

    nct_id = models.CharField(
        _("NCT number"), max_length=11, db_index=True, validators=[nct_validator]
    )
    publication = models.ForeignKey(
        Publication,
        verbose_name=_("publication"),
        on_delete=models.CASCADE,
        related_name="trial_links",
    )
    provenance = models.CharField(_("source of the link"), max_length=24, choices=Provenance)
    note = models.TextField(
        _("note"), blank=True, help_text=_("Why an editor linked this paper to the trial.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = TrialPublicationQuerySet.as_manager()

    class Meta:
        ordering = ["nct_id", "publication"]
        constraints = [
            models.UniqueConstraint(
                fields=["nct_id", "publication", "provenance"],
                name="one_link_per_trial_publication_and_source",
            )
        ]
        verbose_name = _("trial publication")
        verbose_name_plural = _("trial publications")

    def __str__(self):
        return f"{self.nct_id} ↔ PMID {self.publication.pmid} ({self.get_provenance_display()})"

    @property
    def is_result(self) -> bool:
        """True unless the link is a registry BACKGROUND reference.

        DERIVED counts: ClinicalTrials.gov adds those references itself from PubMed records
        that carry the trial's NCT number, the same evidence as a PubMed [si] match.
        """
        return self.provenance in RESULT_PROVENANCES

    @property
    def trial(self) -> Trial | None:
        """The stored trial with this NCT number, or None while the registry record is missing."""
        return Trial.objects.filter(nct_id=self.nct_id).first()


class PublicationSyncRun(RecordedRun):
    """One run of `sync_publications`: what it planned, how far it got, and what it found.

    `parameters["nct_ids"]` is the list of trials planned at the start; `cursor["done"]` counts
    how many of them are finished (their links stored in the same transaction as the count),
    so an interrupted or failed run is taken up again exactly where it stopped.
    """

    COUNTS = (
        "trials_checked",
        "publications_new",
        "publications_updated",
        "links_new",
        "links_removed",
        "errors",
        "requests",
    )

    key = models.CharField(_("key"), max_length=120, unique=True)
    scope = models.CharField(
        _("scope"), max_length=200, help_text=_("all trials, or the NCT numbers asked for")
    )
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    cursor = models.JSONField(_("resume point"), default=dict, blank=True)
    trials_checked = models.PositiveIntegerField(_("trials checked"), default=0)
    publications_new = models.PositiveIntegerField(_("new publications"), default=0)
    publications_updated = models.PositiveIntegerField(_("updated publications"), default=0)
    links_new = models.PositiveIntegerField(_("new links"), default=0)
    links_removed = models.PositiveIntegerField(_("removed links"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    problems = models.JSONField(
        _("problems"),
        default=list,
        blank=True,
        help_text=_("Records that could not be read or found, each with the reason."),
    )
    requests = models.PositiveIntegerField(_("requests to PubMed"), default=0)

    class Meta(RecordedRun.Meta):
        verbose_name = _("publication sync run")
        verbose_name_plural = _("publication sync runs")

    def __str__(self):
        return f"{self.key} ({self.get_state_display()})"

    @property
    def planned(self) -> list[str]:
        return list(self.parameters.get("nct_ids", []))

    @property
    def done(self) -> int:
        return int(self.cursor.get("done", 0))

    @property
    def remaining(self) -> list[str]:
        return self.planned[self.done :]
