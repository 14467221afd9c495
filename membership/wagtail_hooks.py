from django.contrib.auth.models import Permission
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from membership import admin_views


class ReviewerMenuItem(MenuItem):
    """Shown only to reviewers: editors should not even learn that applications are there."""

    def is_shown(self, request):
        return admin_views.can_review(request.user)


@hooks.register("register_admin_urls")
def register_membership_urls():
    return [
        path("membership/", admin_views.queue, name="membership_queue"),
        path("membership/audit/", admin_views.audit_log, name="membership_audit"),
        path("membership/<int:number>/", admin_views.detail, name="membership_detail"),
        path("membership/<int:number>/proof/", admin_views.proof, name="membership_proof"),
    ]


@hooks.register("register_admin_menu_item")
def register_membership_menu_item():
    return ReviewerMenuItem(
        _("Group applications"), reverse("membership_queue"), icon_name="group", order=350
    )


@hooks.register("register_permissions")
def register_review_permission():
    return Permission.objects.filter(
        content_type__app_label="membership", codename="review_application"
    )
