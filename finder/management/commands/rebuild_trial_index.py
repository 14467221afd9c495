"""manage.py rebuild_trial_index: recreate the trial finder's search index from stored trials."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from finder import actions


class Command(BaseCommand):
    help = _(
        "Rebuild the trial finder's search index from the stored trials, in batches. "
        "Safe to run at any time; searches keep working while it runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help=_("Trials read and indexed per transaction (default 500)."),
        )

    def handle(self, *args, **options):
        batch_size = options["batch_size"]
        if batch_size < 1:
            raise CommandError(_("--batch-size must be a positive number."))
        verbosity = options["verbosity"]
        started = time.monotonic()
        last_report = [started]

        def progress(done, total):
            now = time.monotonic()
            if verbosity >= 1 and (now - last_report[0] >= 5 or done == total):
                last_report[0] = now
                rate = done / max(now - started, 1e-9)
                self.stderr.write(
                    _("%(done)d/%(total)d trials indexed · %(rate).0f/s")
                    % {"done": done, "total": total, "rate": rate}
                )

        count = actions.rebuild_index(batch_size=batch_size, on_batch=progress)
        if verbosity >= 1:
            self.stdout.write(
                _("Indexed %(count)d trials in %(seconds).1f s.")
                % {"count": count, "seconds": time.monotonic() - started}
            )
