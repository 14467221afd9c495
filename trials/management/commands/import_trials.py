"""manage.py import_trials PATH…: load ClinicalTrials.gov records from files into the database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from trials import actions, bulk
from trials.models import SyncRun
from trials.progress import Progress
from trials.records import FORMAT_API_V2, RecordError
from trials.sources.api_v2 import parse_study
from trials.sources.files import count_sources, iter_legacy_sources
from trials.sources.legacy_xml import parse_clinical_study

SMALL_ARCHIVE = 1000  # fewer studies than this are parsed in this process: no worker start-up


class Command(BaseCommand):
    help = _(
        "Import ClinicalTrials.gov records from legacy clinical_study XML files, folders of them, "
        "a .jsonl.gz bulk file, or the registry's bulk ctg-studies.json.zip (batched, resumable). "
        "Importing the same document twice adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="+",
            help=_(
                "XML files, folders, .jsonl.gz files, or the registry's bulk ctg-studies.json.zip"
            ),
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help=_(
                "processes that parse a zip archive while this one writes (default: one per core)"
            ),
        )
        parser.add_argument(
            "--restart",
            action="store_true",
            help=_("read a zip archive from the start even if an import of it was interrupted"),
        )
        parser.add_argument(
            "--per-document",
            action="store_true",
            help=_("store a zip archive one document at a time (slower; the result is the same)"),
        )

    def handle(self, *args, **options):
        paths = options["paths"]
        verbosity = options["verbosity"]
        missing = [path for path in paths if not Path(path).exists()]
        if missing:
            raise CommandError(
                _("No such file or folder: %(paths)s") % {"paths": ", ".join(missing)}
            )
        if not options["per_document"] and all(
            str(path).lower().endswith(".zip") and Path(path).is_file() for path in paths
        ):
            for path in paths:
                self.import_archive(path, options)
            return
        bulk = any(str(path).lower().endswith((".zip", ".jsonl.gz", ".jsonl")) for path in paths)
        run = actions.start_run(
            kind=SyncRun.Kind.BULK if bulk else SyncRun.Kind.FILES,
            parameters={"paths": list(paths)},
        )
        progress = (
            Progress(self.stderr._out, total=count_sources(list(paths))) if verbosity >= 1 else None
        )

        def items():
            for source in iter_legacy_sources(list(paths)):
                if source.problem:
                    yield actions.SourceItem(
                        name=source.name,
                        parse=_raiser(source.problem),
                        raw=source.raw,
                        nct_id_hint=source.expected_nct_id or "",
                    )
                    continue
                yield actions.SourceItem(
                    name=source.name,
                    parse=_parser(source),
                    raw=source.raw,
                    nct_id_hint=source.expected_nct_id or "",
                )

        run = actions.import_documents(
            run=run, items=items(), on_outcome=self.reporter(progress, verbosity)
        )
        self.finish(run, progress, paths)

    def import_archive(self, path, options):
        """The registry's bulk zip: batched, parsed in parallel, resumed where it stopped."""
        run, resumed = bulk.start_or_resume(path=path, restart=options["restart"])
        if resumed:
            self.stdout.write(
                _("Resuming unfinished import %(key)s after %(count)d archive entries.")
                % {"key": run.key, "count": run.cursor.get("members", 0)}
            )
        total = bulk.remaining(run=run, path=path)
        workers = options["workers"]
        if workers is None:
            workers = bulk.default_workers() if total >= SMALL_ARCHIVE else 0
        progress = Progress(self.stderr._out, total=total) if options["verbosity"] >= 1 else None
        stats = {}
        run = bulk.import_archive(
            run=run,
            path=path,
            workers=workers,
            on_outcome=self.reporter(progress, options["verbosity"]),
            stats=stats,
        )
        if options["verbosity"] >= 1:
            self.stdout.write(
                _(
                    "%(batched)d stored in batches, %(single)d one by one; %(workers)d parser "
                    "processes; %(waiting).0f s waiting for parsed studies, %(writing).0f s writing."
                )
                % {
                    "batched": stats["batched"],
                    "single": stats["per_document"],
                    "workers": workers,
                    "waiting": stats["waiting_seconds"],
                    "writing": stats["writing_seconds"],
                }
            )
        self.finish(run, progress, [path])

    def reporter(self, progress, verbosity):
        def report(outcome):
            if progress:
                progress.advance()
            if outcome.status == actions.REJECTED:
                self.stderr.write(
                    _("Rejected %(source)s: %(reason)s")
                    % {"source": outcome.source, "reason": outcome.reason}
                )
            elif verbosity >= 1 and outcome.status == actions.CHANGED:
                fields = ", ".join(change.field for change in outcome.changes)
                self.stdout.write(
                    _("Changed %(nct_id)s: %(fields)s")
                    % {"nct_id": outcome.nct_id, "fields": fields}
                )
            elif verbosity >= 2:
                self.stdout.write(f"{outcome.status}: {outcome.nct_id} ({outcome.source})")

        return report

    def finish(self, run, progress, paths):
        if progress and run.seen >= 1000:
            progress.finish()
        self.stdout.write(bulk.describe(run))
        if run.seen == 0:
            raise CommandError(_("No documents found in %(paths)s.") % {"paths": ", ".join(paths)})
        if run.rejected == run.seen:
            raise CommandError(
                _("None of the %(count)d documents could be read.") % {"count": run.seen}
            )


def _parser(source):
    if source.format == FORMAT_API_V2:

        def parse():
            return parse_study(
                source.raw,
                source=source.name,
                expected_nct_id=source.expected_nct_id,
                snapshot_date=source.snapshot_date,
            )

        return parse

    def parse():
        return parse_clinical_study(
            source.raw, source=source.name, expected_nct_id=source.expected_nct_id
        )

    return parse


def _raiser(problem):
    def parse():
        raise RecordError(problem)

    return parse
