"""System checks: the private store must not be served, and real data needs a real key."""

import stat
from pathlib import Path

from django.conf import settings
from django.core import checks

from membership import crypto


def _inside(path: Path, parent) -> bool:
    if not parent:
        return False
    try:
        path.resolve().relative_to(Path(parent).resolve())
    except ValueError:
        return False
    return True


def check_storage_dir(app_configs=None, **kwargs):
    directory = Path(settings.MEMBERSHIP_STORAGE_DIR)
    errors = []
    served = [settings.MEDIA_ROOT, settings.STATIC_ROOT, *getattr(settings, "STATICFILES_DIRS", [])]
    for parent in served:
        if _inside(directory, parent) or _inside(Path(parent), directory):
            errors.append(
                checks.Error(
                    f"MEMBERSHIP_STORAGE_DIR ({directory}) overlaps {parent}, which the web "
                    "server publishes; proofs of diagnosis must be stored elsewhere.",
                    id="membership.E001",
                )
            )
    return errors


def check_storage_permissions(app_configs=None, **kwargs):
    directory = Path(settings.MEMBERSHIP_STORAGE_DIR)
    if directory.is_dir() and stat.S_IMODE(directory.stat().st_mode) & 0o077:
        return [
            checks.Warning(
                f"MEMBERSHIP_STORAGE_DIR ({directory}) can be read by other users; "
                f"run: chmod 700 {directory}",
                id="membership.W002",
            )
        ]
    return []


def check_development_key(app_configs=None, **kwargs):
    if crypto.using_development_key():
        return [
            checks.Warning(
                "MEMBERSHIP_ENCRYPTION_KEYS is not set: proofs are encrypted with a development "
                "key derived from DJANGO_SECRET_KEY. Never accept real applications like this.",
                id="membership.W001",
            )
        ]
    return []


def register():
    checks.register(check_storage_dir, "membership")
    checks.register(check_development_key, "membership")
    checks.register(check_storage_permissions, "membership", deploy=True)
