"""The one retry, pace and Retry-After policy every source shares, tested once.

Time is fake: `sleep` advances a clock instead of waiting, so every test asserts exactly which
waits the client asked for, and none of them waits.
"""

import datetime as dt

import httpx
import pytest
import respx
from django.test import override_settings

from core.http import (
    ClientError,
    Incomplete,
    PoliteClient,
    RequestError,
    RetriesExhausted,
    RetryAfterTooLong,
    retry_after,
)

BASE = "https://registry.test/api"
OK = httpx.Response(200, text="fine")


@pytest.fixture
def server():
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


@pytest.fixture
def make_client(fake_time):
    clients = []

    def make(base_url=BASE, **kwargs):
        options = {
            "timeout": 5,
            "min_interval": 1.0,
            "max_retries": 6,
            "max_retry_after": 900,
            "sleep": fake_time.sleep,
            "clock": fake_time.clock,
            "wall_clock": lambda: 1_786_000_000.0,
            "jitter": lambda: 1.0,
            **kwargs,
        }
        client = PoliteClient(base_url, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


# --- what is sent ------------------------------------------------------------------------------


@override_settings(HTTP_USER_AGENT="Handbook-Test/1 (+ops@example.org)", HTTP_TIMEOUT_SECONDS=7)
def test_user_agent_and_timeout_come_from_settings(server):
    route = server.get("/x").mock(return_value=OK)
    with PoliteClient(BASE + "/") as client:
        assert client.get("x").text == "fine"
    assert client.base_url == BASE
    request = route.calls.last.request
    assert request.headers["User-Agent"] == "Handbook-Test/1 (+ops@example.org)"
    assert request.extensions["timeout"] == {
        "connect": 7.0,
        "read": 7.0,
        "write": 7.0,
        "pool": 7.0,
    }


def test_extra_headers_and_post_forms_are_sent(server, make_client):
    route = server.post("/form").mock(return_value=OK)
    make_client(headers={"Accept": "application/json"}).post("form", data={"id": "1,2"})
    request = route.calls.last.request
    assert request.headers["Accept"] == "application/json"
    assert request.content == b"id=1%2C2"


def test_requests_sent_counts_every_attempt(server, make_client):
    server.get("/x").mock(side_effect=[httpx.Response(503), OK, OK])
    client = make_client()
    client.get("x")
    client.get("x")
    assert client.requests_sent == 3


# --- pace --------------------------------------------------------------------------------------


def test_two_quick_requests_are_min_interval_apart(server, make_client, fake_time):
    server.get("/x").mock(return_value=OK)
    client = make_client()
    client.get("x")
    assert fake_time.sleeps == []
    fake_time.now += 0.3
    client.get("x")
    assert fake_time.sleeps == [0.7]
    fake_time.now += 5
    client.get("x")
    assert fake_time.sleeps == [0.7]


def test_pace_applies_across_paths(server, make_client, fake_time):
    server.get("/a").mock(return_value=OK)
    server.get("/b").mock(return_value=OK)
    client = make_client(min_interval=2.5)
    client.get("a")
    client.get("b")
    client.get("a")
    assert fake_time.sleeps == [2.5, 2.5]


def test_each_client_keeps_its_own_pace(server, make_client, fake_time):
    server.get("/x").mock(return_value=OK)
    one, two = make_client(), make_client()
    one.get("x")
    two.get("x")
    assert fake_time.sleeps == []


# --- retries -----------------------------------------------------------------------------------


def test_server_errors_are_retried_with_growing_waits(server, make_client, fake_time):
    route = server.get("/x").mock(
        side_effect=[httpx.Response(500), httpx.Response(502), httpx.Response(503), OK]
    )
    assert make_client().get("x").text == "fine"
    assert route.call_count == 4
    assert fake_time.sleeps == [1.0, 2.0, 4.0]


def test_full_jitter_waits_a_random_share_of_the_backoff_but_keeps_the_pace(
    server, make_client, fake_time
):
    server.get("/x").mock(side_effect=[httpx.Response(503)] * 3 + [OK])
    make_client(jitter=lambda: 0.25).get("x")
    assert fake_time.sleeps == [0.25, 0.75, 0.5, 0.5, 1.0]


def test_backoff_is_capped(server, make_client, fake_time):
    server.get("/x").mock(side_effect=[httpx.Response(503)] * 3 + [OK])
    make_client(backoff_base=10, backoff_max=15).get("x")
    assert fake_time.sleeps == [10.0, 15.0, 15.0]


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("[Errno 104] Connection reset by peer"),
        httpx.ReadError("[Errno 104] Connection reset by peer"),
        httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
        httpx.ReadTimeout("The read operation timed out"),
        httpx.ConnectTimeout("timed out"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_network_failures_and_timeouts_are_retried(server, make_client, fake_time, error):
    route = server.get("/x").mock(side_effect=[error, OK])
    assert make_client().get("x").text == "fine"
    assert route.call_count == 2 and fake_time.sleeps == [1.0]


def test_an_incomplete_body_found_by_the_caller_is_retried(server, make_client, fake_time):
    route = server.get("/x").mock(
        side_effect=[httpx.Response(200, text="{"), httpx.Response(200, text='{"a": 1}')]
    )

    def read(response):
        if not response.text.endswith("}"):
            raise Incomplete(f"cut short after {len(response.content)} bytes")
        return response.text

    assert make_client().get("x", read=read) == '{"a": 1}'
    assert route.call_count == 2 and fake_time.sleeps == [1.0]


def test_an_incomplete_body_every_time_says_what_the_caller_saw(server, make_client):
    server.get("/x").mock(return_value=httpx.Response(200, text="{"))

    def read(response):
        raise Incomplete("cut short after 1 bytes")

    with pytest.raises(RetriesExhausted, match="last problem: cut short after 1 bytes$"):
        make_client(max_retries=1).get("x", read=read)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_client_errors_fail_at_once_with_the_url_and_the_servers_words(
    server, make_client, fake_time, status
):
    route = server.get("/studies").mock(
        return_value=httpx.Response(status, text="Invalid parameter:\n  filter.geo")
    )
    with pytest.raises(ClientError) as caught:
        make_client().get("studies", params={"q": "a b"})
    reason = httpx.codes.get_reason_phrase(status)
    assert str(caught.value) == (
        f"{BASE}/studies?q=a+b: HTTP {status} {reason}: "
        "the server said: Invalid parameter: filter.geo"
    )
    assert (caught.value.status_code, caught.value.server_said) == (
        status,
        "Invalid parameter: filter.geo",
    )
    assert caught.value.url == f"{BASE}/studies?q=a+b"
    assert route.call_count == 1 and fake_time.sleeps == []


def test_a_status_that_is_neither_success_nor_retried_is_an_error(server, make_client):
    server.get("/x").mock(return_value=httpx.Response(304))
    with pytest.raises(ClientError, match="HTTP 304 Not Modified"):
        make_client().get("x")


def test_when_retries_run_out_the_error_names_the_url_and_the_last_problem(
    server, make_client, fake_time
):
    route = server.get("/studies").mock(
        side_effect=[httpx.ConnectError("Connection reset by peer")]
        + [httpx.Response(503, text="Service down for maintenance")] * 2
    )
    with pytest.raises(RetriesExhausted) as caught:
        make_client(max_retries=2).get("studies", params={"query.cond": "systemic sclerosis"})
    assert str(caught.value) == (
        f"gave up on {BASE}/studies?query.cond=systemic+sclerosis after 3 attempts; "
        "last problem: HTTP 503 Service Unavailable: the server said: Service down for maintenance"
    )
    assert route.call_count == 3 and fake_time.sleeps == [1.0, 2.0]
    assert isinstance(caught.value, RequestError)


def test_a_network_error_as_the_last_problem_is_named_with_its_own_words(server, make_client):
    server.get("/version").mock(side_effect=httpx.ConnectError("Connection reset by peer"))
    with pytest.raises(RetriesExhausted) as caught:
        make_client(max_retries=0).get("version")
    assert str(caught.value) == (
        f"gave up on {BASE}/version after 1 attempt; "
        "last problem: ConnectError: Connection reset by peer"
    )


def test_a_timeout_every_time_says_how_long_we_waited(server, make_client):
    server.get("/x").mock(side_effect=httpx.ReadTimeout("The read operation timed out"))
    with pytest.raises(RetriesExhausted, match=r"ReadTimeout: no answer within 5 s \(The read"):
        make_client(max_retries=1).get("x")


def test_errors_never_show_credentials_or_redacted_parameters(make_client):
    with respx.mock(base_url="https://mirror.example/api") as mirror:
        mirror.get("/x").mock(return_value=httpx.Response(404, text="no"))
        client = make_client(base_url="https://sync:s3cret@mirror.example/api", redact=("api_key",))
        with pytest.raises(ClientError) as caught:
            client.get("x", params={"api_key": "k3y-s3cret", "term": "NCT1"})
    message = str(caught.value)
    assert "s3cret" not in message and "sync:" not in message
    assert caught.value.url == "https://mirror.example/api/x?api_key=%E2%80%A6&term=NCT1"


def test_negative_retries_are_refused():
    with pytest.raises(ValueError, match="max_retries cannot be negative"):
        PoliteClient(BASE, max_retries=-1)


# --- Retry-After -------------------------------------------------------------------------------


def test_429_with_retry_after_seconds_waits_that_long(server, make_client, fake_time):
    route = server.get("/x").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "7"}), OK]
    )
    assert make_client().get("x").text == "fine"
    assert route.call_count == 2 and fake_time.sleeps == [7.0]


def test_retry_after_on_a_5xx_is_honoured_too(server, make_client, fake_time):
    server.get("/x").mock(side_effect=[httpx.Response(503, headers={"Retry-After": "3"}), OK])
    make_client().get("x")
    assert fake_time.sleeps == [3.0]


def test_an_http_date_is_measured_against_the_response_date(server, make_client, fake_time):
    limited = httpx.Response(
        429,
        headers={
            "Retry-After": "Tue, 11 Aug 2026 23:00:30 GMT",
            "Date": "Tue, 11 Aug 2026 23:00:00 GMT",
        },
    )
    server.get("/x").mock(side_effect=[limited, OK])
    make_client(wall_clock=lambda: 0.0).get("x")
    assert fake_time.sleeps == [30.0]


def test_an_http_date_without_a_date_header_uses_the_wall_clock(server, make_client, fake_time):
    limited = httpx.Response(429, headers={"Retry-After": "Tue, 11 Aug 2026 23:00:30 GMT"})
    server.get("/x").mock(side_effect=[limited, OK])
    make_client(wall_clock=lambda: 1_786_489_220.0).get("x")
    assert fake_time.sleeps == [10.0]


def test_a_retry_after_shorter_than_the_pace_is_topped_up_to_it(server, make_client, fake_time):
    server.get("/x").mock(side_effect=[httpx.Response(503, headers={"Retry-After": "0"}), OK])
    make_client().get("x")
    assert fake_time.sleeps == [1.0]


def test_429_without_retry_after_backs_off(server, make_client, fake_time):
    server.get("/x").mock(side_effect=[httpx.Response(429), OK])
    make_client(jitter=lambda: 0.5).get("x")
    assert fake_time.sleeps == [0.5, 0.5]


def test_an_over_long_retry_after_fails_at_once_saying_when_to_retry(
    server, make_client, fake_time
):
    route = server.get("/x").mock(
        return_value=httpx.Response(
            429, headers={"Retry-After": "3600"}, text="API rate limit exceeded"
        )
    )
    with pytest.raises(RetryAfterTooLong) as caught:
        make_client(max_retry_after=600, wall_clock=lambda: 1_786_489_200.0).get("x")
    error = caught.value
    assert str(error) == (
        f"{BASE}/x: the server asks us to wait 3600 s before trying again, longer than the "
        "600 s we wait within a run; retry after 2026-08-12 00:00:00 UTC. Last problem: "
        "HTTP 429 Too Many Requests: the server said: API rate limit exceeded"
    )
    assert error.retry_after == 3600.0
    assert error.retry_at == dt.datetime(2026, 8, 12, 0, 0, tzinfo=dt.UTC)
    assert (error.status_code, error.server_said) == (429, "API rate limit exceeded")
    assert route.call_count == 1 and fake_time.sleeps == []


def test_a_retry_after_at_the_limit_is_waited_out(server, make_client, fake_time):
    server.get("/x").mock(side_effect=[httpx.Response(429, headers={"Retry-After": "600"}), OK])
    make_client(max_retry_after=600).get("x")
    assert fake_time.sleeps == [600.0]


@override_settings(HTTP_MAX_RETRY_AFTER_SECONDS=20)
def test_the_longest_wait_comes_from_settings(server, fake_time):
    server.get("/x").mock(return_value=httpx.Response(429, headers={"Retry-After": "21"}))
    with PoliteClient(BASE, sleep=fake_time.sleep, clock=fake_time.clock) as client:
        assert client.max_retry_after == 20.0
        with pytest.raises(RetryAfterTooLong):
            client.get("x")
    assert fake_time.sleeps == []


@pytest.mark.parametrize(
    "headers, expected",
    [
        ({}, None),
        ({"Retry-After": "12"}, 12.0),
        ({"Retry-After": " 1.5 "}, 1.5),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "-3"}, None),
        # A date in the past (by the server's own clock) means "now".
        (
            {
                "Retry-After": "Tue, 11 Aug 2026 22:59:00 GMT",
                "Date": "Tue, 11 Aug 2026 23:00:00 GMT",
            },
            0.0,
        ),
        # An unreadable Date header falls back to the wall clock.
        ({"Retry-After": "Tue, 11 Aug 2026 23:00:30 GMT", "Date": "yesterday"}, 10.0),
    ],
)
def test_retry_after_values(headers, expected):
    response = httpx.Response(429, headers=headers)
    assert retry_after(response, lambda: 1_786_489_220.0) == expected
