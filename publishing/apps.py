from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = _("Publishing")

    def ready(self):
        from publishing import pdf_signals

        pdf_signals.connect()

        from publishing import page_cache
        from publishing.translation import admin  # noqa: F401 (admin hooks)

        page_cache.connect_signals()
