from django.urls import path

app_name = "publishing"

urlpatterns: list = []
