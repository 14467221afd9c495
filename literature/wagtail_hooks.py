from wagtail import hooks

from literature.views import LiteratureViewSetGroup


@hooks.register("register_admin_viewset")
def register_literature_viewsets():
    return LiteratureViewSetGroup()
