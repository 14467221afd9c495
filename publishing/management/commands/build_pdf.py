"""manage.py build_pdf [--page SLUG] [--locale zh-hans|en|zh-hant] OUT.pdf: print the handbook
(or one page) as an A5 booklet. zh-hant is the Simplified booklet converted automatically."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from publishing import pdf


class Command(BaseCommand):
    help = _("Print the live handbook, or one page of it, as an A5 PDF booklet.")

    def add_arguments(self, parser):
        parser.add_argument("out", metavar="OUT.pdf", help=_("Where to write the PDF."))
        parser.add_argument("--page", metavar="SLUG", help=_("Only this page (its slug)."))
        parser.add_argument(
            "--locale",
            default=settings.LANGUAGE_CODE,
            help=_("Language of the booklet: %(codes)s.")
            % {
                "codes": ", ".join([*(code for code, _name in settings.LANGUAGES), pdf.TRADITIONAL])
            },
        )

    def handle(self, *args, out, page, locale, **options):
        target = Path(out)
        if not target.parent.is_dir():
            raise CommandError(
                _("The folder %(folder)s does not exist.") % {"folder": target.parent}
            )
        started = time.monotonic()
        traditional = locale == pdf.TRADITIONAL
        if traditional:
            locale = pdf.SIMPLIFIED
        try:
            handbook_page = pdf.find_page(page, locale) if page else None
            booklet = pdf.collect(
                page=handbook_page,
                locale_code=locale,
                today=timezone.localdate(),
                traditional=traditional,
            )
        except pdf.BookletError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Collected %(pages)d page(s) citing %(trials)d trial(s).")
            % {"pages": len(booklet.pages), "trials": len(booklet.nct_ids)}
        )
        self.stdout.write(_("Laying out the booklet with WeasyPrint…"))
        document = pdf.render_document(pdf.render_html(booklet))
        content = document.write_pdf()
        try:
            target.write_bytes(content)
        except OSError as exc:
            raise CommandError(
                _("Could not write %(path)s: %(error)s") % {"path": target, "error": exc.strerror}
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("Wrote %(path)s: %(count)d A5 pages, %(size)d KB, in %(seconds).1f s.")
                % {
                    "path": target,
                    "count": len(document.pages),
                    "size": round(len(content) / 1024),
                    "seconds": time.monotonic() - started,
                }
            )
        )
