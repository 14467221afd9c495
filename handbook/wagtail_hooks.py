from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from handbook import admin_runs


@hooks.register("register_admin_urls")
def register_recorded_runs_url():
    return [path("runs/", admin_runs.recorded_runs, name="recorded_runs")]


@hooks.register("register_admin_menu_item")
def register_recorded_runs_menu_item():
    return MenuItem(_("Recorded runs"), reverse("recorded_runs"), icon_name="history", order=310)
