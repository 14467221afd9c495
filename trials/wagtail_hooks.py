from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from trials import admin_views


@hooks.register("register_admin_urls")
def register_trial_urls():
    return [
        path("trials/", admin_views.trial_index, name="trials_index"),
        path("trials/rejected/", admin_views.rejected_records, name="trials_rejections"),
        path("trials/<str:nct_id>/", admin_views.trial_history, name="trials_history"),
    ]


@hooks.register("register_admin_menu_item")
def register_trials_menu_item():
    return MenuItem(_("Trials"), reverse("trials_index"), icon_name="doc-full", order=300)


@hooks.register("register_admin_menu_item")
def register_rejections_menu_item():
    return MenuItem(
        _("Rejected records"), reverse("trials_rejections"), icon_name="warning", order=305
    )
