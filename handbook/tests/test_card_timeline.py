"""The timeline on the trial card: an accessible SVG that fits a phone, dated by the clock."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.template.loader import render_to_string
from django.utils import translation

from handbook.cards import trial_card
from trials.timeline import COMPLETION

SVG = "{http://www.w3.org/2000/svg}"


def _parse_svg(html):
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    return ET.fromstring(html[start:end])


@pytest.mark.django_db
def test_card_shows_an_accessible_svg_that_fits_a_phone(seed_trials):
    with time_machine.travel(dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC), tick=False):
        with translation.override("zh-hans"):
            card = trial_card("NCT03211793")
            html = render_to_string("handbook/_trial_card.html", {"card": card})
    svg = _parse_svg(html)
    assert svg.get("role") == "img"
    assert svg.get("viewBox").startswith("0 0 280 ")
    title = svg.find(f"{SVG}title")
    assert title.text.startswith("NCT03211793 时间线：")
    assert svg.get("aria-labelledby") == title.get("id")
    assert f'id="{svg.get("aria-describedby")}"' in html
    xs = [
        float(el.get(attr)) for el in svg.iter() for attr in ("x", "cx", "x1", "x2") if el.get(attr)
    ]
    assert xs and min(xs) >= 0 and max(xs) <= 280
    texts = [el.text for el in svg.iter(f"{SVG}text")]
    assert {"试验", "状态", "今天"} <= set(texts)
    years = [int(text) for text in texts if text.isdigit()]
    assert years == sorted(years) and years[0] <= 2017 and years[-1] >= 2027
    items = card.timeline.items
    assert items[-1] == ("2026年11月25日", "今天")
    assert ("2018年1月", "计划开始（见2018年5月29日的注册记录，之后已更改）") in items
    assert "<details" in html and "用文字看时间线" in html


@pytest.mark.django_db
def test_today_comes_from_the_clock_and_sits_in_date_order(seed_trials):
    with time_machine.travel(dt.datetime(2019, 1, 10, 12, tzinfo=dt.UTC), tick=False):
        with translation.override("en"):
            card = trial_card("NCT03211793")
            dates = [date for date, _words in card.timeline.items]
    assert dates.index("10 January 2019") < dates.index("1 November 2020")
    assert not card.timeline.timeline.current(COMPLETION).overdue
