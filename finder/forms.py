"""The finder's questions: all optional, read from the query string, never stored."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from finder.patient import Patient
from finder.search import SearchRequest

DIAGNOSIS_CHOICES = [
    ("", _("Not given")),
    ("diffuse", _("Diffuse cutaneous systemic sclerosis")),
    ("limited", _("Limited cutaneous systemic sclerosis")),
    ("overlap", _("Overlap syndrome (scleroderma with another disease)")),
    ("morphea", _("Morphea (localised scleroderma, skin only)")),
    ("unsure", _("Not sure")),
]
ORGAN_CHOICES = [
    ("ild", _("Lung (interstitial lung disease, lung fibrosis)")),
    ("digital_ulcers", _("Finger ulcers (digital ulcers)")),
    ("raynaud", _("Raynaud's phenomenon (fingers turn white or blue in the cold)")),
    ("pah", _("Pulmonary arterial hypertension")),
    ("kidney", _("Kidney")),
    ("heart", _("Heart")),
    ("gut", _("Stomach or gut (reflux, swallowing)")),
]
TREATMENT_CHOICES = [
    ("cyclophosphamide", _("Cyclophosphamide")),
    ("mycophenolate", _("Mycophenolate mofetil")),
    ("methotrexate", _("Methotrexate")),
    ("rituximab", _("Rituximab")),
    ("nintedanib", _("Nintedanib")),
    ("tocilizumab", _("Tocilizumab")),
    ("hsct", _("Stem cell transplant (haematopoietic)")),
    ("glucocorticoids", _("Glucocorticoids (e.g. prednisone)")),
    ("azathioprine", _("Azathioprine")),
    ("pirfenidone", _("Pirfenidone")),
]
DISTANCE_CHOICES = [
    ("", _("Any distance")),
    ("50", _("Within my city (about 50 km)")),
    ("300", _("Nearby provinces (about 300 km)")),
    ("1000", _("Up to about 1,000 km")),
    ("3000", _("Anywhere in China (about 3,000 km)")),
]
SEX_CHOICES = [("", _("Not given")), ("FEMALE", _("Female")), ("MALE", _("Male"))]
PREGNANT_CHOICES = [
    ("", _("Not given")),
    ("yes", pgettext_lazy("pregnant", "Yes")),
    ("no", pgettext_lazy("pregnant", "No")),
]

FEATURED_COUNTRIES = ("CN", "HK", "MO", "TW", "US", "FR", "DE", "IT", "NL", "GB", "JP", "KR")


def country_choices():
    import pycountry

    from trials.labels import country_name

    featured = []
    rest = []
    for country in pycountry.countries:
        label = country_name(country.name)
        if country.alpha_2 == "CN":
            continue
        (featured if country.alpha_2 in FEATURED_COUNTRIES else rest).append(
            (country.alpha_2, label)
        )
    featured.sort(key=lambda item: FEATURED_COUNTRIES.index(item[0]))
    rest.sort(key=lambda item: item[1])
    return [("", _("China (mainland)")), *featured, *rest]


class FinderForm(forms.Form):
    """Every question is optional; an empty form still lists the open SSc trials."""

    age = forms.IntegerField(label=_("Age"), min_value=0, max_value=120, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=SEX_CHOICES, required=False)
    country = forms.ChoiceField(label=_("Country"), choices=country_choices, required=False)
    city = forms.CharField(
        label=_("City"),
        max_length=60,
        required=False,
        help_text=_("For example 成都, 四川成都 or Seoul."),
    )
    max_distance = forms.ChoiceField(
        label=_("How far can you travel?"), choices=DISTANCE_CHOICES, required=False
    )
    diagnosis = forms.ChoiceField(label=_("Diagnosis"), choices=DIAGNOSIS_CHOICES, required=False)
    years_since_diagnosis = forms.DecimalField(
        label=_("Years since diagnosis"),
        min_value=0,
        max_value=80,
        max_digits=4,
        decimal_places=1,
        required=False,
    )
    organs = forms.MultipleChoiceField(
        label=_("Organs involved"),
        choices=ORGAN_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    mrss = forms.IntegerField(
        label=_("Skin score (mRSS), if you know it"), min_value=0, max_value=51, required=False
    )
    fvc_percent = forms.IntegerField(
        label=_("Lung function FVC (% predicted), if you know it"),
        min_value=10,
        max_value=200,
        required=False,
    )
    dlco_percent = forms.IntegerField(
        label=_("Lung function DLCO (% predicted), if you know it"),
        min_value=5,
        max_value=200,
        required=False,
    )
    current_treatments = forms.MultipleChoiceField(
        label=_("Treatments you take now"),
        choices=TREATMENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    past_treatments = forms.MultipleChoiceField(
        label=_("Treatments you had before"),
        choices=TREATMENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    pregnant = forms.ChoiceField(
        label=_("Pregnant or breastfeeding?"), choices=PREGNANT_CHOICES, required=False
    )
    text = forms.CharField(
        label=_("Anything else, in your own words"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        help_text=_("For example: 硬皮病8年，肺纤维化，想了解干细胞治疗."),
    )
    include_finished = forms.BooleanField(
        label=_("Also show trials that are no longer recruiting"), required=False
    )

    def patient(self) -> Patient:
        data = self.cleaned_data
        years = data.get("years_since_diagnosis")
        distance = data.get("max_distance")
        pregnant = {"yes": True, "no": False}.get(data.get("pregnant") or "")
        return Patient(
            age=data.get("age"),
            sex=data.get("sex") or None,
            diagnosis=data.get("diagnosis") or None,
            years_since_diagnosis=float(years) if years is not None else None,
            organs=frozenset(data.get("organs") or ()),
            mrss=data.get("mrss"),
            fvc_percent=data.get("fvc_percent"),
            dlco_percent=data.get("dlco_percent"),
            current_treatments=frozenset(data.get("current_treatments") or ()),
            past_treatments=frozenset(data.get("past_treatments") or ()),
            pregnant=pregnant,
            city=(data.get("city") or "").strip(),
            country=data.get("country") or "",
            max_distance_km=float(distance) if distance else None,
            text=data.get("text") or "",
        )

    def search_request(self, *, top: int = 20) -> SearchRequest:
        return SearchRequest(
            patient=self.patient(),
            ssc_family=True,
            include_finished=bool(self.cleaned_data.get("include_finished")),
            top=top,
        )
