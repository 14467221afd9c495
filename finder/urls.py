from django.urls import path

from finder import views

app_name = "finder"

urlpatterns = [
    path("", views.form, name="form"),
    path("results/", views.results, name="results"),
]
