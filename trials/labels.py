"""Plain-language words for registry values, in the reader's language.

Country names and phase numerals come from the shared vocabulary (`core.countries`,
`core.vocabulary`): pycountry's ISO 3166 translations with the names Chinese readers say
differently (韩国, not 大韩民国). An unknown value is shown as the registry wrote it: we
translate, we never guess.
"""

from __future__ import annotations

from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from core.countries import chinese_name
from core.vocabulary import roman_phase
from trials.models import DateType, OverallStatus

# A trial's public page on the registry, where every card and result links for the source.
REGISTRY_URL = "https://clinicaltrials.gov/study/{nct_id}"


def is_chinese(language: str | None = None) -> bool:
    return (language or get_language() or "zh-hans").lower().startswith("zh")


def country_name(country: str, language: str | None = None) -> str:
    if not country or not is_chinese(language):
        return country
    return chinese_name(country) or country


def status_label(status: str) -> str:
    if not status:
        return _("Status not given")
    try:
        return str(OverallStatus(status).label)
    except ValueError:
        return status


def date_type_label(date_type: str) -> str:
    if not date_type:
        return ""
    try:
        return str(DateType(date_type).label)
    except ValueError:
        return date_type


def phase_label(phases: list[str]) -> str:
    """ "I/II期" / "Phase 1/2"; the registry's own words for anything else."""
    if not phases:
        return ""
    if phases == ["NA"]:
        return pgettext("trial phase", "Not applicable")
    if phases == ["EARLY_PHASE1"]:
        return pgettext("trial phase", "Early phase 1")
    if all(roman_phase(phase) for phase in phases):
        if is_chinese():
            return "/".join(roman_phase(phase) for phase in phases) + "期"
        return "Phase " + "/".join(phase.removeprefix("PHASE") for phase in phases)
    return ", ".join(phases)


def enrollment_label(count: int | None, enrollment_type: str) -> str:
    if count is None:
        return ""
    if enrollment_type == DateType.ESTIMATED:
        return _("%(count)d people planned") % {"count": count}
    if enrollment_type == DateType.ACTUAL:
        return _("%(count)d people enrolled") % {"count": count}
    return _("%(count)d people") % {"count": count}
