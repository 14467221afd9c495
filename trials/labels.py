"""Plain-language words for registry values, in the reader's language.

Country names come from pycountry's ISO 3166 translations, with the few names Chinese readers
say differently (韩国, not 大韩民国). An unknown value is shown as the registry wrote it: we
translate, we never guess.
"""

from __future__ import annotations

import gettext as gettext_module
from functools import lru_cache

import pycountry
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from trials.models import DateType, OverallStatus

# A trial's public page on the registry, where every card and result links for the source.
REGISTRY_URL = "https://clinicaltrials.gov/study/{nct_id}"

COUNTRY_NAMES_ZH = {
    "Korea, Republic of": "韩国",
    "South Korea": "韩国",
    "Korea, Democratic People's Republic of": "朝鲜",
    "Taiwan": "中国台湾",
    "Taiwan, Province of China": "中国台湾",
    "Hong Kong": "中国香港",
    "Macao": "中国澳门",
    "Macau": "中国澳门",
    "Iran, Islamic Republic of": "伊朗",
    "Russian Federation": "俄罗斯",
    "Turkey": "土耳其",
    "Türkiye": "土耳其",
    "United Kingdom": "英国",
    "United States": "美国",
    "Czech Republic": "捷克",
    "Viet Nam": "越南",
    "Vietnam": "越南",
}


def is_chinese(language: str | None = None) -> bool:
    return (language or get_language() or "zh-hans").lower().startswith("zh")


@lru_cache(maxsize=1)
def _iso3166_zh():
    try:
        return gettext_module.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    except OSError:
        return gettext_module.NullTranslations()


def country_name(country: str, language: str | None = None) -> str:
    if not country or not is_chinese(language):
        return country
    if country in COUNTRY_NAMES_ZH:
        return COUNTRY_NAMES_ZH[country]
    try:
        official = pycountry.countries.lookup(country).name
    except LookupError:
        return country
    return COUNTRY_NAMES_ZH.get(official) or _iso3166_zh().gettext(official)


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


_ROMAN = {"PHASE1": "I", "PHASE2": "II", "PHASE3": "III", "PHASE4": "IV"}


def phase_label(phases: list[str]) -> str:
    """ "I/II期" / "Phase 1/2"; the registry's own words for anything else."""
    if not phases:
        return ""
    if phases == ["NA"]:
        return pgettext("trial phase", "Not applicable")
    if phases == ["EARLY_PHASE1"]:
        return pgettext("trial phase", "Early phase 1")
    if all(phase in _ROMAN for phase in phases):
        if is_chinese():
            return "/".join(_ROMAN[phase] for phase in phases) + "期"
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
