"""manage.py restore FOLDER: put a backup back into the configured database and folders."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from operations.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = _(
        "Restore a folder written by manage.py backup into the database of DATABASE_URL and the "
        "media and proof folders. Refuses a database that is not empty unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help=_("the backup-… folder to restore"))
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("replace the contents of a database that is not empty"),
        )

    def handle(self, *args, folder, force, **options):
        try:
            restored = restore_backup(Path(folder), force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Restored the backup of %(when)s.") % {"when": restored.manifest["created_at"]}
        )
        if restored.pending_migrations:
            self.stdout.write(
                _("%(count)d migrations are newer than the backup: run manage.py migrate.")
                % {"count": len(restored.pending_migrations)}
            )
        self.stdout.write(
            _("Put the encryption keys (MEMBERSHIP_ENCRYPTION_KEYS) back in the environment.")
        )
