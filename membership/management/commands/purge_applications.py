"""manage.py purge_applications: the daily deletion of applications whose time has come.

Deletes every application (personal data and proof file) decided more than
MEMBERSHIP_RETENTION_DAYS ago, or left without a decision for MEMBERSHIP_UNDECIDED_RETENTION_DAYS,
plus proof files no application refers to; only anonymous counts per month and outcome remain.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from membership import actions
from membership.models import Outcome


class Command(BaseCommand):
    help = _(
        "Delete group applications and their proofs once their retention period is over "
        "(run daily)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            help=_("Pretend today is this date (YYYY-MM-DD); for checking, not for daily use."),
        )

    def handle(self, *args, today=None, **options):
        if today:
            try:
                day = date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(
                    _("--today must be a date like 2025-03-31, not %(value)s.") % {"value": today}
                ) from exc
        else:
            day = timezone.localdate()
        verbose = options["verbosity"] >= 2

        def progress(done, total):
            if verbose or done == total:
                self.stdout.write(
                    _("deleted %(done)d of %(total)d") % {"done": done, "total": total}
                )

        report = actions.purge_due(today=day, on_progress=progress)
        labels = dict(Outcome.choices)
        parts = [
            f"{labels[outcome]}: {count}" for outcome, count in sorted(report.outcomes.items())
        ]
        self.stdout.write(
            _(
                "Deleted %(count)d applications with their proofs%(details)s; removed %(stray)d unreferenced files."
            )
            % {
                "count": report.deleted,
                "details": f" ({'; '.join(parts)})" if parts else "",
                "stray": report.stray_files,
            }
        )
