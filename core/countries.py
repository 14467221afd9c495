"""One table of countries: the registry's spelling, the ISO 3166 code, the Chinese name.

ClinicalTrials.gov and ICTRP write "Korea, Republic of", "Iran, Islamic Republic of",
"Taiwan"; Chinese readers say 韩国, 伊朗, 中国台湾; brochures write "the UK", 美國, 荷兰; the
finder needs ISO codes to find cities. Every app reads countries through this table, so a
country is named the same way on the card, in the freshness check and in the finder.

The rows are the countries our readers meet and those whose registry spelling or Chinese
name differs from pycountry's ISO 3166 data; every other country comes from pycountry (its
Simplified Chinese translation included), so an unknown spelling is the only thing that
yields nothing: we translate, we never guess.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import lru_cache

import pycountry


@dataclass(frozen=True)
class Country:
    """`registry` is how ClinicalTrials.gov writes the country in a site's address; `names_en`
    and `names_zh` are the other ways registries and prose write it; `demonyms_en` the
    adjectives of English prose ("a French trial")."""

    code: str
    registry: str
    zh: str
    names_en: tuple[str, ...] = ()
    names_zh: tuple[str, ...] = ()
    demonyms_en: tuple[str, ...] = ()


COUNTRIES: tuple[Country, ...] = (
    Country(
        "CN", "China", "中国", (), ("中国大陆", "中华人民共和国", "中國", "中國大陸"), ("Chinese",)
    ),
    Country(
        "TW", "Taiwan", "中国台湾", ("Taiwan, Province of China",), ("台湾", "臺灣", "中國臺灣")
    ),
    Country("HK", "Hong Kong", "中国香港", (), ("香港", "中國香港")),
    Country("MO", "Macao", "中国澳门", ("Macau",), ("澳门", "澳門")),
    Country(
        "KR",
        "Korea, Republic of",
        "韩国",
        ("South Korea", "the Republic of Korea", "Republic of Korea", "Korea"),
        ("韓國", "南韩"),
        ("South Korean", "Korean"),
    ),
    Country("KP", "Korea, Democratic People's Republic of", "朝鲜", ("North Korea",)),
    Country("JP", "Japan", "日本", (), (), ("Japanese",)),
    Country(
        "US",
        "United States",
        "美国",
        ("the United States", "the US", "the USA", "USA"),
        ("美國",),
        ("American",),
    ),
    Country("CA", "Canada", "加拿大", (), (), ("Canadian",)),
    Country(
        "GB",
        "United Kingdom",
        "英国",
        ("the UK", "the United Kingdom"),
        ("英國",),
        ("British",),
    ),
    Country("FR", "France", "法国", (), ("法國",), ("French",)),
    Country("DE", "Germany", "德国", (), ("德國",), ("German",)),
    Country("NL", "Netherlands", "荷兰", ("the Netherlands", "Holland"), ("荷蘭",), ("Dutch",)),
    Country("IT", "Italy", "意大利", (), ("義大利",), ("Italian",)),
    Country("ES", "Spain", "西班牙", (), (), ("Spanish",)),
    Country("CH", "Switzerland", "瑞士", (), (), ("Swiss",)),
    Country("SE", "Sweden", "瑞典", (), (), ("Swedish",)),
    Country("BE", "Belgium", "比利时", (), ("比利時",), ("Belgian",)),
    Country("DK", "Denmark", "丹麦", (), ("丹麥",), ("Danish",)),
    Country("NO", "Norway", "挪威"),
    Country("AT", "Austria", "奥地利", (), ("奧地利",)),
    Country("PL", "Poland", "波兰", (), ("波蘭",)),
    Country("GR", "Greece", "希腊", (), ("希臘",)),
    Country("CZ", "Czech Republic", "捷克", ("Czechia",)),
    Country("RU", "Russian Federation", "俄罗斯", ("Russia",), ("俄羅斯",)),
    Country("TR", "Turkey", "土耳其", ("Türkiye", "Turkey (Türkiye)")),
    Country("IL", "Israel", "以色列"),
    Country("IR", "Iran, Islamic Republic of", "伊朗", ("Iran",), (), ("Iranian",)),
    Country("IN", "India", "印度"),
    Country("VN", "Vietnam", "越南", ("Viet Nam",)),
    Country("AU", "Australia", "澳大利亚", (), ("澳大利亞", "澳洲"), ("Australian",)),
    Country("BR", "Brazil", "巴西", (), (), ("Brazilian",)),
    Country("RS", "Serbia", "塞尔维亚", ("Former Serbia and Montenegro",)),
    Country("MK", "North Macedonia", "北马其顿", ("Macedonia, The Former Yugoslav Republic of",)),
)


def lookup(text: str) -> Country | None:
    """The country `text` names: a registry spelling, an English or Chinese name, an ISO code.

    Latin names are matched without regard to case, codes only in capitals ("IN" is India,
    "in" is not); anything the table lacks is looked up in pycountry, with its Simplified
    Chinese name from pycountry's translations.
    """
    text = (text or "").strip()
    if not text:
        return None
    if len(text) == 2 and text.isascii() and text.isalpha() and not text.isupper():
        return None
    found = _names().get(text.casefold())
    if found is not None:
        return found
    try:
        code = pycountry.countries.lookup(text).alpha_2
    except LookupError:
        return None
    return _by_code().get(code) or _from_pycountry(code)


def country_code(text: str) -> str:
    """ISO 3166 alpha-2 code of a country however it is written; "" when unknown."""
    country = lookup(text)
    return country.code if country else ""


def chinese_name(text: str) -> str | None:
    """The Simplified Chinese name readers use (韩国, 中国台湾), or None when unknown."""
    country = lookup(text)
    return country.zh if country else None


def prose_names(language: str) -> dict[str, str]:
    """Every way prose in `language` names a country of the table → its registry spelling.

    For finding countries in a handbook page; only the table's rows, since pycountry's
    thousands of names ("Chad", "Georgia", "Jordan") read as other words in prose.
    """
    if language.lower().startswith("zh"):
        return {name: c.registry for c in COUNTRIES for name in (c.zh, *c.names_zh)}
    return {name: c.registry for c in COUNTRIES for name in (c.registry, *c.names_en)}


def demonyms_en() -> dict[str, str]:
    """English adjectives ("French", "South Korean") → registry spelling."""
    return {word: c.registry for c in COUNTRIES for word in c.demonyms_en}


@lru_cache(maxsize=1)
def _by_code() -> dict[str, Country]:
    return {country.code: country for country in COUNTRIES}


@lru_cache(maxsize=1)
def _names() -> dict[str, Country]:
    names: dict[str, Country] = {}
    for country in COUNTRIES:
        for name in (country.registry, country.zh, *country.names_en, *country.names_zh):
            names.setdefault(name.casefold(), country)
    return names


@lru_cache(maxsize=1)
def _iso3166_zh() -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    except OSError:
        return gettext.NullTranslations()


@lru_cache(maxsize=512)
def _from_pycountry(code: str) -> Country:
    record = pycountry.countries.get(alpha_2=code)
    return Country(code, record.name, _iso3166_zh().gettext(record.name))
