"""manage.py import_brochure PATH --locale zh-hans [--parent SLUG] [--publish]."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from wagtail.models import Page

from handbook import actions
from handbook.brochure import BrochureError, TrialRef, parse_brochure
from handbook.models import HandbookPage


class Command(BaseCommand):
    help = _(
        "Turn a text file extracted from a PDF brochure into a handbook page. Importing the same "
        "brochure again adds a new revision to the same page."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("the brochure's text file (UTF-8)"))
        parser.add_argument(
            "--locale", default="zh-hans", help=_("language of the brochure, e.g. zh-hans or en")
        )
        parser.add_argument(
            "--parent", help=_("slug of the page to put it under (default: its section)")
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help=_("publish at once (only for a brochure that was already approved, e.g. printed)"),
        )

    def handle(self, path, locale, parent, publish, **options):
        file_path = Path(path)
        if not file_path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        try:
            brochure = parse_brochure(file_path.read_bytes(), source_name=file_path.name)
        except BrochureError as exc:
            raise CommandError(f"{file_path.name}: {exc}") from exc
        parent_page = None
        if parent:
            try:
                parent_page = _find_parent(parent, actions.get_locale(locale))
            except actions.HandbookError as exc:
                raise CommandError(str(exc)) from exc
        try:
            result = actions.import_brochure(
                brochure=brochure,
                locale_code=locale,
                parent=parent_page,
                publish=publish,
                source_name=file_path.name,
            )
        except actions.HandbookError as exc:
            raise CommandError(str(exc)) from exc

        for repair in brochure.repairs:
            self.stdout.write(_("Repaired: %(repair)s") % {"repair": repair})
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(_("Warning: %(warning)s") % {"warning": warning}))
        counts = {
            "blocks": len(brochure.blocks),
            "trials": sum(1 for b in brochure.blocks if isinstance(b, TrialRef)),
        }
        verb = _("Created") if result.created else _("Updated")
        state = _("published") if result.published else _("draft revision, waiting for approval")
        self.stdout.write(
            _(
                "%(verb)s page “%(title)s” (%(url)s): %(blocks)d blocks, %(trials)d trial cards; %(state)s."
            )
            % {
                "verb": verb,
                "title": result.page.title,
                "url": result.page.get_url() or result.page.url_path,
                "state": state,
                **counts,
            }
        )
        if result.organisation_filled:
            self.stdout.write(
                _("Organisation settings filled: %(fields)s")
                % {"fields": ", ".join(result.organisation_filled)}
            )


def _find_parent(slug, locale):
    pages = Page.objects.filter(slug=slug)
    if locale is not None:
        pages = pages.filter(locale=locale)
    page = pages.first()
    if page is None:
        raise CommandError(_("No page with slug %(slug)s.") % {"slug": slug})
    if page.specific_class is HandbookPage:
        raise CommandError(
            _("%(slug)s is a handbook page; choose a section as the parent.") % {"slug": slug}
        )
    return page.specific
