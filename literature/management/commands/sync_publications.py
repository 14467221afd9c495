"""manage.py sync_publications [--ids NCT… NCT…]: find the papers that report each trial."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from literature import sync
from literature.sources.pubmed import PubMedClient, PubMedError


class Command(BaseCommand):
    help = _(
        "Find in PubMed the papers that report each trial (by NCT number) and those the registry "
        "cites, and store the links with their source. All trials unless --ids is given; the "
        "daily job runs it after sync_trials. An interrupted run resumes where it stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--ids",
            nargs="+",
            default=[],
            metavar="NCT",
            help=_("only these NCT numbers, separated by spaces"),
        )
        parser.add_argument(
            "--fresh",
            action="store_true",
            help=_("start a new run even if the last one did not finish"),
        )

    def handle(self, *args, ids, fresh, **options):
        ids = [part for value in ids for part in value.replace(",", " ").split()]
        if not settings.ENTREZ_EMAIL:
            self.stderr.write(
                _(
                    "ENTREZ_EMAIL is not set: NCBI asks every E-utilities client for a contact "
                    "address and may block clients without one."
                )
            )
        try:
            run, resumed = sync.start_or_resume(nct_ids=ids, fresh=fresh)
        except sync.PlanError as exc:
            raise CommandError(str(exc)) from exc
        if resumed:
            self.stdout.write(
                _("Resuming unfinished run %(key)s after %(done)d of %(total)d trials.")
                % {"key": run.key, "done": run.done, "total": len(run.planned)}
            )
        elif not run.planned:
            self.stdout.write(_("No trials to check."))

        def report(outcome):
            line = _(
                "%(nct_id)s: result publications %(results)d, background %(background)d, "
                "new links %(new)d"
            ) % {
                "nct_id": outcome.nct_id,
                "results": outcome.results,
                "background": outcome.background,
                "new": outcome.links_new,
            }
            if outcome.links_removed:
                line += _(", removed links %(count)d") % {"count": outcome.links_removed}
            if not outcome.trial_stored:
                line += _(" (no registry record stored yet)")
            self.stdout.write(line)
            for problem in outcome.problems:
                self.stderr.write(_("  problem: %(message)s") % {"message": problem["message"]})

        with PubMedClient.from_settings() as client:
            try:
                run = sync.run_sync(run=run, client=client, on_trial=report)
            except PubMedError as exc:
                self.stdout.write(sync.describe(run))
                raise CommandError(
                    _("Publication sync failed (the next run resumes here): %(error)s")
                    % {"error": exc}
                ) from exc
        for problem in run.problems:
            if not problem.get("nct_id"):
                self.stderr.write(_("Problem: %(message)s") % {"message": problem["message"]})
        self.stdout.write(sync.describe(run))
