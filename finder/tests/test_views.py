"""The form and the results page, through Django's test client."""

import re

import pytest
from django.utils import translation

from finder.tests.conftest import MSC_TRIALS

FORM = "/zh-hans/finder/"
RESULTS = "/zh-hans/finder/results/"


def _article(html, nct_id):
    return re.search(rf'<article[^>]* id="result-{nct_id}".*?</article>', html, re.S).group(0)


def test_form_is_in_chinese_with_every_question_optional(client, db):
    response = client.get(FORM)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    for name in ("age", "sex", "city", "country", "max_distance", "diagnosis", "organs", "text"):
        assert f'name="{name}"' in html
    assert " required" not in html
    assert 'method="post"' in html and "csrfmiddlewaretoken" not in html
    assert "finder/finder.css" in html
    assert not re.search(r'(src|href)="(https?:)?//(?!testserver/)', html)


def test_results_lists_fitting_trials_with_reasons_and_criteria(client, registry):
    response = client.post(
        RESULTS,
        {
            "age": "45",
            "sex": "FEMALE",
            "city": "四川成都",
            "diagnosis": "diffuse",
            "organs": ["digital_ulcers"],
            "text": "干细胞",
            "include_finished": "on",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("no-store")
    assert response["Referrer-Policy"] == "no-referrer"
    for nct_id in MSC_TRIALS:
        assert f'id="result-{nct_id}"' in html
    assert html.index("NCT03211793") < html.index("NCT00962923")  # open before finished
    assert "距离从成都市算起。" in html
    for nct_id in MSC_TRIALS:  # sites in Nanjing, Paris, Seoul and Utrecht: all on the map
        assert "公里。" in _article(html, nct_id).split("距成都市约 ", 1)[1].split("<", 1)[0]
    assert "需要医生确认" in html
    # every plain-words summary is marked as automatic, once per trial shown
    assert html.count("（自动生成的摘要，请以登记记录为准）") == html.count(
        '<article class="finder-result'
    )
    assert "数据来自 ClinicalTrials.gov" in html
    assert "https://clinicaltrials.gov/study/NCT00962923" in html
    assert "这份列表只是和医生商量的起点，不是医疗建议。" in html


def test_age_outside_range_goes_to_the_not_eligible_list(client, registry):
    response = client.post(RESULTS, {"age": "66", "text": "干细胞", "include_finished": "on"})
    html = response.content.decode()
    not_eligible = html[html.index('id="finder-not-eligible"') :]
    # NCT00962923 takes 15–65 year olds, NCT02213705 18–70: a 66-year-old fits only the second.
    assert 'id="result-NCT00962923"' in not_eligible
    assert 'id="result-NCT02213705"' not in not_eligible


def test_unknown_city_shows_close_matches(client, registry):
    response = client.post(RESULTS, {"city": "成堵"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "成堵" in html and "成都市" in html
    assert 'class="finder-error"' in html


def test_bad_age_is_a_form_error(client, db):
    response = client.post(RESULTS, {"age": "300"})
    assert response.status_code == 200
    assert 'class="finder-error"' in response.content.decode()


def test_english_page(client, registry):
    with translation.override("en"):
        response = client.post(
            "/en/finder/results/", {"text": "stem cells", "include_finished": "on"}
        )
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Trials that could fit you" in html
    assert "NCT00962923" in html


@pytest.mark.parametrize("path", [FORM, RESULTS])
def test_pages_send_privacy_headers(client, db, path):
    response = client.post(path, {"age": "40"})
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_answers_never_travel_in_a_url(client, registry):
    """Answers are posted: a GET of the results (a bookmark, a shared link) asks again, and
    "change my answers" posts them back to the form instead of putting them in a link."""
    response = client.get(RESULTS, {"age": "58", "text": "干细胞"})
    assert response.status_code == 302 and response["Location"] == FORM
    html = client.post(RESULTS, {"age": "58", "text": "干细胞", "organs": ["ild", "raynaud"]})
    html = html.content.decode()
    assert "?age=" not in html and "text=" not in html
    back = html[html.index('class="finder-back-form"') :]
    back = back[: back.index("</form>")]
    assert f'action="{FORM}"' in back and 'method="post"' in back
    assert 'name="age" value="58"' in back and 'name="text" value="干细胞"' in back
    assert 'name="organs" value="ild"' in back and 'name="organs" value="raynaud"' in back
    form = client.post(FORM, {"age": "58", "text": "干细胞", "organs": ["ild"]}).content.decode()
    assert 'value="58"' in form and "干细胞</textarea>" in form
