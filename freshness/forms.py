"""Forms of the review queue: edited wording, a dismissal's reason, and a claim's reading.

A claim's reading (`claimed`) is stored in the registry's vocabulary; `ClaimForm` asks for it
in plain words, one small group of fields per kind, and builds the same dictionary the
extraction builds, so checks treat an editor's statement exactly like an extracted one.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.countries import COUNTRIES
from core.identifiers import nct_validator
from freshness.checks import ALLOCATION_WORDS, MASKING_WORDS
from freshness.models import Kind
from trials.dates import DateParseError, PartialDate
from trials.labels import country_name
from trials.models import DateType, OverallStatus

ONGOING = "ONGOING"


PHASE_CHOICES = [
    ("EARLY_PHASE1", _("Early phase 1")),
    ("PHASE1", _("Phase 1")),
    ("PHASE2", _("Phase 2")),
    ("PHASE3", _("Phase 3")),
    ("PHASE4", _("Phase 4")),
    ("NA", _("Not applicable")),
]
SOURCE_CHOICES = [
    ("", _("Not said")),
    ("umbilical cord", _("Umbilical cord")),
    ("bone marrow", _("Bone marrow")),
    ("adipose", _("Fat (adipose tissue)")),
    ("placenta", _("Placenta")),
]
ORIGIN_CHOICES = [
    ("", _("Not said")),
    ("ALLOGENEIC", _("From a donor (allogeneic)")),
    ("AUTOLOGOUS", _("The patient's own (autologous)")),
]
DATE_TYPE_CHOICES = [("", _("Not said")), *DateType.choices]
ALLOCATION_CHOICES = [("", _("Not said"))] + [
    (key, f"{zh} ({en})") for key, (zh, en) in ALLOCATION_WORDS.items()
]
MASKING_CHOICES = [("", _("Not said"))] + [
    (key, f"{zh} ({en})") for key, (zh, en) in MASKING_WORDS.items()
]
RESULTS_CHOICES = [("no", _("No results yet")), ("yes", _("Results are available"))]

# Which fields belong to which kind (the template shows one group at a time).
KIND_FIELDS = {
    Kind.STATUS: ["status"],
    Kind.START_DATE: ["date", "date_type"],
    Kind.COMPLETION_DATE: ["date", "date_type"],
    Kind.RESULTS: ["results_posted"],
    Kind.ENROLLMENT: ["count", "enrollment_type"],
    Kind.PHASE: ["phases"],
    Kind.LOCATION: ["countries", "site_count"],
    Kind.DESIGN: ["allocation", "masking"],
    Kind.INTERVENTION: ["origin", "source", "intervention_name"],
    Kind.SPONSOR: ["sponsor_name"],
}


def _country_choices():
    countries = sorted({country.registry for country in COUNTRIES})
    return [(c, f"{country_name(c, 'zh-hans')} ({c})") for c in countries]


class AcceptEditForm(forms.Form):
    text = forms.CharField(
        label=_("New sentence"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the new sentence.")},
        help_text=_(
            "It replaces the whole sentence in a draft of the page; a medical reviewer approves "
            "it before it is published."
        ),
    )


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does this need no change?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please give a reason.")},
        help_text=_("Kept with the finding; it is not raised again until the record changes."),
    )


class ClaimForm(forms.Form):
    """What a claim says, in plain words; `claimed()` gives the registry-vocabulary dict."""

    kind = forms.ChoiceField(label=_("Kind of claim"), choices=Kind.choices)
    nct_id = forms.CharField(
        label=_("NCT number"),
        max_length=11,
        validators=[nct_validator],
        help_text=_("The trial the claim is about, e.g. NCT00962923."),
    )
    status = forms.ChoiceField(
        label=_("Status the text gives"),
        required=False,
        choices=[(ONGOING, _("Ongoing (recruiting or running; no exact status)"))]
        + list(OverallStatus.choices),
    )
    date = forms.CharField(
        label=_("Date the text gives"),
        required=False,
        help_text=_("Year, year-month or full date: 2022, 2022-01 or 2022-01-15."),
    )
    date_type = forms.ChoiceField(
        label=_("Planned or actual?"), required=False, choices=DATE_TYPE_CHOICES
    )
    results_posted = forms.ChoiceField(label=_("Results"), required=False, choices=RESULTS_CHOICES)
    count = forms.IntegerField(label=_("Number of participants"), required=False, min_value=1)
    enrollment_type = forms.ChoiceField(
        label=_("Planned or actual number?"), required=False, choices=DATE_TYPE_CHOICES
    )
    phases = forms.MultipleChoiceField(
        label=_("Phase"),
        required=False,
        choices=PHASE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    countries = forms.MultipleChoiceField(
        label=_("Countries"),
        required=False,
        choices=_country_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    site_count = forms.IntegerField(
        label=_("Number of sites"),
        required=False,
        min_value=1,
        help_text=_("Leave empty if the text does not say."),
    )
    allocation = forms.ChoiceField(
        label=_("Allocation"), required=False, choices=ALLOCATION_CHOICES
    )
    masking = forms.ChoiceField(label=_("Blinding"), required=False, choices=MASKING_CHOICES)
    origin = forms.ChoiceField(label=_("Whose cells"), required=False, choices=ORIGIN_CHOICES)
    source = forms.ChoiceField(label=_("Cell source"), required=False, choices=SOURCE_CHOICES)
    intervention_name = forms.CharField(
        label=_("Name of the intervention"),
        required=False,
        max_length=300,
        help_text=_("As the registry writes it (English), e.g. Mesenchymal stem cells."),
    )
    sponsor_name = forms.CharField(
        label=_("Sponsor"),
        required=False,
        max_length=300,
        help_text=_("As the registry writes it (English)."),
    )

    @classmethod
    def initial_for(cls, statement) -> dict:
        """Form values from a stored statement (the reverse of `claimed()`)."""
        claimed = dict(statement.claimed or {})
        initial = {"kind": statement.kind, "nct_id": statement.nct_id}
        if statement.kind == Kind.STATUS:
            initial["status"] = claimed.get("status") or ONGOING
        elif statement.kind == Kind.RESULTS:
            initial["results_posted"] = "yes" if claimed.get("results_posted") else "no"
        elif statement.kind in (Kind.INTERVENTION, Kind.SPONSOR):
            prefix = "intervention" if statement.kind == Kind.INTERVENTION else "sponsor"
            initial[f"{prefix}_name"] = claimed.pop("name", "")
            initial.update({k: v for k, v in claimed.items() if k in ("origin", "source")})
        else:
            for key in KIND_FIELDS.get(statement.kind, []):
                if claimed.get(key) is not None:
                    initial[key] = claimed[key]
        return initial

    def clean_nct_id(self):
        return self.cleaned_data["nct_id"].strip().upper()

    def clean_date(self):
        value = self.cleaned_data.get("date", "").strip()
        if not value:
            return ""
        try:
            return PartialDate.from_iso(value).iso
        except DateParseError:
            raise forms.ValidationError(
                _("Write the date as 2022, 2022-01 or 2022-01-15.")
            ) from None

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if not kind or any(name in self.errors for name in KIND_FIELDS[kind]):
            return data
        builder = getattr(self, f"_claimed_{kind}")
        try:
            self._claimed = builder(data)
        except forms.ValidationError as error:
            self.add_error(None, error)
        return data

    def claimed(self) -> dict:
        return self._claimed

    def _claimed_status(self, data):
        status = data.get("status")
        if not status:
            raise forms.ValidationError(_("Choose the status the text gives."))
        return {"status_group": ONGOING} if status == ONGOING else {"status": status}

    def _claimed_date(self, data):
        if not data.get("date"):
            raise forms.ValidationError(_("Give the date the text says."))
        return {"date": data["date"], "date_type": data.get("date_type") or None}

    _claimed_start_date = _claimed_date
    _claimed_completion_date = _claimed_date

    def _claimed_results(self, data):
        return {"results_posted": data.get("results_posted") == "yes"}

    def _claimed_enrollment(self, data):
        if not data.get("count"):
            raise forms.ValidationError(_("Give the number of participants the text says."))
        return {"count": data["count"], "enrollment_type": data.get("enrollment_type") or None}

    def _claimed_phase(self, data):
        if not data.get("phases"):
            raise forms.ValidationError(_("Tick the phase or phases the text says."))
        return {"phases": sorted(data["phases"])}

    def _claimed_location(self, data):
        if not data.get("countries") and not data.get("site_count"):
            raise forms.ValidationError(_("Tick a country or give the number of sites."))
        return {
            "countries": sorted(data.get("countries") or []),
            "site_count": data.get("site_count"),
        }

    def _claimed_design(self, data):
        claimed = {k: data[k] for k in ("allocation", "masking") if data.get(k)}
        if not claimed:
            raise forms.ValidationError(_("Choose the allocation or the blinding the text says."))
        return claimed

    def _claimed_intervention(self, data):
        claimed = {k: data[k] for k in ("origin", "source") if data.get(k)}
        if data.get("intervention_name", "").strip():
            claimed["name"] = data["intervention_name"].strip()
        if not claimed:
            raise forms.ValidationError(
                _("Say whose cells, their source or the intervention's name.")
            )
        return claimed

    def _claimed_sponsor(self, data):
        if not data.get("sponsor_name", "").strip():
            raise forms.ValidationError(_("Give the sponsor's name."))
        return {"name": data["sponsor_name"].strip()}

    def field_groups(self):
        """(kind, label, bound fields) for the template, one group per kind."""
        return [
            (kind.value, kind.label, [self[name] for name in KIND_FIELDS[kind]]) for kind in Kind
        ]


class AddStatementForm(ClaimForm):
    block = forms.ChoiceField(label=_("Paragraph"))
    claim_text = forms.CharField(
        label=_("The words that make the claim"),
        max_length=500,
        help_text=_("Copy them exactly from the paragraph, e.g. 预计将于2022年1月完成."),
    )

    field_order = ["block", "claim_text", "kind", "nct_id"]

    def __init__(self, *args, blocks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.blocks = {block.block_id: block for block in blocks}
        self.fields["block"].choices = [
            (block.block_id, f"{number}. {_shorten(block.text)}")
            for number, block in enumerate(blocks, start=1)
        ]

    def clean(self):
        data = super().clean()
        block = self.blocks.get(data.get("block"))
        words = (data.get("claim_text") or "").strip()
        if block is not None and words and words not in block.text:
            self.add_error(
                "claim_text",
                _("These words are not in the chosen paragraph; copy them exactly from the text."),
            )
        return data


def _shorten(text: str, size: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"
