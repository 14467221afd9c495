from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinderConfig(AppConfig):
    name = "finder"
    verbose_name = _("Trial finder")

    def ready(self):
        from finder.signals import reindex_stored_trials
        from trials.signals import trials_stored

        trials_stored.connect(reindex_stored_trials, dispatch_uid="finder.reindex_stored_trials")
