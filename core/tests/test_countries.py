import pytest

from core.countries import (
    COUNTRIES,
    chinese_name,
    country_code,
    demonyms_en,
    lookup,
    prose_names,
)


@pytest.mark.parametrize(
    ("written", "code", "registry", "zh"),
    [
        ("Korea, Republic of", "KR", "Korea, Republic of", "韩国"),
        ("south korea", "KR", "Korea, Republic of", "韩国"),
        ("Iran, Islamic Republic of", "IR", "Iran, Islamic Republic of", "伊朗"),
        ("Taiwan", "TW", "Taiwan", "中国台湾"),
        ("Taiwan, Province of China", "TW", "Taiwan", "中国台湾"),
        ("台湾", "TW", "Taiwan", "中国台湾"),
        ("Hong Kong", "HK", "Hong Kong", "中国香港"),
        ("Macau", "MO", "Macao", "中国澳门"),
        ("China", "CN", "China", "中国"),
        ("中国大陆", "CN", "China", "中国"),
        ("美國", "US", "United States", "美国"),
        ("the UK", "GB", "United Kingdom", "英国"),
        ("the Netherlands", "NL", "Netherlands", "荷兰"),
        ("荷兰", "NL", "Netherlands", "荷兰"),
        ("Russian Federation", "RU", "Russian Federation", "俄罗斯"),
        ("Türkiye", "TR", "Turkey", "土耳其"),
        ("Czechia", "CZ", "Czech Republic", "捷克"),
        ("Viet Nam", "VN", "Vietnam", "越南"),
        ("Former Serbia and Montenegro", "RS", "Serbia", "塞尔维亚"),
        ("Macedonia, The Former Yugoslav Republic of", "MK", "North Macedonia", "北马其顿"),
    ],
)
def test_table_rows_by_every_name(written, code, registry, zh):
    country = lookup(written)
    assert (country.code, country.registry, country.zh) == (code, registry, zh)


def test_countries_outside_the_table_come_from_pycountry_with_their_chinese_name():
    assert country_code("Tanzania") == "TZ"
    assert chinese_name("Tanzania") == "坦桑尼亚"
    assert country_code("Côte D'Ivoire") == "CI"
    assert chinese_name("Peru") == "秘鲁"


def test_codes_only_in_capitals_and_unknown_names_give_nothing():
    assert country_code("IN") == "IN"
    assert country_code("in") == ""
    assert lookup("Atlantis") is None
    assert lookup("") is None
    assert chinese_name("Atlantis") is None


def test_every_table_name_leads_back_to_its_own_row():
    for country in COUNTRIES:
        for name in (country.registry, country.zh, *country.names_en, *country.names_zh):
            assert lookup(name) is country, name


def test_prose_names_by_language():
    zh, en = prose_names("zh-hans"), prose_names("en")
    assert zh["台湾"] == "Taiwan" and zh["中国台湾"] == "Taiwan"
    assert zh["韩国"] == "Korea, Republic of"
    assert en["the UK"] == "United Kingdom"
    assert en["Korea"] == "Korea, Republic of"
    assert not any(name.isascii() for name in zh)
    assert "Chad" not in en
    assert demonyms_en()["Dutch"] == "Netherlands"
