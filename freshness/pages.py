"""Which Wagtail pages freshness works on, named in settings instead of imported (ADR 0013).

Freshness sits below the handbook, so it cannot import the handbook's page types. The site
names them: `FRESHNESS_PAGE_MODELS` (pages whose statements about trials are checked) and
`FRESHNESS_REVIEW_ROOT_MODELS` (pages that get the medical review workflow). A missing or
misspelt setting stops with its name: checking no page at all would look like a clean report.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from wagtail.models import Page


def _page_models(setting: str) -> tuple[type[Page], ...]:
    labels = getattr(settings, setting, None)
    if not labels:
        raise ImproperlyConfigured(
            _('%(setting)s is not set: list the page models, e.g. ["handbook.HandbookPage"].')
            % {"setting": setting}
        )
    models = []
    for label in labels:
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError) as exc:
            raise ImproperlyConfigured(
                _("%(setting)s: no model %(label)s (%(error)s).")
                % {"setting": setting, "label": label, "error": exc}
            ) from exc
        if not issubclass(model, Page):
            raise ImproperlyConfigured(
                _("%(setting)s: %(label)s is not a Wagtail page model.")
                % {"setting": setting, "label": label}
            )
        models.append(model)
    return tuple(models)


def checked_page_models() -> tuple[type[Page], ...]:
    return _page_models("FRESHNESS_PAGE_MODELS")


def is_checked_page(page: Page) -> bool:
    return isinstance(page.specific, checked_page_models())


def checked_pages():
    """Every page whose statements are checked, as its own type, in tree order."""
    return Page.objects.type(*checked_page_models()).specific().order_by("path")


def review_roots():
    """The pages the medical review workflow is assigned to."""
    return Page.objects.type(*_page_models("FRESHNESS_REVIEW_ROOT_MODELS")).order_by("path")
