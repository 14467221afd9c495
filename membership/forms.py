"""The applicant's forms (apply, look up, reply, withdraw) and the reviewer's decision form."""

import re

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from membership.models import ContactKind, Diagnosis, Role
from membership.provinces import PROVINCES
from membership.uploads import MAX_PDF_PAGES, MAX_UPLOAD_BYTES, MEGABYTE, ProofRejected, clean_proof

CONTACT_PATTERNS = {
    ContactKind.PHONE: re.compile(r"^\+?\d{7,15}$"),
    ContactKind.QQ: re.compile(r"^[1-9]\d{4,11}$"),
    ContactKind.WECHAT: re.compile(r"^([A-Za-z][-_A-Za-z0-9]{5,19}|\+?\d{7,15})$"),
}
CONTACT_ERRORS = {
    ContactKind.PHONE: _("Please enter a phone number, digits only (e.g. 13812345678)."),
    ContactKind.QQ: _("Please enter a QQ number (5 to 12 digits)."),
    ContactKind.WECHAT: _(
        "Please enter a WeChat ID (6 to 20 letters, digits, - or _, starting with a letter) "
        "or the phone number linked to WeChat."
    ),
}
UNKNOWN_CODE = _(
    "We found no application with this code. Please check it: it has 20 letters and digits, "
    "e.g. 7K3M-Q9XA-…. Applications are deleted some time after the decision."
)


class ProofField(forms.FileField):
    """A proof upload, cleaned into a `CleanProof` (checked and rebuilt) or refused."""

    default_error_messages = {
        "oversized": _("The file is larger than %(megabytes)d MB. Please upload a smaller file."),
    }

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if not uploaded:
            return None
        if getattr(uploaded, "oversized", False) or uploaded.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                self.error_messages["oversized"],
                code="oversized",
                params={"megabytes": MAX_UPLOAD_BYTES // MEGABYTE},
            )
        uploaded.seek(0)
        data = uploaded.read(MAX_UPLOAD_BYTES + 1)
        try:
            return clean_proof(data)
        except ProofRejected as rejection:
            raise forms.ValidationError(rejection.message, code="rejected") from rejection


def proof_help_text():
    return _(
        "A photo or scan of a diagnosis certificate, discharge summary or medical record that "
        "shows the diagnosis. PDF, JPEG or PNG, at most %(megabytes)d MB (a PDF at most "
        "%(pages)d pages). You may cover your ID number and address."
    ) % {"megabytes": MAX_UPLOAD_BYTES // MEGABYTE, "pages": MAX_PDF_PAGES}


class ApplicationForm(forms.Form):
    nickname = forms.CharField(
        label=_("Nickname"),
        max_length=40,
        help_text=_("The name you will use in the group; it need not be your real name."),
    )
    contact_kind = forms.ChoiceField(
        label=_("How can volunteers reach you?"),
        choices=ContactKind.choices,
        widget=forms.RadioSelect,
        initial=ContactKind.WECHAT,
    )
    contact = forms.CharField(label=_("Phone number, WeChat ID or QQ number"), max_length=40)
    province = forms.ChoiceField(
        label=_("Province"), choices=[("", _("Please choose"))] + PROVINCES
    )
    city = forms.CharField(label=_("City"), max_length=40)
    diagnosis = forms.ChoiceField(
        label=_("Diagnosis"), choices=[("", _("Please choose"))] + Diagnosis.choices
    )
    diagnosis_other = forms.CharField(
        label=_("Diagnosis in your own words"),
        max_length=100,
        required=False,
        help_text=_("Needed if you chose “other or not sure”."),
    )
    diagnosis_year = forms.IntegerField(
        label=_("Year of diagnosis"),
        min_value=1950,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "2020"}),
    )
    hospital = forms.CharField(
        label=_("Hospital that made the diagnosis (optional)"), max_length=100, required=False
    )
    role = forms.ChoiceField(
        label=_("Who is applying?"), choices=Role.choices, widget=forms.RadioSelect
    )
    proof = ProofField(label=_("Proof of diagnosis"))
    consent = forms.BooleanField(
        label=_(
            "I have read the privacy notice above. I agree that the volunteers who review "
            "applications may see the proof of diagnosis (sensitive personal information) and "
            "the details above, only to decide on my application, and that they are deleted "
            "as described. If I apply for a family member, they agree too."
        ),
        error_messages={
            "required": _("We can only accept the application with your explicit consent.")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proof"].help_text = proof_help_text()
        self.fields["proof"].widget.attrs["accept"] = "application/pdf,image/jpeg,image/png"
        this_year = timezone.localdate().year
        year = self.fields["diagnosis_year"]
        year.max_value = this_year
        year.validators.append(MaxValueValidator(this_year))
        year.widget.attrs["max"] = this_year

    def clean_contact(self):
        return "".join(self.cleaned_data["contact"].split()).replace("-", "")

    def clean(self):
        cleaned = super().clean()
        kind, contact = cleaned.get("contact_kind"), cleaned.get("contact")
        if kind and contact and not CONTACT_PATTERNS[ContactKind(kind)].match(contact):
            self.add_error("contact", CONTACT_ERRORS[ContactKind(kind)])
        if cleaned.get("diagnosis") == Diagnosis.OTHER and not cleaned.get("diagnosis_other"):
            self.add_error("diagnosis_other", _("Please describe the diagnosis."))
        return cleaned


class CodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Application code"))
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        )


class LookupForm(forms.Form):
    code = CodeField()


class WithdrawForm(forms.Form):
    code = CodeField()
    confirm = forms.BooleanField(
        label=_("Yes, withdraw my application and delete my details and my proof now."),
        error_messages={"required": _("Please tick the box to confirm.")},
    )


class ReplyForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput, max_length=40)
    message = forms.CharField(
        label=_("Your answer to the volunteers"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    proof = ProofField(label=_("A new proof of diagnosis (optional)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proof"].help_text = proof_help_text()
        self.fields["proof"].widget.attrs["accept"] = "application/pdf,image/jpeg,image/png"


class DecisionForm(forms.Form):
    APPROVE, REJECT, ASK = "approve", "reject", "ask"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (APPROVE, _("Approve: show the group number to the applicant")),
            (ASK, _("Ask the applicant for more information")),
            (REJECT, _("Reject")),
        ],
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        label=_("Message to the applicant"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Shown on the applicant's status page. Needed when rejecting (the reason) or asking "
            "for more information (what is missing)."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") in (self.REJECT, self.ASK) and not cleaned.get("message"):
            self.add_error("message", _("Please write the reason or what is missing."))
        return cleaned
