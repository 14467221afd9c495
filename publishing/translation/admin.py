"""Admin marks for out-of-date translations (imported by PublishingConfig.ready).

Editors see them in three places: a dashboard panel listing every out-of-date translation,
and an "out of date" entry in the page listing's and page header's action menus of both the
translated page and its original, leading to wagtail-localize's sync screen.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.widgets import ListingButton
from wagtail_localize.models import Translation

from publishing.translation.state import out_of_date_translations, translation_state


def _sync_url(source_id: int) -> str:
    return reverse("wagtail_localize:update_translations", args=[source_id])


def _page_states(page):
    """Out-of-date states where `page` is the translation or the original."""
    state = translation_state(page)
    if state is not None:
        return [state] if state.out_of_date else []
    has_translations = Translation.objects.filter(
        source__object_id=page.translation_key, source__locale_id=page.locale_id, enabled=True
    ).exists()
    if not has_translations:
        return []
    return [s for s in out_of_date_translations() if s.source_page.pk == page.pk]


def translation_buttons(page, user, view_name=None, next_url=None):
    if not user.has_perm("wagtail_localize.submit_translation"):
        return
    for state in _page_states(page):
        label = (
            _("Translation out of date: update it")
            if state.page.pk == page.pk
            else _("%(language)s translation out of date: update it")
            % {"language": state.page.locale.get_display_name()}
        )
        yield ListingButton(label, _sync_url(state.source_id), priority=5, icon_name="warning")


hooks.register("register_page_listing_more_buttons", translation_buttons)
hooks.register("register_page_header_buttons", translation_buttons)


class OutOfDateTranslationsPanel(Component):
    name = "out_of_date_translations"
    template_name = "publishing/admin/out_of_date_translations.html"
    order = 90

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        rows = [
            {"state": state, "sync_url": _sync_url(state.source_id)}
            for state in out_of_date_translations()
        ]
        context.update({"rows": rows, "request": parent_context.get("request")})
        return context


@hooks.register("construct_homepage_panels")
def add_out_of_date_panel(request, panels):
    if request.user.has_perm("wagtail_localize.submit_translation"):
        panels.append(OutOfDateTranslationsPanel())
