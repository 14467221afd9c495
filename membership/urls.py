from django.urls import path

from membership import views

app_name = "membership"

urlpatterns = [
    path("", views.apply, name="apply"),
    path("receipt/", views.receipt, name="receipt"),
    path("status/", views.status, name="status"),
    path("status/reply/", views.respond, name="respond"),
    path("withdraw/", views.withdraw, name="withdraw"),
    path("privacy/", views.privacy, name="privacy"),
]
