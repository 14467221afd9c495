"""manage.py tasks_status [--format json]: how many background tasks wait, run and failed
(ADR 0014), for the operator and a health check."""

import json

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from publishing.task_status import task_status


class Command(BaseCommand):
    help = _("Show how many background tasks wait for a worker, are running, and failed.")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options):
        status = task_status()
        if options["format"] == "json":
            self.stdout.write(json.dumps(status.as_json(), ensure_ascii=False))
            return
        self.stdout.write(_("Task backend: %(backend)s") % {"backend": status.backend})
        if status.oldest_waiting:
            oldest = timezone.localtime(status.oldest_waiting).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(
                _("Waiting: %(count)d (the oldest since %(when)s)")
                % {"count": status.waiting, "when": oldest}
            )
        else:
            self.stdout.write(_("Waiting: %(count)d") % {"count": status.waiting})
        self.stdout.write(_("Running: %(count)d") % {"count": status.running})
        self.stdout.write(
            _("Failed: %(count)d (in the last 24 hours: %(recent)d)")
            % {"count": status.failed, "recent": status.failed_last_day}
        )
        self.stdout.write(_("Done: %(count)d") % {"count": status.successful})
