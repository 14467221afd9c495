from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FreshnessConfig(AppConfig):
    name = "freshness"
    verbose_name = _("Freshness checks")

    def ready(self):
        from django.db.models.signals import post_save
        from wagtail.models import Revision
        from wagtail.signals import page_published

        from freshness import signals
        from trials.signals import trials_stored

        post_save.connect(signals.revision_saved, sender=Revision, dispatch_uid="freshness-rev")
        page_published.connect(signals.page_published, dispatch_uid="freshness-publish")
        trials_stored.connect(signals.trials_stored, dispatch_uid="freshness-trials")
