"""manage.py sync_trials: the daily job that brings registry records up to date."""

import datetime as dt

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from trials import actions, sync
from trials.cited import cited_nct_ids
from trials.sources.clinicaltrials_gov import ClinicalTrialsGovClient, ClinicalTrialsGovError

DEFAULT_CONDITION = "systemic sclerosis"


class Command(BaseCommand):
    help = _(
        "Fetch from ClinicalTrials.gov every trial the handbook cites and every systemic sclerosis "
        "trial updated since the last sync. An interrupted sync resumes where it stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--condition", default=DEFAULT_CONDITION, help=_("registry condition to follow")
        )
        parser.add_argument(
            "--ids", nargs="+", default=[], metavar="NCT", help=_("extra NCT numbers to fetch")
        )
        parser.add_argument(
            "--since", help=_("only records updated on or after this date (YYYY-MM-DD)")
        )
        parser.add_argument(
            "--full", action="store_true", help=_("ignore the last sync date: fetch everything")
        )

    def handle(self, *args, condition, ids, since, full, **options):
        since_date = _parse_since(since) if since else None
        if since_date is None and not full:
            since_date = sync.last_ready_since()
        try:
            cited = cited_nct_ids()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        wanted = {nct_id.upper() for nct_id in ids} | cited
        client = ClinicalTrialsGovClient()
        changed = []

        def report(outcome):
            if outcome.status == actions.REJECTED:
                self.stderr.write(
                    _("Rejected %(source)s: %(reason)s")
                    % {"source": outcome.source, "reason": outcome.reason}
                )
            elif outcome.status in (actions.CHANGED, actions.NEW):
                changed.append(outcome)

        def progress(run):
            self.stdout.write(
                _("Page %(pages)d done: %(summary)s")
                % {"pages": run.cursor["pages"], "summary": sync.describe(run)}
            )

        try:
            run, resumed = sync.start_or_resume(
                client=client, ids=wanted, condition=condition, since=since_date
            )
            if resumed:
                self.stdout.write(_("Resuming unfinished sync %(key)s.") % {"key": run.key})
            run = sync.run_sync(run=run, client=client, on_outcome=report, on_page=progress)
        except ClinicalTrialsGovError as exc:
            raise CommandError(
                _("Sync failed (it will resume next time): %(error)s") % {"error": exc}
            ) from exc
        for outcome in changed:
            if outcome.status == actions.NEW:
                self.stdout.write(_("New %(nct_id)s") % {"nct_id": outcome.nct_id})
            else:
                fields = ", ".join(change.field for change in outcome.changes) or _(
                    "older version added to history"
                )
                self.stdout.write(
                    _("Changed %(nct_id)s: %(fields)s")
                    % {"nct_id": outcome.nct_id, "fields": fields}
                )
        self.stdout.write(sync.describe(run))


def _parse_since(value):
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(
            _("--since must be a date like 2026-01-31, not %(value)r.") % {"value": value}
        ) from exc
