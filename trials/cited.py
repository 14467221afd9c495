"""The trials other apps cite, without trials importing them (ADR 0013).

`settings.TRIALS_CITED_ID_PROVIDERS` names functions (dotted paths) that return NCT numbers;
`sync_trials` fetches all of them. The handbook registers its own there. A provider that is
missing or cannot be imported stops the sync with its name: quietly syncing fewer trials
would leave cards showing stale facts with nobody told.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _


def cited_id_providers() -> list:
    """The configured provider functions, imported; ImproperlyConfigured names a bad one."""
    try:
        paths = settings.TRIALS_CITED_ID_PROVIDERS
    except AttributeError:
        raise ImproperlyConfigured(
            _(
                "TRIALS_CITED_ID_PROVIDERS is not set: list the functions that return cited "
                "NCT numbers (or an empty list)."
            )
        ) from None
    providers = []
    for path in paths:
        try:
            provider = import_string(path)
        except ImportError as exc:
            raise ImproperlyConfigured(
                _("TRIALS_CITED_ID_PROVIDERS: cannot import %(path)s (%(error)s).")
                % {"path": path, "error": exc}
            ) from exc
        if not callable(provider):
            raise ImproperlyConfigured(
                _("TRIALS_CITED_ID_PROVIDERS: %(path)s is not a function.") % {"path": path}
            )
        providers.append(provider)
    return providers


def cited_nct_ids() -> set[str]:
    """Every NCT number some provider cites, upper-cased."""
    return {nct_id.strip().upper() for provider in cited_id_providers() for nct_id in provider()}
