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

from handbook import actions

DEMO_DIR = Path(settings.BASE_DIR) / "demo" / "data"
TRIAL_PATHS = [
    DEMO_DIR / "trials" / "seed-trials" / "2018-05-29",
    DEMO_DIR / "trials" / "seed-trials" / "2020-07-28",
    DEMO_DIR / "trials" / "ssc-trials" / "2020-07-28",
    DEMO_DIR / "trials" / "ssc-trials" / "2023-02-03",
]
BROCHURES = [DEMO_DIR / "brochures" / "mesenchymal-stem-cells.zh-hans.txt"]
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
        self._ensure_admin()

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
