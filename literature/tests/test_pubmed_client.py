"""The E-utilities client against recorded answers: parameters, NCBI's pace, batching, errors.

The retry and Retry-After policy is `core.http`'s and tested there once.
"""

import httpx
import pytest
import respx
from django.test import override_settings

from core.http import RetriesExhausted
from literature.sources.pubmed import (
    PubMedBadResponse,
    PubMedClient,
    PubMedRequestError,
)

from .conftest import (
    BASE_URL,
    EFETCH,
    ESEARCH,
    efetch_body,
    esearch_body,
    fixture_bytes,
    request_params,
)


def recorded(name, status=200, headers=None):
    return httpx.Response(status, content=fixture_bytes(name), headers=headers)


RATE_LIMITED = "ratelimit-429.json"


@respx.mock
def test_search_si_sends_one_tagged_esearch_per_trial(make_client):
    route = respx.get(ESEARCH).mock(
        side_effect=[
            recorded("esearch/esearch-NCT02149199.xml"),
            recorded("esearch/esearch-no-hits-NCT00962923.xml"),
        ]
    )
    client = make_client()
    found = client.search_si(["nct02149199", "NCT00962923"])
    assert found == {"NCT02149199": ["29768149"], "NCT00962923": []}
    params = request_params(route.calls[0].request)
    assert params == {
        "db": "pubmed",
        "term": "NCT02149199[si]",
        "retmode": "xml",
        "retmax": "200",
        "tool": "living-handbook",
        "email": "handbook@example.org",
    }
    assert "api_key" not in request_params(route.calls[1].request)


@respx.mock
def test_one_search_for_many_trials_ors_their_numbers(make_client):
    route = respx.get(ESEARCH).mock(
        return_value=recorded("esearch/esearch-NCT02149199-OR-NCT01245062.xml")
    )
    pmids = make_client().search_si_any(["NCT02149199", "NCT01245062"])
    assert pmids == ["29768149", "22663011"]
    assert route.call_count == 1
    assert request_params(route.calls[0].request)["term"] == "NCT02149199[si] OR NCT01245062[si]"


@respx.mock
def test_search_pages_through_long_answers(make_client):
    route = respx.get(ESEARCH).mock(
        side_effect=[
            httpx.Response(200, content=esearch_body(["3", "2"], "NCT02149199[si]", count=3)),
            httpx.Response(200, content=esearch_body(["1"], "NCT02149199[si]", count=3)),
        ]
    )
    assert make_client().search_si(["NCT02149199"]) == {"NCT02149199": ["3", "2", "1"]}
    assert "retstart" not in request_params(route.calls[0].request)
    assert request_params(route.calls[1].request)["retstart"] == "2"


def test_bad_nct_numbers_are_refused_before_any_request(make_client):
    with pytest.raises(ValueError, match="not an NCT number"):
        make_client().search_si(["NCT123"])


@respx.mock
def test_requests_are_paced_to_three_a_second_without_a_key(make_client, clock):
    respx.get(ESEARCH).mock(return_value=recorded("esearch/esearch-NCT02149199.xml"))
    client = make_client()
    client.search_si(["NCT02149199", "NCT02149198", "NCT02149197"])
    assert clock.sleeps == pytest.approx([1 / 3, 1 / 3])


@respx.mock
def test_with_an_api_key_ten_a_second_and_the_key_is_sent(make_client, clock):
    route = respx.get(ESEARCH).mock(return_value=recorded("esearch/esearch-NCT02149199.xml"))
    client = make_client(api_key="k3y")
    client.search_si(["NCT02149199", "NCT02149198"])
    assert clock.sleeps == pytest.approx([0.1])
    assert request_params(route.calls[0].request)["api_key"] == "k3y"


@respx.mock
def test_retries_run_out_with_an_error_naming_the_request(make_client, clock):
    route = respx.get(ESEARCH).mock(return_value=recorded(RATE_LIMITED, 429))
    client = make_client(api_key="s3cret-key", max_retries=2)
    with pytest.raises(PubMedRequestError) as caught:
        client.search_si(["NCT02149199"])
    message = str(caught.value)
    assert message.startswith(
        f"esearch NCT02149199[si]: gave up on {ESEARCH}?db=pubmed&term=NCT02149199%5Bsi%5D&"
    )
    assert "&api_key=%E2%80%A6" in message
    assert "after 3 attempts; last problem: HTTP 429 Too Many Requests: the server said: " in (
        message
    )
    assert "API rate limit exceeded" in message
    assert "s3cret-key" not in message and "s3cret-key" not in caught.value.url
    assert isinstance(caught.value.__cause__, RetriesExhausted)
    assert route.call_count == 3


@respx.mock
def test_client_errors_are_not_retried(make_client):
    route = respx.get(ESEARCH).mock(
        return_value=httpx.Response(400, json={"error": "API key invalid"})
    )
    with pytest.raises(PubMedRequestError) as caught:
        make_client().search_si(["NCT02149199"])
    assert str(caught.value).startswith(f"esearch NCT02149199[si]: {ESEARCH}?")
    assert str(caught.value).endswith(
        ': HTTP 400 Bad Request: the server said: {"error":"API key invalid"}'
    )
    assert caught.value.status_code == 400 and route.call_count == 1


@respx.mock
def test_fetch_reads_records_and_omits_unknown_pmids(make_client):
    route = respx.get(EFETCH).mock(
        return_value=recorded("efetch/pubmed-29768149.xml"),
    )
    papers = make_client().fetch(["29768149", "1"])
    assert [paper.pmid for paper in papers] == ["29768149"]
    params = request_params(route.calls[0].request)
    assert (params["id"], params["retmode"], params["db"]) == ("29768149,1", "xml", "pubmed")


@respx.mock
def test_fetch_batches_200_pmids_and_posts_long_lists(make_client):
    route = respx.route(url=EFETCH).mock(return_value=httpx.Response(200, content=efetch_body([])))
    pmids = [str(30000000 + number) for number in range(450)]
    make_client().fetch(pmids)
    batches = [request_params(call.request)["id"].split(",") for call in route.calls]
    assert [len(batch) for batch in batches] == [200, 200, 50]
    assert sum(batches, []) == pmids
    assert [call.request.method for call in route.calls] == ["POST", "POST", "GET"]


@respx.mock
def test_malformed_efetch_is_a_bad_response_not_a_retry(make_client):
    route = respx.get(EFETCH).mock(
        return_value=recorded("broken/broken-truncated-pubmed-29768149.xml")
    )
    with pytest.raises(PubMedBadResponse, match=r"^efetch of 1 PMID\(s\) \(29768149\): the answer"):
        make_client().fetch(["29768149"])
    assert route.call_count == 1


def test_fetch_refuses_what_is_not_a_pmid(make_client):
    with pytest.raises(ValueError, match="not a PMID"):
        make_client().fetch(["PMC123"])


@override_settings(
    ENTREZ_BASE_URL="https://mirror.test/eutils/",
    ENTREZ_EMAIL="ops@example.org",
    ENTREZ_API_KEY="abc",
    HTTP_TIMEOUT_SECONDS=7,
)
def test_settings_choose_server_contact_key_and_pace():
    with PubMedClient.from_settings() as client:
        assert client.http.base_url == "https://mirror.test/eutils"
        assert (client.email, client.api_key) == ("ops@example.org", "abc")
        assert client.http.timeout == 7.0
        assert client.http.min_interval == pytest.approx(0.1)


def test_the_default_server_is_ncbi():
    with PubMedClient() as client:
        assert client.http.base_url == "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
        assert client.http.min_interval == pytest.approx(1 / 3)
    assert BASE_URL != client.http.base_url
