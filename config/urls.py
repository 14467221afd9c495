"""The site's URLs. The Django admin (/django-admin/) is a second login surface that editors do
not need, so it is mounted only when DJANGO_ADMIN_ENABLED is set (ADR 0016)."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config.views import root_redirect
from operations.views import healthz
from publishing.views.language import choose_language
from publishing.views.search import search_view

urlpatterns = [
    path("", root_redirect, name="root"),
    path("healthz", healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/choose/", choose_language, name="choose_language"),
]

if settings.DJANGO_ADMIN_ENABLED:
    urlpatterns.append(path("django-admin/", admin.site.urls))

urlpatterns += i18n_patterns(
    path("finder/", include("finder.urls")),
    path("join/", include("membership.urls")),
    path("publishing/", include("publishing.urls")),
    path("search/", search_view, name="search"),
    prefix_default_language=True,
)

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += i18n_patterns(
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)
