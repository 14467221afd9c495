from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running the site: backup and restore, the health check, error reports (ADR 0017).

    It sits just below `config` because the health check reads the runs and tasks of every app.
    """

    name = "operations"
    verbose_name = _("Operations")
