"""Admin screens for publications and trial–publication links (Wagtail model viewsets)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from literature.forms import EditorLinkForm, LinkNoteForm, PublicationForm
from literature.models import Publication, TrialPublication


class TrialPublicationViewSet(ModelViewSet):
    model = TrialPublication
    name = "literature_links"
    url_prefix = "literature/links"
    icon = "link"
    menu_label = _("Trial publications")
    list_display = ["nct_id", "publication", "provenance", "note", "created_at"]
    list_filter = ["provenance"]
    search_fields = ["nct_id", "publication__pmid", "publication__title"]
    search_backend_name = None
    copy_view_enabled = False
    inspect_view_enabled = True

    def get_form_class(self, for_update=False):
        return LinkNoteForm if for_update else EditorLinkForm


class PublicationViewSet(ModelViewSet):
    model = Publication
    name = "literature_publications"
    url_prefix = "literature/publications"
    icon = "doc-full"
    menu_label = _("Publications")
    list_display = ["pmid", "title", "journal_abbreviation", "year", "is_retracted", "fetched_at"]
    list_filter = ["is_retracted"]
    search_fields = ["pmid", "title", "doi"]
    search_backend_name = None
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields_exclude = ["raw_xml", "content_hash"]

    def get_form_class(self, for_update=False):
        return PublicationForm


class LiteratureViewSetGroup(ModelViewSetGroup):
    menu_label = _("Publications")
    menu_icon = "doc-full-inverse"
    menu_order = 320
    items = (TrialPublicationViewSet, PublicationViewSet)
