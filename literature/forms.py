"""Admin forms: an editor links a paper to a trial by NCT number and PMID, with a note."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from core.identifiers import is_nct_id, normalise_nct_id
from literature import actions
from literature.models import Provenance, Publication, TrialPublication
from literature.sources.pubmed import PMID


class EditorLinkForm(WagtailAdminModelForm):
    """Add a link on an editor's word. The PMID is typed, not chosen from a list: the paper
    need not be stored yet, and the next sync reads its record from PubMed."""

    pmid = forms.CharField(
        label=_("PMID"),
        max_length=12,
        help_text=_("The PubMed ID of the paper, e.g. 29768149."),
    )

    class Meta:
        model = TrialPublication
        fields = ["nct_id", "note"]
        help_texts = {
            "nct_id": _("The trial's NCT number; its registry record need not be stored yet.")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].required = True
        self.order_fields(["nct_id", "pmid", "note"])

    def clean_nct_id(self):
        value = normalise_nct_id(self.cleaned_data["nct_id"])
        if not is_nct_id(value):
            raise forms.ValidationError(
                _("An NCT number is NCT followed by 8 digits, e.g. NCT02149199.")
            )
        return value

    def clean_pmid(self):
        value = self.cleaned_data["pmid"].strip()
        if not PMID.match(value):
            raise forms.ValidationError(_("A PMID is a number of up to 9 digits."))
        return value

    def clean(self):
        cleaned = super().clean()
        nct_id, pmid = cleaned.get("nct_id"), cleaned.get("pmid")
        if nct_id and pmid:
            exists = TrialPublication.objects.filter(
                nct_id=nct_id, publication__pmid=pmid, provenance=Provenance.EDITOR
            ).exists()
            if exists:
                raise forms.ValidationError(
                    _("An editor has already linked PMID %(pmid)s to %(nct_id)s.")
                    % {"pmid": pmid, "nct_id": nct_id}
                )
        return cleaned

    def save(self, commit=True):
        self.instance = actions.add_editor_link(
            nct_id=self.cleaned_data["nct_id"],
            pmid=self.cleaned_data["pmid"],
            note=self.cleaned_data["note"],
            user=self.for_user,
        )
        return self.instance


class LinkNoteForm(WagtailAdminModelForm):
    """Editing a link changes only its note: where a link came from is a fact, not an opinion."""

    class Meta:
        model = TrialPublication
        fields = ["note"]


class PublicationForm(WagtailAdminModelForm):
    """A paper is added by PMID only; everything else comes from PubMed at the next sync."""

    class Meta:
        model = Publication
        fields = ["pmid"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["pmid"].disabled = True
