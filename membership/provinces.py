"""Provincial-level divisions for the application form (names translated in the catalogue)."""

from django.utils.translation import gettext_lazy as _

PROVINCES = [
    ("beijing", _("Beijing")),
    ("tianjin", _("Tianjin")),
    ("hebei", _("Hebei")),
    ("shanxi", _("Shanxi")),
    ("neimenggu", _("Inner Mongolia")),
    ("liaoning", _("Liaoning")),
    ("jilin", _("Jilin")),
    ("heilongjiang", _("Heilongjiang")),
    ("shanghai", _("Shanghai")),
    ("jiangsu", _("Jiangsu")),
    ("zhejiang", _("Zhejiang")),
    ("anhui", _("Anhui")),
    ("fujian", _("Fujian")),
    ("jiangxi", _("Jiangxi")),
    ("shandong", _("Shandong")),
    ("henan", _("Henan")),
    ("hubei", _("Hubei")),
    ("hunan", _("Hunan")),
    ("guangdong", _("Guangdong")),
    ("guangxi", _("Guangxi")),
    ("hainan", _("Hainan")),
    ("chongqing", _("Chongqing")),
    ("sichuan", _("Sichuan")),
    ("guizhou", _("Guizhou")),
    ("yunnan", _("Yunnan")),
    ("xizang", _("Tibet")),
    ("shaanxi", _("Shaanxi")),
    ("gansu", _("Gansu")),
    ("qinghai", _("Qinghai")),
    ("ningxia", _("Ningxia")),
    ("xinjiang", _("Xinjiang")),
    ("hongkong", _("Hong Kong")),
    ("macao", _("Macao")),
    ("taiwan", _("Taiwan")),
    ("abroad", _("Outside China")),
]

PROVINCE_LABELS = dict(PROVINCES)


def province_label(code: str) -> str:
    return str(PROVINCE_LABELS.get(code, code))
