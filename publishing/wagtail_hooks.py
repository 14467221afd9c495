from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin import widgets as wagtailadmin_widgets

from handbook.models import HandbookPage
from publishing import admin_views


@hooks.register("register_admin_urls")
def register_publishing_urls():
    return [
        path(
            "publishing/wechat/<int:page_id>/",
            admin_views.wechat_export,
            name="publishing_wechat_export",
        ),
    ]


def _wechat_button(page, user, priority):
    if not issubclass(page.specific_class or type(page), HandbookPage):
        return None
    if not page.permissions_for_user(user).can_edit():
        return None
    return wagtailadmin_widgets.Button(
        _("Export WeChat article"),
        reverse("publishing_wechat_export", args=[page.pk]),
        icon_name="doc-full",
        priority=priority,
    )


@hooks.register("register_page_header_buttons")
def wechat_header_button(page, user, view_name, next_url=None):
    button = _wechat_button(page, user, priority=90)
    if button:
        yield button


@hooks.register("register_page_listing_more_buttons")
def wechat_listing_button(page, user, next_url=None):
    button = _wechat_button(page, user, priority=70)
    if button:
        yield button
