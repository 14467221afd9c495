"""Check every statement about a trial against the stored records (the daily job)."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from freshness.actions import extract_page, notify_editors, run_checks
from freshness.pages import checked_pages
from freshness.presenters import statement_row


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("--today must be a date written YYYY-MM-DD, e.g. 2026-11-25 (got %(value)s).")
            % {"value": value}
        ) from None


class Command(BaseCommand):
    help = _(
        "Find the claims about trials on every handbook page and check them against the "
        "stored registry records and publications."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help=_("Check as of this date (YYYY-MM-DD)."))
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--no-email",
            action="store_true",
            help=_("Do not email the editors a digest of newly flagged statements."),
        )

    def handle(self, *args, **options):
        today = _date(options["today"]) if options["today"] else timezone.localdate()
        pages = list(checked_pages())
        for page in pages:
            extract_page(page=page, today=today)
        run, report = run_checks(today=today)
        if options["format"] == "json":
            rows = [statement_row(item) for item in report]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            if not options["no_email"]:
                self._notify(run, report, quiet=True)
            return
        flagged = [item for item in report if item.finding.is_flagged]
        self.stdout.write(
            _(
                "Checked %(count)d statements on %(pages)d pages as of %(today)s: "
                "%(flagged)d flagged, %(new)d new."
            )
            % {
                "count": run.statements,
                "pages": len(pages),
                "today": today.isoformat(),
                "flagged": run.flagged,
                "new": run.newly_flagged,
            }
        )
        for item in flagged:
            finding, statement = item.finding, item.statement
            self.stdout.write(
                f"\n[{finding.get_verdict_display()}] {statement.page.title} · "
                f"{statement.nct_id} · {statement.get_kind_display()}"
                f"{' · ' + _('dismissed') if finding.dismissed else ''}"
            )
            self.stdout.write(f"  « {statement.claim_text} »")
            self.stdout.write(f"  {finding.reason_zh}")
            if finding.suggestion_zh:
                self.stdout.write("  → " + finding.suggestion_zh)
        if not options["no_email"]:
            self._notify(run, report, quiet=False)

    def _notify(self, run, report, *, quiet: bool):
        """Mail the digest; a mail failure is reported after the run is safely stored."""
        try:
            sent = notify_editors(run=run, report=report)
        except OSError as exc:
            raise CommandError(
                _(
                    "The check finished and was saved, but the digest email could not be sent "
                    "(%(error)s). Check the DJANGO_EMAIL_* settings."
                )
                % {"error": exc}
            ) from exc
        if sent:
            out = self.stderr if quiet else self.stdout
            out.write(
                _("Digest of %(count)d new findings emailed to %(people)d editors.")
                % {"count": run.newly_flagged, "people": sent}
            )
