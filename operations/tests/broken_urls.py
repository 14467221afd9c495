from django.urls import path


def broken(request):
    raise RuntimeError("broken page")


urlpatterns = [path("broken/", broken)]
