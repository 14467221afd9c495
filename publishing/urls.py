from django.urls import path

from publishing.views import pdf as pdf_views

app_name = "publishing"

urlpatterns: list = [
    path("pdf/page-<int:page_id>.pdf", pdf_views.page_pdf, name="page_pdf"),
    path("pdf/handbook.pdf", pdf_views.handbook_pdf, name="handbook_pdf"),
]
