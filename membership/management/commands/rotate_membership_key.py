"""manage.py rotate_membership_key: re-encrypt every proof and record with the newest key.

Rotation: put a new key first in MEMBERSHIP_ENCRYPTION_KEYS (keep the old one after it),
restart, run this command, then remove the old key. Safe to run again if interrupted: anything
already re-encrypted is simply re-encrypted once more.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from membership import actions, crypto


class Command(BaseCommand):
    help = _(
        "Re-encrypt all group applications and proofs with the first key in "
        "MEMBERSHIP_ENCRYPTION_KEYS."
    )

    def handle(self, *args, **options):
        if crypto.using_development_key():
            raise CommandError(
                _("MEMBERSHIP_ENCRYPTION_KEYS is not set; there is no key to rotate to.")
            )

        def progress(done, total):
            if done == total or done % 50 == 0:
                self.stdout.write(
                    _("re-encrypted %(done)d of %(total)d") % {"done": done, "total": total}
                )

        try:
            count = actions.rotate_keys(on_progress=progress)
        except crypto.InvalidToken as exc:
            raise CommandError(
                _(
                    "An application could not be decrypted with any key in "
                    "MEMBERSHIP_ENCRYPTION_KEYS. Put back the old key (after the new one) and "
                    "run the command again."
                )
            ) from exc
        self.stdout.write(
            _(
                "Re-encrypted %(count)d applications with the first key. The old key can now be removed."
            )
            % {"count": count}
        )
