from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Only `load_demo` and its data: no models. It sits above every domain app because the
    demo assembles them all (handbook pages, trials, the review workflow, translations)."""

    name = "demo"
    verbose_name = _("Demo")
