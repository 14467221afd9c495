"""The offline gazetteer: patients' Chinese and English places, registry sites, distances."""

import pytest

from finder.geo import PREFECTURE, PROVINCE, gazetteer, haversine_km, locate_site


@pytest.mark.parametrize(
    ("typed", "label", "level"),
    [
        ("成都", "成都市", PREFECTURE),
        ("四川成都", "成都市", PREFECTURE),
        ("四川省成都市", "成都市", PREFECTURE),
        ("吉林长春", "长春市", PREFECTURE),  # the last name written wins: not the city of 吉林
        ("吉林", "吉林市", PREFECTURE),
        ("广东省广州市天河区", "广州市", PREFECTURE),  # the prefecture, not the district
        ("我住在湖南长沙", "长沙市", PREFECTURE),
        ("北京", "北京市", PROVINCE),  # a municipality is a province-level division
        ("Chengdu", "成都市", PREFECTURE),
        ("Xi'an", "西安市", PREFECTURE),
    ],
)
def test_patients_places_in_china(typed, label, level):
    place = gazetteer().locate(typed)
    assert place is not None and place.label == label
    assert place.country_code == "CN" and place.source == "cn_adcodes"
    assert place.level == level


def test_traditional_characters_are_read_as_simplified():
    assert gazetteer().locate("廣州").label == "广州市"


def test_world_cities_come_from_geonames():
    seoul = gazetteer().locate("Seoul", "KR")
    assert seoul.country_code == "KR" and seoul.source == "geonames"
    assert abs(seoul.latitude - 37.57) < 0.2
    assert gazetteer().locate("Paris", "France").country_code == "FR"


def test_unknown_places():
    assert gazetteer().locate("Qwzxvb") is None
    assert gazetteer().locate("火星基地") is None
    assert gazetteer().locate("") is None
    assert any("成都" in name for name in gazetteer().close_matches("Chengdou"))


def test_registry_sites_are_placed_through_pinyin_and_state():
    nanjing = locate_site("Nanjing", "Jiangsu", "China")
    assert nanjing and abs(nanjing[0] - 32.06) < 0.1 and abs(nanjing[1] - 118.8) < 0.2
    assert locate_site("Boston", "Massachusetts", "United States")[0] == pytest.approx(
        42.36, abs=0.1
    )
    assert locate_site("", "", "China") is None


def test_distances():
    beijing, shanghai = gazetteer().locate("北京"), gazetteer().locate("上海")
    km = haversine_km(beijing.latitude, beijing.longitude, shanghai.latitude, shanghai.longitude)
    assert 1000 < km < 1150
    assert haversine_km(10, 20, 10, 20) == 0
