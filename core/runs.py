"""A recorded run: one import, sync or check, whose state says whether what it wrote is whole.

Registry syncs and imports (`trials.SyncRun`), PubMed syncs (`literature.PublicationSyncRun`)
and freshness checks (`freshness.CheckRun`) all start `importing` and end `ready` or `failed`,
keeping when they started and finished and the error that stopped them. Readers only trust
what a `ready` run left (`latest_ready()`), so a half-finished import is never shown, and the
next run takes up a failed one. Keeping that contract in one abstract model gives every kind
of run the same states, the same names and the same admin listing (`handbook.admin_runs`).

An abstract model has no table and needs no installed app, so it can live here, below the
apps that subclass it; each subclass keeps its own key, counters and resume point.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_STATE_FIELDS = ("state", "error", "finished_at")


class RunState(models.TextChoices):
    IMPORTING = "importing", _("importing")
    READY = "ready", _("ready")
    FAILED = "failed", _("failed")


class RecordedRunQuerySet(models.QuerySet):
    def importing(self):
        return self.filter(state=RunState.IMPORTING)

    def ready(self):
        return self.filter(state=RunState.READY)

    def failed(self):
        return self.filter(state=RunState.FAILED)

    def latest_ready(self):
        """The newest run that finished, or None: the one whose results may be shown."""
        return self.ready().order_by("-started_at", "-pk").first()


class RecordedRun(models.Model):
    """Abstract: state, start and end times, the error, and the moves between states.

    `start()`, `finish()` and `fail()` save the state fields plus the subclass's fields named
    in `fields` (its counters, say) in one UPDATE, so a run's record never says `ready` with
    yesterday's counts. `COUNTS` names the counter fields the admin listing shows.
    """

    State = RunState
    COUNTS: tuple[str, ...] = ()

    state = models.CharField(
        _("state"), max_length=16, choices=RunState.choices, default=RunState.IMPORTING
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    objects = RecordedRunQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-started_at", "-id"]

    def start(self, *, fields: tuple[str, ...] | list[str] = ()) -> None:
        """(Re)open the run: importing again, with no error and no end time."""
        self._move(RunState.IMPORTING, "", None, fields)

    def finish(self, *, fields: tuple[str, ...] | list[str] = ()) -> None:
        """Everything the run set out to write is written: its results may be shown."""
        self._move(RunState.READY, "", timezone.now(), fields)

    def fail(self, message: str, *, fields: tuple[str, ...] | list[str] = ()) -> None:
        """The run stopped; `message` says why (the next run resumes or supersedes it)."""
        self._move(RunState.FAILED, message, timezone.now(), fields)

    def _move(self, state, error: str, finished_at, fields) -> None:
        self.state = state
        self.error = error
        self.finished_at = finished_at
        self.save(update_fields=[*_STATE_FIELDS, *fields])

    @property
    def is_ready(self) -> bool:
        return self.state == RunState.READY

    def kind_label(self) -> str:
        """What kind of run this is, for the listing of every run."""
        return str(self._meta.verbose_name)

    def counts(self) -> list[tuple[str, int]]:
        """(label, value) of each counter in `COUNTS`, in that order."""
        return [
            (str(self._meta.get_field(name).verbose_name), getattr(self, name))
            for name in self.COUNTS
        ]
