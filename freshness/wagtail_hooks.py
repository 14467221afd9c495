"""The review queue in the Wagtail admin: its URLs and a menu item with the open count."""

from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from freshness.views import findings, pages, queue, statements


@hooks.register("register_admin_urls")
def register_review_urls():
    return [
        path("freshness/", queue.review_queue, name="freshness_queue"),
        path("freshness/findings/<int:pk>/accept/", findings.accept, name="freshness_accept"),
        path(
            "freshness/findings/<int:pk>/edit/",
            findings.edit_and_accept,
            name="freshness_edit_accept",
        ),
        path("freshness/findings/<int:pk>/dismiss/", findings.dismiss, name="freshness_dismiss"),
        path(
            "freshness/pages/<int:page_id>/",
            statements.page_statements,
            name="freshness_page_statements",
        ),
        path(
            "freshness/pages/<int:page_id>/notice/",
            pages.page_notice,
            name="freshness_page_notice",
        ),
        path(
            "freshness/pages/<int:page_id>/add/",
            statements.add,
            name="freshness_statement_add",
        ),
        path(
            "freshness/statements/<int:pk>/confirm/",
            statements.confirm,
            name="freshness_statement_confirm",
        ),
        path(
            "freshness/statements/<int:pk>/correct/",
            statements.correct,
            name="freshness_statement_correct",
        ),
        path(
            "freshness/statements/<int:pk>/delete/",
            statements.delete,
            name="freshness_statement_delete",
        ),
        path(
            "freshness/statements/<int:pk>/restore/",
            statements.restore,
            name="freshness_statement_restore",
        ),
    ]


class ReviewMenuItem(MenuItem):
    """Shows how many findings wait for an editor, counted on every page view."""

    def render_component(self, request):
        from freshness.models import Finding

        component = super().render_component(request)
        count = Finding.objects.open().count()
        if count:
            component.label = gettext("%(label)s (%(count)d)") % {
                "label": self.label,
                "count": count,
            }
        return component


@hooks.register("register_admin_menu_item")
def register_review_menu_item():
    return ReviewMenuItem(
        _("Trial fact check"),
        reverse("freshness_queue"),
        name="freshness",
        icon_name="warning",
        order=305,
    )
