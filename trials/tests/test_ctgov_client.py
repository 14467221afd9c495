"""The ClinicalTrials.gov client against responses recorded from the live API, served by respx.

The retry, pace and Retry-After policy is `core.http`'s and tested there once; these tests
cover what is the registry's own: parameters, paging, its errors, and the cut-short body.

Time is fake: `sleep` advances a clock instead of waiting, so every test asserts exactly which
waits the client asked for, and none of them waits.
"""

import itertools
import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import respx
from django.test import override_settings

from core import http
from trials.records import RecordError
from trials.sources.api_v2 import parse_study
from trials.sources.clinicaltrials_gov import (
    ClinicalTrialsGovClient,
    ClinicalTrialsGovError,
    PageTokenExpired,
    RetriesExhausted,
    RetryAfterTooLong,
    StudyNotFound,
)

BASE = "https://clinicaltrials.gov/api/v2"
FIXTURES = Path(__file__).parent / "fixtures" / "api-v2"
RECORDED = FIXTURES / "recorded"
SPEC = FIXTURES / "openapi" / "ctg-oas-v2_2.0.5.yaml"
PHELAN_5 = (RECORDED / "search_phelan_limit5_20260811.json").read_bytes()
PHELAN_NEXT = (RECORDED / "search_phelan_next_20260811.json").read_bytes()
PHELAN_50 = (RECORDED / "search_phelan_limit50_20260811.json").read_bytes()
GET_NCT02576665 = (RECORDED / "get_nct02576665_20260811.json").read_bytes()
PHELAN_TOKEN = json.loads(PHELAN_5)["nextPageToken"]
# The fields biomcp asked for when it recorded these responses (capture-receipts.subset.json).
RECORDED_FIELDS = [
    "NCTId",
    "BriefTitle",
    "OverallStatus",
    "Phase",
    "StudyType",
    "Condition",
    "InterventionName",
    "LeadSponsorName",
    "EnrollmentCount",
    "BriefSummary",
    "StartDate",
    "CompletionDate",
    "MinimumAge",
    "MaximumAge",
]
# The second page's request exactly as recorded on 2026-08-11.
RECORDED_NEXT_URL = (
    "https://clinicaltrials.gov/api/v2/studies?query.cond=Phelan-McDermid+Syndrome"
    "&countTotal=true&pageToken=ZVt07cGHkvI2wRk2CJf6_LLq14bEL8swd7KrgP4dnDeTsPkw&pageSize=5"
    "&fields=NCTId%2CBriefTitle%2COverallStatus%2CPhase%2CStudyType%2CCondition%2C"
    "InterventionName%2CLeadSponsorName%2CEnrollmentCount%2CBriefSummary%2CStartDate%2C"
    "CompletionDate%2CMinimumAge%2CMaximumAge"
)


@pytest.fixture
def registry():
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


@pytest.fixture
def make_client(fake_time):
    clients = []

    def make(**kwargs):
        options = {
            "base_url": BASE,
            "timeout": 5,
            "min_interval": 1.0,
            "sleep": fake_time.sleep,
            "clock": fake_time.clock,
            "wall_clock": lambda: 1_786_000_000.0,
            "jitter": lambda: 1.0,
            **kwargs,
        }
        client = ClinicalTrialsGovClient(**options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def query(request: httpx.Request) -> dict[str, str]:
    return dict(parse_qsl(request.url.query.decode(), keep_blank_values=True))


def json_response(body: bytes, status: int = 200, **headers) -> httpx.Response:
    return httpx.Response(
        status, content=body, headers={"Content-Type": "application/json", **headers}
    )


def spec_parameters(path: str) -> set[str]:
    """The query parameter names the OpenAPI description lists for one path's GET."""
    text = SPEC.read_text(encoding="utf-8")
    start = text.index(f"\n  {path}:\n")
    end = text.find("\n  /", start + 1)
    section = text[start:end]
    return set(re.findall(r'\n      - name: "([^"]+)"\n        in: "query"', section))


# --- paging with the recorded responses -----------------------------------------------------------


def test_iter_pages_follows_the_recorded_next_page_token(registry, make_client):
    second = registry.get("/studies", params={"pageToken": PHELAN_TOKEN}).mock(
        return_value=json_response(PHELAN_NEXT)
    )
    first = registry.get("/studies").mock(return_value=json_response(PHELAN_5))
    client = make_client()
    pages = client.iter_pages(
        cond="Phelan-McDermid Syndrome", fields=RECORDED_FIELDS, page_size=5, count_total=True
    )
    one, two = itertools.islice(pages, 2)
    assert [s["protocolSection"]["identificationModule"]["nctId"] for s in one.studies] == [
        "NCT02710084",
        "NCT05105685",
        "NCT01525901",
        "NCT03493607",
        "NCT07119606",
    ]
    assert (one.total_count, one.next_page_token) == (21, PHELAN_TOKEN)
    assert two.studies[0]["protocolSection"]["identificationModule"]["nctId"] == "NCT05187377"
    assert two.total_count is None
    assert two.next_page_token == "ZVt07cGHkvI2wRk2CJf6_LLq14bEL8swd7KrgP4bmjeauvk_IQ"
    assert (first.call_count, second.call_count) == (1, 1)
    assert "pageToken" not in query(first.calls.last.request)
    sent = query(second.calls.last.request)
    recorded = dict(parse_qsl(urlsplit(RECORDED_NEXT_URL).query))
    assert sent.pop("fields").split("|") == recorded.pop("fields").split(",")
    assert sent == {**recorded, "format": "json", "markupFormat": "markdown"}


def test_iter_pages_asks_for_a_page_only_when_it_is_wanted(registry, make_client):
    registry.get("/studies", params={"pageToken": PHELAN_TOKEN}).mock(
        return_value=json_response(PHELAN_NEXT)
    )
    route = registry.get("/studies").mock(return_value=json_response(PHELAN_5))
    pages = make_client().iter_pages(cond="Phelan-McDermid Syndrome", page_size=5)
    assert next(pages).next_page_token == PHELAN_TOKEN
    assert route.call_count == 1 and len(registry.calls) == 1


def test_iter_pages_stops_at_a_page_without_a_token(registry, make_client, fake_time):
    route = registry.get("/studies").mock(return_value=json_response(PHELAN_50))
    pages = list(make_client().iter_pages(cond="Phelan-McDermid Syndrome", page_size=50))
    assert len(pages) == 1 and route.call_count == 1
    assert (pages[0].total_count, pages[0].next_page_token, len(pages[0].studies)) == (3, None, 3)
    assert fake_time.sleeps == []


def test_a_page_that_gives_back_its_own_token_does_not_loop_forever(registry, make_client):
    looping = json.dumps({"studies": [], "nextPageToken": "same"}).encode()
    registry.get("/studies").mock(return_value=json_response(looping))
    with pytest.raises(ClinicalTrialsGovError, match="returned the page token it was given"):
        list(make_client(min_interval=0).iter_pages(cond="x", page_token="same"))


def test_an_expired_token_mid_query_reaches_the_caller(registry, make_client):
    registry.get("/studies", params={"pageToken": PHELAN_TOKEN}).mock(
        return_value=httpx.Response(400, text="Invalid page token")
    )
    registry.get("/studies").mock(return_value=json_response(PHELAN_5))
    pages = make_client().iter_pages(cond="Phelan-McDermid Syndrome", page_size=5)
    assert next(pages).studies
    with pytest.raises(PageTokenExpired):
        next(pages)


# --- what is sent --------------------------------------------------------------------------------


def test_search_parameters_use_the_spec_names_and_separators(registry, make_client):
    route = registry.get("/studies").mock(return_value=json_response(PHELAN_50))
    make_client().search_page(
        cond="systemic sclerosis",
        term="AREA[LastUpdatePostDate]RANGE[2026-01-01,MAX]",
        ids=["NCT00962923", "nct02213705"],
        overall_status=["RECRUITING", "NOT_YET_RECRUITING"],
        fields=["NCTId", "OverallStatus"],
        page_size=1000,
        page_token="abc",
        count_total=True,
    )
    sent = query(route.calls.last.request)
    assert sent == {
        "format": "json",
        "markupFormat": "markdown",
        "query.cond": "systemic sclerosis",
        "query.term": "AREA[LastUpdatePostDate]RANGE[2026-01-01,MAX]",
        "filter.ids": "NCT00962923|NCT02213705",
        "filter.overallStatus": "RECRUITING|NOT_YET_RECRUITING",
        "fields": "NCTId|OverallStatus",
        "pageSize": "1000",
        "pageToken": "abc",
        "countTotal": "true",
    }
    assert set(sent) <= spec_parameters("/studies")


def test_comma_separated_strings_are_sent_pipe_separated(registry, make_client):
    route = registry.get("/studies").mock(return_value=json_response(PHELAN_50))
    make_client().search_page(ids="NCT00962923, NCT02213705", overall_status="RECRUITING")
    sent = query(route.calls.last.request)
    assert (sent["filter.ids"], sent["filter.overallStatus"]) == (
        "NCT00962923|NCT02213705",
        "RECRUITING",
    )
    assert "countTotal" not in sent and "query.cond" not in sent


def test_get_study_returns_the_recorded_study(registry, make_client):
    route = registry.get("/studies/NCT02576665").mock(return_value=json_response(GET_NCT02576665))
    study = make_client().get_study("nct02576665", fields=["NCTId", "BriefTitle"])
    assert study["protocolSection"]["identificationModule"]["nctId"] == "NCT02576665"
    sent = query(route.calls.last.request)
    assert sent == {"format": "json", "markupFormat": "markdown", "fields": "NCTId|BriefTitle"}
    assert set(sent) <= spec_parameters("/studies/{nctId}")
    trial = parse_study(
        study, source="GET", expected_nct_id="NCT02576665", snapshot_date="2026-08-11"
    )
    assert (trial.record.overall_status, trial.record.phases) == ("TERMINATED", ["PHASE1"])


@override_settings(HTTP_USER_AGENT="LivingHandbook/0.1 (+https://www.sscchina.org; handbook sync)")
def test_headers_say_who_is_asking(registry, make_client):
    route = registry.get("/version").mock(
        return_value=httpx.Response(200, json={"apiVersion": "2.0.5", "dataTimestamp": "x"})
    )
    make_client().version()
    headers = route.calls.last.request.headers
    assert headers["User-Agent"] == "LivingHandbook/0.1 (+https://www.sscchina.org; handbook sync)"
    assert headers["Accept"] == "application/json"


def test_version_gives_the_registry_data_timestamp(registry, make_client):
    """Shaped as the spec's `Version` schema says (no recorded /version response exists)."""
    body = {"apiVersion": "2.0.5", "dataTimestamp": "2026-08-11T09:00:05"}
    registry.get("/version").mock(return_value=httpx.Response(200, json=body))
    assert make_client().version() == body


def test_version_without_api_version_is_an_error(registry, make_client):
    registry.get("/version").mock(return_value=httpx.Response(200, json={"studies": []}))
    with pytest.raises(ClinicalTrialsGovError, match=f"^{BASE}/version did not answer"):
        make_client().version()


@pytest.mark.parametrize(
    "kwargs, reason",
    [
        ({"page_size": 0}, "between 1 and 1000, not 0"),
        ({"page_size": 1001}, "between 1 and 1000, not 1001"),
        ({"page_size": True}, "whole number"),
        ({"ids": ["NCT00962923", "12345678", "NCT0"]}, "not NCT numbers: 12345678, NCT0"),
        ({"fields": [" "]}, "fields must name at least one value"),
    ],
)
def test_requests_the_spec_forbids_are_not_sent(registry, make_client, kwargs, reason):
    with pytest.raises(ValueError, match=reason):
        make_client().search_page(**kwargs)
    assert len(registry.calls) == 0


@pytest.mark.parametrize("nct_id", ["NCT0096292", "../version", "", "NCT009629234"])
def test_get_study_refuses_what_is_not_an_nct_id(registry, make_client, nct_id):
    with pytest.raises(ValueError, match="is not an NCT number"):
        make_client().get_study(nct_id)
    assert len(registry.calls) == 0


@override_settings(
    CTGOV_API_BASE="https://mirror.example/api/v2/",
    CTGOV_REQUEST_INTERVAL=2.5,
    CTGOV_MAX_RETRIES=3,
    CTGOV_BACKOFF_SECONDS=0.5,
    HTTP_TIMEOUT_SECONDS=7,
)
def test_defaults_come_from_settings_when_the_client_is_made():
    with ClinicalTrialsGovClient() as client:
        assert client.http.base_url == "https://mirror.example/api/v2"
        assert (client.http.min_interval, client.http.timeout) == (2.5, 7.0)
        assert (client.http.max_retries, client.http.backoff_base) == (3, 0.5)


# --- what the registry needs retried, and how failures reach the sync ----------------------


def test_a_cut_short_body_is_retried(registry, make_client, fake_time):
    route = registry.get("/studies").mock(
        side_effect=[
            json_response(PHELAN_5[: len(PHELAN_5) // 2]),
            json_response(b""),
            json_response(PHELAN_5),
        ]
    )
    page = make_client().search_page(cond="Phelan-McDermid Syndrome", page_size=5)
    assert page.total_count == 21 and route.call_count == 3
    assert fake_time.sleeps == [1.0, 2.0]


def test_when_retries_run_out_the_error_names_the_url_and_the_last_problem(
    registry, make_client, fake_time
):
    route = registry.get("/studies").mock(
        side_effect=[httpx.ConnectError("Connection reset by peer")] + [httpx.Response(503)] * 2
    )
    with pytest.raises(RetriesExhausted) as caught:
        make_client(max_retries=2).search_page(cond="systemic sclerosis")
    message = str(caught.value)
    assert message.startswith(f"gave up on {BASE}/studies?format=json&")
    assert "query.cond=systemic+sclerosis" in message
    assert message.endswith("after 3 attempts; last problem: HTTP 503 Service Unavailable")
    assert route.call_count == 3 and fake_time.sleeps == [1.0, 2.0]
    assert isinstance(caught.value, ClinicalTrialsGovError)
    assert isinstance(caught.value, http.RetriesExhausted)


def test_an_over_long_retry_after_reaches_the_sync_as_a_registry_error(
    registry, make_client, fake_time
):
    registry.get("/studies").mock(
        return_value=httpx.Response(429, headers={"Retry-After": "7200"}, text="slow down")
    )
    with pytest.raises(RetryAfterTooLong) as caught:
        make_client(max_retry_after=900).search_page(cond="x")
    assert isinstance(caught.value, ClinicalTrialsGovError)
    assert caught.value.retry_after == 7200.0 and caught.value.server_said == "slow down"
    assert "retry after 2026-08-06 09:06:40 UTC" in str(caught.value)
    assert fake_time.sleeps == []


# --- errors retrying cannot fix ----------------------------------------------------------------


def test_404_for_a_study_is_study_not_found(registry, make_client, fake_time):
    registry.get("/studies/NCT09999999").mock(
        return_value=httpx.Response(404, text="Study NCT09999999 not found")
    )
    with pytest.raises(StudyNotFound) as caught:
        make_client().get_study("NCT09999999")
    assert str(caught.value) == (
        f"{BASE}/studies/NCT09999999?format=json&markupFormat=markdown: HTTP 404 Not Found: "
        "the server said: Study NCT09999999 not found"
    )
    assert caught.value.status_code == 404 and fake_time.sleeps == []


@pytest.mark.parametrize("status", [400, 403, 410])
def test_other_client_errors_fail_at_once(registry, make_client, fake_time, status):
    route = registry.get("/studies").mock(
        return_value=httpx.Response(status, text="Invalid parameter: filter.geo")
    )
    with pytest.raises(ClinicalTrialsGovError) as caught:
        make_client().search_page(cond="x")
    assert type(caught.value) is ClinicalTrialsGovError
    assert f"{BASE}/studies?" in str(caught.value)
    assert str(caught.value).endswith(
        f": HTTP {status} {httpx.codes.get_reason_phrase(status)}: "
        "the server said: Invalid parameter: filter.geo"
    )
    assert route.call_count == 1 and fake_time.sleeps == []


def test_400_on_a_request_with_a_page_token_is_page_token_expired(registry, make_client):
    route = registry.get("/studies").mock(
        return_value=httpx.Response(400, text="pageToken is expired")
    )
    with pytest.raises(PageTokenExpired) as caught:
        make_client().search_page(cond="x", page_token=PHELAN_TOKEN)
    assert str(caught.value).endswith(
        ": refused the page token (expired or invalid; restart the query): "
        "the server said: pageToken is expired"
    )
    assert caught.value.status_code == 400 and route.call_count == 1


def test_a_page_that_is_valid_json_but_not_a_page_is_an_error(registry, make_client):
    registry.get("/studies").mock(return_value=json_response(GET_NCT02576665))
    with pytest.raises(ClinicalTrialsGovError, match="did not answer with a page of studies"):
        make_client().search_page(cond="x")


def test_an_alias_is_redirected_to_the_trial_that_absorbed_it(registry, make_client):
    """The spec: an NCT ID found in NCTIdAlias gets a 301 to the actual study. NCT00980226 is
    an alias of NCT00081588 (AACT's `NCT00980226-id-mismatch.xml`)."""
    registry.get("/studies/NCT00980226").mock(
        return_value=httpx.Response(
            301, headers={"Location": f"{BASE}/studies/NCT00081588?format=json"}
        )
    )
    absorbed = {
        "protocolSection": {
            "identificationModule": {"nctId": "NCT00081588", "nctIdAliases": ["NCT00980226"]}
        }
    }
    registry.get("/studies/NCT00081588").mock(return_value=httpx.Response(200, json=absorbed))
    study = make_client().get_study("NCT00980226")
    with pytest.raises(RecordError, match=r"\(NCT00980226 is an alias of NCT00081588\)$"):
        parse_study(study, source="GET", expected_nct_id="NCT00980226", snapshot_date="2026-08-11")
    assert parse_study(study, source="GET", snapshot_date="2026-08-11").record.nct_id == (
        "NCT00081588"
    )
