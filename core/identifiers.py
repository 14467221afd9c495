"""Trial registration numbers: what they look like, how to read them, where they point.

A trial is known by its number in a registry: ClinicalTrials.gov's NCT number, and in the WHO
ICTRP's primary registries ChiCTR (the Chinese registry, where trials run only in China are),
EUCTR, JPRN, CTRI and the rest. People write these numbers in any case, in full-width
characters in Chinese text, with stray spaces; the stored form is always the registry's own
spelling (`ChiCTR2000030256`, `JPRN-jRCTs031190226`, `RBR-8969zg`). This module is the one
place that knows the shapes, checked against the identifiers of real ICTRP exports
(`core/tests/data/ictrp_trial_ids.txt`), so a new registry is a new row of `REGISTRIES`.

Only the NCT number is stored by the apps today; the other registries are here so that
reading them is not a second set of patterns later.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

ICTRP_URL = "https://trialsearch.who.int/Trial2.aspx?TrialID={id}"
NCT_PATTERN = r"NCT\d{8}"

# Full-width ASCII (ＮＣＴ００９６２９２３), the ideographic space and the dashes of typeset text,
# mapped one character to one so positions in the folded text are positions in the original.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = ord(" ")
_FOLD.update(dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), ord("-")))


@dataclass(frozen=True)
class Form:
    """One way a registry writes its numbers.

    `pattern` is matched without regard to case. Without a `template` the registry's spelling
    is the match in capitals; a `template` rebuilds it from the groups, which are upper-cased
    except those named in `lower`. An optional
    group left empty at the end takes its separator with it (`EUCTR2015-003040-12`).
    """

    pattern: str
    template: str | None = None
    lower: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Registry:
    code: str
    name: str
    forms: tuple[Form, ...]
    example: str
    url: str = ICTRP_URL


REGISTRIES: dict[str, Registry] = {
    registry.code: registry
    for registry in (
        Registry(
            "NCT",
            "ClinicalTrials.gov",
            (Form(NCT_PATTERN),),
            "NCT00962923",
            "https://clinicaltrials.gov/study/{id}",
        ),
        Registry(
            "ChiCTR",
            "Chinese Clinical Trial Registry",
            (
                Form(r"ChiCTR(?P<n>\d{10})", "ChiCTR{n}"),
                Form(r"ChiCTR-(?P<kind>[A-Z]{2,5})-(?P<n>\d{8})", "ChiCTR-{kind}-{n}"),
            ),
            "ChiCTR2000030256",
        ),
        Registry(
            "EUCTR",
            "EU Clinical Trials Register",
            (
                Form(
                    r"EUCTR(?P<year>\d{4})-(?P<n>\d{6})-(?P<check>\d{2})(?:-(?P<country>[A-Z]{2}))?",
                    "EUCTR{year}-{n}-{check}-{country}",
                ),
            ),
            "EUCTR2015-003040-12-NL",
            "https://www.clinicaltrialsregister.eu/ctr-search/search?query=eudract_number:"
            "{year}-{n}-{check}",
        ),
        Registry(
            "ISRCTN",
            "ISRCTN registry",
            (Form(r"ISRCTN\d{8}"),),
            "ISRCTN14966673",
            "https://www.isrctn.com/{id}",
        ),
        Registry(
            "JPRN",
            "Japan Primary Registries Network",
            (
                Form(r"JPRN-UMIN(?P<n>\d{9})", "JPRN-UMIN{n}"),
                Form(
                    r"JPRN-jRCT(?P<kind>[a-z]?)(?P<n>\d{9,10})",
                    "JPRN-jRCT{kind}{n}",
                    frozenset({"kind"}),
                ),
                Form(r"JPRN-JapicCTI-(?P<n>\d{6})", "JPRN-JapicCTI-{n}"),
            ),
            "JPRN-UMIN000039686",
        ),
        Registry(
            "CTRI",
            "Clinical Trials Registry - India",
            (
                Form(
                    r"CTRI/(?P<year>\d{4})/(?P<month>\d{2,3})/(?P<n>\d{6})",
                    "CTRI/{year}/{month}/{n}",
                ),
            ),
            "CTRI/2020/03/024402",
        ),
        Registry(
            "KCT",
            "Clinical Research Information Service (Korea)",
            (Form(r"KCT\d{7}"),),
            "KCT0005005",
        ),
        Registry(
            "IRCT",
            "Iranian Registry of Clinical Trials",
            (Form(r"IRCT\d{10,14}N\d{1,4}"),),
            "IRCT20100228003449N28",
        ),
        Registry(
            "DRKS",
            "German Clinical Trials Register",
            (Form(r"DRKS\d{8}"),),
            "DRKS00021134",
            "https://www.drks.de/{id}",
        ),
        Registry(
            "ACTRN",
            "Australian New Zealand Clinical Trials Registry",
            (Form(r"ACTRN\d{14}"),),
            "ACTRN12620000421932",
            "https://anzctr.org.au/{id}.aspx",
        ),
        Registry(
            "NL",
            "Netherlands Trial Register",
            (Form(r"NL(?P<n>\d{4,5})", "NL{n}"),),
            "NL8483",
            "https://trialregister.nl/trial/{n}",
        ),
        Registry(
            "PACTR",
            "Pan African Clinical Trials Registry",
            (Form(r"PACTR\d{15}"),),
            "PACTR202004801273802",
        ),
        Registry(
            "TCTR",
            "Thai Clinical Trials Registry",
            (Form(r"TCTR\d{11}"),),
            "TCTR20200321001",
        ),
        Registry(
            "LBCTR",
            "Lebanese Clinical Trials Registry",
            (Form(r"LBCTR\d{10}"),),
            "LBCTR2020043459",
        ),
        Registry(
            "RPCEC",
            "Cuban Public Registry of Clinical Trials",
            (Form(r"RPCEC\d{8}"),),
            "RPCEC00000306",
            "https://rpcec.sld.cu/en/trials/{id}-En",
        ),
        Registry(
            "RBR",
            "Brazilian Clinical Trials Registry (ReBEC)",
            (Form(r"RBR-(?P<n>[0-9a-z]{6,8})", "RBR-{n}", frozenset({"n"})),),
            "RBR-8969zg",
        ),
        Registry(
            "PER",
            "Peruvian Clinical Trials Registry (REPEC)",
            (Form(r"PER-\d{3}-\d{2}"),),
            "PER-010-20",
        ),
        Registry(
            "SLCTR",
            "Sri Lanka Clinical Trials Registry",
            (Form(r"SLCTR/\d{4}/\d{3}"),),
            "SLCTR/2020/011",
        ),
    )
}


@dataclass(frozen=True)
class TrialId:
    """A trial's number in one registry, in the registry's own spelling (`value`)."""

    registry: str
    value: str

    def __str__(self) -> str:
        return self.value

    @property
    def url(self) -> str:
        """The trial's page at its registry, or at the WHO ICTRP portal when the registry's
        own address needs more than the number."""
        match = _pattern((self.registry,), anchored=True).fullmatch(self.value)
        parts = _parts(match)[1] if match else {}
        return REGISTRIES[self.registry].url.format(id=self.value, **parts)


@dataclass(frozen=True)
class Mention:
    """A registration number written in running text, at `text[start:end]`."""

    trial_id: TrialId
    start: int
    end: int


def fold(text: str) -> str:
    """`text` with full-width letters, digits and dashes made ASCII, same length."""
    return text.translate(_FOLD)


def parse(text: str, *, registries: tuple[str, ...] | None = None) -> TrialId | None:
    """The registration number `text` is, however it was typed, or None if it is not one.

    Case, full-width characters and whitespace (anywhere: "NCT 0096 2923") do not matter; the
    result is spelled the registry's way.
    """
    if not isinstance(text, str):
        return None
    value = "".join(unicodedata.normalize("NFKC", fold(text)).split())
    match = _pattern(_codes(registries), anchored=True).fullmatch(value)
    return _trial_id(match) if match else None


def is_canonical(value: str, *, registries: tuple[str, ...] | None = None) -> bool:
    """Is `value` exactly a registration number as the registry spells it?

    For data that must already be right (a registry's own record, a stored field): nothing
    is forgiven, not even a trailing space.
    """
    trial_id = parse(value, registries=registries)
    return trial_id is not None and trial_id.value == value


def find_all(text: str, *, registries: tuple[str, ...] | None = None) -> list[Mention]:
    """Every registration number in running text, in order.

    A number counts only when it stands alone: not preceded or followed by a letter or digit
    ("XNCT00962923" and "NCT009629231" are not NCT numbers), though Chinese characters and
    punctuation may touch it ("试验NCT00962923显示"). Spans are positions in `text`.
    """
    pattern = _pattern(_codes(registries), anchored=False)
    return [
        Mention(_trial_id(match), match.start(), match.end())
        for match in pattern.finditer(fold(text))
    ]


def replace_all(text: str, replace, *, registries: tuple[str, ...] | None = None) -> str:
    """`text` with each registration number replaced by `replace(mention)`."""
    out, position = [], 0
    for mention in find_all(text, registries=registries):
        out.append(text[position : mention.start])
        out.append(replace(mention))
        position = mention.end
    out.append(text[position:])
    return "".join(out)


def parse_nct(text: str) -> TrialId | None:
    return parse(text, registries=("NCT",))


def is_nct_id(value: str) -> bool:
    """Is `value` an NCT number exactly as ClinicalTrials.gov writes it?"""
    return is_canonical(value, registries=("NCT",))


def nct_url(nct_id: str) -> str:
    """The trial's page on ClinicalTrials.gov."""
    return TrialId("NCT", nct_id).url


def normalise_nct_id(text: str) -> str:
    """The NCT number `text` is, spelled the registry's way; `text` tidied up (whitespace
    removed, upper-cased) when it is not one, so that the caller's check reports it."""
    trial_id = parse_nct(text)
    if trial_id is not None:
        return trial_id.value
    return "".join(unicodedata.normalize("NFKC", fold(str(text))).split()).upper()


def find_nct_ids(text: str) -> list[str]:
    """The NCT numbers in running text, in order, repeats included."""
    return [mention.trial_id.value for mention in find_all(text, registries=("NCT",))]


@deconstructible
class TrialIdValidator:
    """Accepts a registration number spelled exactly as its registry does.

    Forms normalise what people type (`parse`) before this runs; a stored value must already
    be canonical, so that one trial is never stored under two spellings.
    """

    def __init__(self, registries: tuple[str, ...] | None = None):
        self.registries = tuple(registries) if registries else None

    def __call__(self, value) -> None:
        if not isinstance(value, str) or not is_canonical(value, registries=self.registries):
            raise ValidationError(self.message(), code="invalid", params={"value": value})

    def message(self):
        if self.registries == ("NCT",):
            return _("An NCT number is 'NCT' followed by 8 digits, e.g. NCT00962923.")
        examples = ", ".join(REGISTRIES[code].example for code in _codes(self.registries))
        return _("Not a trial registration number; they look like %(examples)s.") % {
            "examples": examples
        }

    def __eq__(self, other) -> bool:
        return isinstance(other, TrialIdValidator) and self.registries == other.registries

    def __hash__(self) -> int:
        return hash(self.registries)


nct_validator = TrialIdValidator(registries=("NCT",))


def _codes(registries: tuple[str, ...] | None) -> tuple[str, ...]:
    if registries is None:
        return tuple(REGISTRIES)
    unknown = [code for code in registries if code not in REGISTRIES]
    if unknown:
        raise ValueError(f"unknown registries: {', '.join(unknown)}")
    return tuple(registries)


def _forms(codes: tuple[str, ...]) -> list[tuple[str, Form]]:
    return [(code, form) for code in codes for form in REGISTRIES[code].forms]


@lru_cache(maxsize=32)
def _pattern(codes: tuple[str, ...], *, anchored: bool) -> re.Pattern:
    """One regular expression for all forms of these registries; form i's groups are named
    `f{i}_…` and the whole form `f{i}`, so a match says which form it is."""
    alternatives = [
        f"(?P<f{index}>" + form.pattern.replace("(?P<", f"(?P<f{index}_") + ")"
        for index, (_code, form) in enumerate(_forms(codes))
    ]
    body = "|".join(alternatives)
    if not anchored:
        body = rf"(?<![A-Za-z0-9])(?:{body})(?![A-Za-z0-9])"
    compiled = re.compile(body, re.IGNORECASE | re.ASCII)
    _FORMS_BY_PATTERN[compiled] = _forms(codes)
    return compiled


_FORMS_BY_PATTERN: dict[re.Pattern, list[tuple[str, Form]]] = {}


def _parts(match: re.Match) -> tuple[str, dict[str, str], Form]:
    """(registry code, the form's groups in the registry's case, the form) of a match."""
    index = int(match.lastgroup.removeprefix("f"))
    code, form = _FORMS_BY_PATTERN[match.re][index]
    prefix = f"f{index}_"
    parts = {
        name.removeprefix(prefix): (value or "")
        for name, value in match.groupdict().items()
        if name.startswith(prefix)
    }
    return (
        code,
        {
            name: value.lower() if name in form.lower else value.upper()
            for name, value in parts.items()
        },
        form,
    )


def _trial_id(match: re.Match) -> TrialId:
    code, parts, form = _parts(match)
    if form.template is None:
        return TrialId(code, match.group(match.lastgroup).upper())
    return TrialId(code, form.template.format(**parts).rstrip("-"))
