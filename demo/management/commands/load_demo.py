"""manage.py load_demo: the demo handbook, its trial records and an admin account; safe to repeat."""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import Locale

from freshness.actions import ensure_review_workflow
from handbook import actions
from handbook.models import HandbookIndexPage
from publishing.translation.actions import load_catalogue, translate_page_from_catalogue

DEMO_DIR = Path(settings.BASE_DIR) / "demo" / "data"
TRIAL_PATHS = [
    DEMO_DIR / "trials" / "seed-trials" / "2018-05-29",
    DEMO_DIR / "trials" / "seed-trials" / "2020-07-28",
    DEMO_DIR / "trials" / "ssc-trials" / "2020-07-28",
    DEMO_DIR / "trials" / "ssc-trials" / "2023-02-03",
]
BROCHURES = [DEMO_DIR / "brochures" / "mesenchymal-stem-cells.zh-hans.txt"]
TRANSLATIONS = {"en": DEMO_DIR / "translations" / "en.po"}
SOURCE_LOCALE = "zh-hans"
ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = _("Load the demo handbook (the MSC page and its trials) and create the admin account.")

    def handle(self, **options):
        for code in ("zh-hans", "en"):
            Locale.objects.get_or_create(language_code=code)
        actions.ensure_handbook_root(locale_code="zh-hans", title=_("Scleroderma handbook"))
        self.stdout.write(_("Importing trial records (oldest snapshot first)…"))
        call_command(
            "import_trials",
            *[str(path) for path in TRIAL_PATHS],
            verbosity=0,
            stdout=self.stdout,
            stderr=self.stderr,
        )
        for brochure in BROCHURES:
            call_command(
                "import_brochure",
                str(brochure),
                locale="zh-hans",
                publish=True,
                stdout=self.stdout,
                stderr=self.stderr,
            )
        for locale_code, catalogue_path in TRANSLATIONS.items():
            self._translate(locale_code, load_catalogue(catalogue_path))
        workflow = ensure_review_workflow()
        self.stdout.write(
            _("Accepted suggestions go through the workflow “%(workflow)s” before publishing.")
            % {"workflow": workflow.name}
        )
        self._ensure_admin()

    def _translate(self, locale_code, catalogue):
        """Translate every demo page whose title the catalogue knows, parents first."""
        index = HandbookIndexPage.objects.get(locale__language_code=SOURCE_LOCALE)
        pages = index.get_descendants(inclusive=True).specific().order_by("path")
        for page in pages:
            if page.title not in catalogue:
                continue
            result = translate_page_from_catalogue(
                page=page, locale_code=locale_code, catalogue=catalogue
            )
            if result.published:
                self.stdout.write(
                    _("Translation “%(title)s” (%(url)s) published.")
                    % {"title": result.page.title, "url": result.page.url}
                )
            for text in result.untranslated:
                self.stdout.write(
                    self.style.WARNING(
                        _("“%(title)s”: no %(locale)s translation for “%(text)s”.")
                        % {"title": page.title, "locale": locale_code, "text": text[:60]}
                    )
                )

    @transaction.atomic
    def _ensure_admin(self):
        User = get_user_model()
        wanted = os.environ.get("DEMO_ADMIN_PASSWORD", "")
        user = User.objects.filter(username=ADMIN_USERNAME).first()
        if user is not None:
            if wanted:
                user.set_password(wanted)
                user.save(update_fields=["password"])
                self.stdout.write(
                    _("Admin account “admin”: password set from DEMO_ADMIN_PASSWORD.")
                )
            else:
                self.stdout.write(
                    _("Admin account “admin” already exists; its password is unchanged.")
                )
            return
        password = wanted or secrets.token_urlsafe(12)
        User.objects.create_superuser(ADMIN_USERNAME, email="", password=password)
        if wanted:
            self.stdout.write(
                _("Admin account “admin” created with the password from DEMO_ADMIN_PASSWORD.")
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "Admin account “admin” created. Password (shown only this once): %(password)s"
                    )
                    % {"password": password}
                )
            )
