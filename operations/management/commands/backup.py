"""manage.py backup: one consistent, timestamped backup folder of the database and files."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from operations.backup import BackupError, create_backup


class Command(BaseCommand):
    help = _(
        "Back up the database (SQLite online backup or pg_dump), the media folder and the "
        "encrypted proofs into one timestamped folder with a manifest. The encryption keys are "
        "not included."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=str(Path(settings.BASE_DIR) / "var" / "backups"),
            help=_("folder that receives the backup folder (default var/backups)"),
        )

    def handle(self, *args, output, **options):
        try:
            folder = create_backup(Path(output))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("Backup written to %(folder)s") % {"folder": folder})
        self.stdout.write(
            _(
                "The encryption keys (MEMBERSHIP_ENCRYPTION_KEYS) are NOT in the backup: "
                "keep a copy of them off the server, or the proofs cannot be read after a restore."
            )
        )
