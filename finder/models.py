"""The finder's search index: one row per trial, derived from the stored registry record.

Nothing here is a source of truth; `manage.py rebuild_trial_index` can recreate it at any time
from `trials.Trial`. The text columns hold analysed tokens (`finder.index_tokens`), which SQLite
indexes in the FTS5 table `finder_trial_fts` (external content, row ids chosen by
`fts_rowid()`) and PostgreSQL in the generated `search_vector` column with a GIN index; both
are created by migration 0002 for their own database only.

Nothing a patient types is ever stored in this app: searches read these rows and write none.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from trials.models import OverallStatus, Trial

# Status groups: the first tier of every ranking.
OPEN, ONGOING, FINISHED = 0, 1, 2
OPEN_STATUSES = (
    OverallStatus.RECRUITING,
    OverallStatus.NOT_YET_RECRUITING,
    OverallStatus.ENROLLING_BY_INVITATION,
)
ONGOING_STATUSES = (
    OverallStatus.ACTIVE_NOT_RECRUITING,
    OverallStatus.SUSPENDED,
    OverallStatus.AVAILABLE,
    OverallStatus.TEMPORARILY_NOT_AVAILABLE,
)
GROUP_SPAN = 10**12  # FTS row id = group * GROUP_SPAN + trial id


def status_group(status: str) -> int:
    if status in OPEN_STATUSES:
        return OPEN
    if status in ONGOING_STATUSES:
        return ONGOING
    return FINISHED


class TrialIndexEntry(models.Model):
    """A trial as the finder searches it: analysed text, status group, age, sex and sites."""

    trial = models.OneToOneField(
        Trial, on_delete=models.CASCADE, primary_key=True, related_name="finder_entry"
    )
    nct_id = models.CharField(_("NCT number"), max_length=11, unique=True)
    status = models.CharField(_("overall status"), max_length=32, blank=True)
    status_group = models.PositiveSmallIntegerField(_("status group"), db_index=True)
    min_age_days = models.PositiveIntegerField(_("minimum age (days)"), null=True, blank=True)
    max_age_days = models.PositiveIntegerField(_("maximum age (days)"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=8, blank=True)
    countries = models.CharField(
        _("site countries"),
        max_length=400,
        blank=True,
        help_text=_("ISO codes of the countries with a site, space separated."),
    )
    sites = models.JSONField(
        _("located sites"),
        default=list,
        blank=True,
        help_text=_("[latitude, longitude, site position] for every site the gazetteer found."),
    )
    title_tokens = models.TextField(_("title tokens"), blank=True)
    body_tokens = models.TextField(_("body tokens"), blank=True)
    fts_rowid = models.BigIntegerField(_("search row id"), unique=True)
    indexed_at = models.DateTimeField(_("indexed"), auto_now=True)

    class Meta:
        verbose_name = _("trial index entry")
        verbose_name_plural = _("trial index entries")
        indexes = [models.Index(fields=["status_group", "trial"], name="finder_entry_group")]

    def __str__(self):
        return self.nct_id
