"""One polite HTTP client for every outside source (ClinicalTrials.gov, PubMed, the next registry).

The daily job asks public services for thousands of records over networks, including from
mainland China, where connections reset and responses arrive cut short, and the services ask
us to keep a pace and answer 429 when we do not. Each source used to carry its own retry loop;
this is the one policy they share:

- **Pace.** Requests from one client start at least `min_interval` seconds apart, retries
  included, whatever else happens.
- **Retries.** Network errors, timeouts, HTTP 429 and 5xx, and a 200 whose body the caller's
  `read` finds incomplete (it raises `Incomplete`) are tried again, at most `max_retries`
  times, with exponential backoff and full jitter: a random share of
  `min(backoff_max, backoff_base × 2^n)`. Anything else (other 4xx, other statuses, a request
  httpx cannot even build) fails at once.
- **Retry-After.** Given as seconds or as an HTTP-date; a date is measured against the
  response's own `Date` header when it has one, so a wrong local clock cannot turn "in 30
  seconds" into "an hour ago" or "tomorrow" (our wall clock is used only without `Date`).
  When given, it replaces the backoff (the pace still applies).
- **An over-long Retry-After fails at once.** When the server asks for more than
  `max_retry_after` seconds (settings `HTTP_MAX_RETRY_AFTER_SECONDS`), the client does not
  sleep for hours inside the daily job: it raises `RetryAfterTooLong`, whose message says how
  long the server asked for and from when to try again (UTC). The runs of the daily job are
  resumable, so the next run takes over.
- **Errors say what happened**: the URL (without credentials, and without the values of the
  query parameters named in `redact`, such as an API key) and the server's own words (the start
  of the body), in every exception.

Base URLs and the User-Agent come from settings through the caller (`HTTP_USER_AGENT`,
`HTTP_TIMEOUT_SECONDS`); `sleep`, `clock`, `wall_clock` and `jitter` are injectable so that tests
never wait and never depend on chance.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import random
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

import httpx
from django.conf import settings

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_RETRYABLE_ERRORS = (httpx.TransportError, httpx.DecodingError)
_EXCERPT_CHARS = 300
_SECONDS = re.compile(r"\d+(\.\d+)?")


class RequestError(Exception):
    """A request did not give a usable answer. The message names the URL and, when the server
    answered, what it said; `url`, `status_code` and `server_said` are kept for callers."""

    def __init__(
        self,
        message: str,
        *,
        url: str = "",
        status_code: int | None = None,
        server_said: str = "",
    ):
        super().__init__(message)
        self.url = url
        self.status_code = status_code
        self.server_said = server_said


class ClientError(RequestError):
    """The server refused the request in a way retrying cannot fix (4xx other than 429, or a
    status that is neither success nor worth retrying)."""


class RetriesExhausted(RequestError):
    """Every attempt failed with a problem worth retrying; the last one is in the message."""


class RetryAfterTooLong(RequestError):
    """The server asked us to wait longer than we wait inside one run; `retry_at` says when."""

    def __init__(self, message: str, *, retry_after: float, retry_at: dt.datetime, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
        self.retry_at = retry_at


class Incomplete(Exception):
    """Raised by a caller's `read` when a successful answer is not whole (cut short, not
    parseable): the request is tried again like a network error."""


def default_user_agent() -> str:
    return settings.HTTP_USER_AGENT


class PoliteClient:
    """Paced, retrying GET and POST against one base URL. Thread-unsafe; one per run.

    `requests_sent` counts every attempt that went out (retries included), for run records.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float | None = None,
        min_interval: float = 0.0,
        max_retries: int = 4,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        max_retry_after: float | None = None,
        user_agent: str | None = None,
        headers: dict[str, str] | None = None,
        redact: Iterable[str] = (),
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
    ):
        if max_retries < 0:
            raise ValueError("max_retries cannot be negative")
        if min_interval < 0:
            raise ValueError("min_interval cannot be negative")
        self.base_url = base_url.rstrip("/")
        self.timeout = float(settings.HTTP_TIMEOUT_SECONDS if timeout is None else timeout)
        self.min_interval = float(min_interval)
        self.max_retries = max_retries
        self.backoff_base = float(backoff_base)
        self.backoff_max = float(backoff_max)
        self.max_retry_after = float(
            settings.HTTP_MAX_RETRY_AFTER_SECONDS if max_retry_after is None else max_retry_after
        )
        self.user_agent = user_agent or default_user_agent()
        self.redact = frozenset(redact)
        self.requests_sent = 0
        self._sleep = sleep
        self._clock = clock
        self._wall_clock = wall_clock
        self._jitter = jitter
        self._last_request: float | None = None
        self._http = httpx.Client(
            base_url=self.base_url + "/",
            timeout=httpx.Timeout(self.timeout),
            headers={"User-Agent": self.user_agent, **(headers or {})},
            follow_redirects=True,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get(self, path: str, *, params: dict | None = None, read: Callable | None = None) -> Any:
        return self.request("GET", path, params=params, read=read)

    def post(self, path: str, *, data: dict | None = None, read: Callable | None = None) -> Any:
        return self.request("POST", path, data=data, read=read)

    def build_url(self, path: str, params: dict | None = None) -> str:
        """The URL a GET of `path` would fetch, as errors show it."""
        return self.public_url(self._http.build_request("GET", path, params=params).url)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        data: dict | None = None,
        read: Callable[[httpx.Response], Any] | None = None,
    ) -> Any:
        """Send one request, paced and retried; give back `read(response)` (or the response).

        `read` sees only successful (2xx) answers and raises `Incomplete` to have the request
        tried again.
        """
        request = self._http.build_request(method, path, params=params, data=data)
        url = self.public_url(request.url)
        problem = ""
        retry_after: float | None = None
        for attempt in range(self.max_retries + 1):
            response = None
            if attempt:
                delay = self._delay(attempt - 1, retry_after)
                logger.warning(
                    "%s (%s); retry %d of %d in %.1f s",
                    url,
                    problem,
                    attempt,
                    self.max_retries,
                    delay,
                )
                if delay > 0:
                    self._sleep(delay)
            try:
                response = self._send(request, url)
                return read(response) if read is not None else response
            except _Retry as retry:
                problem, retry_after, response = retry.problem, retry.retry_after, retry.response
            except Incomplete as exc:
                problem, retry_after = str(exc) or "the answer is incomplete", None
            if retry_after is not None and retry_after > self.max_retry_after:
                raise self._too_long(url, problem, retry_after, response)
        tries = "attempt" if self.max_retries == 0 else "attempts"
        raise RetriesExhausted(
            f"gave up on {url} after {self.max_retries + 1} {tries}; last problem: {problem}",
            url=url,
        )

    def public_url(self, url: httpx.URL) -> str:
        """The URL as it may appear in logs and errors: no credentials, no secret parameters."""
        url = url.copy_with(username=None, password=None)
        if self.redact and any(name in url.params for name in self.redact):
            params = [
                (name, "…" if name in self.redact else value)
                for name, value in url.params.multi_items()
            ]
            url = url.copy_with(params=params)
        return str(url)

    def _send(self, request: httpx.Request, url: str) -> httpx.Response:
        self._pace()
        self.requests_sent += 1
        try:
            response = self._http.send(request)
        except httpx.TimeoutException as exc:
            raise _Retry(
                f"{type(exc).__name__}: no answer within {self.timeout:g} s ({exc or 'no detail'})"
            ) from None
        except _RETRYABLE_ERRORS as exc:
            raise _Retry(f"{type(exc).__name__}: {str(exc) or 'no detail'}") from None
        except httpx.HTTPError as exc:
            raise ClientError(
                f"{url} could not be requested: {type(exc).__name__}: {exc}", url=url
            ) from None
        code = response.status_code
        if 200 <= code < 300:
            return response
        said = server_said(response)
        status = f"HTTP {code} {response.reason_phrase}".rstrip()
        if code in RETRY_STATUSES:
            problem = f"{status}: the server said: {said}" if said else status
            raise _Retry(problem, retry_after(response, self._wall_clock), response)
        raise ClientError(
            f"{url}: {status}: the server said: {said or 'nothing'}",
            url=url,
            status_code=code,
            server_said=said,
        )

    def _too_long(
        self, url: str, problem: str, seconds: float, response: httpx.Response | None
    ) -> RetryAfterTooLong:
        retry_at = dt.datetime.fromtimestamp(self._wall_clock() + seconds, dt.UTC)
        return RetryAfterTooLong(
            f"{url}: the server asks us to wait {seconds:g} s before trying again, longer than "
            f"the {self.max_retry_after:g} s we wait within a run; retry after "
            f"{retry_at:%Y-%m-%d %H:%M:%S} UTC. Last problem: {problem}",
            url=url,
            status_code=response.status_code if response is not None else None,
            server_said=server_said(response) if response is not None else "",
            retry_after=seconds,
            retry_at=retry_at,
        )

    def _pace(self) -> None:
        now = self._clock()
        if self._last_request is not None:
            wait = self._last_request + self.min_interval - now
            if wait > 0:
                self._sleep(wait)
                now = self._clock()
        self._last_request = now

    def _delay(self, retry: int, retry_after: float | None) -> float:
        """Retry-After when the server gave one, else full jitter over an exponential cap."""
        if retry_after is not None:
            return retry_after
        cap = min(self.backoff_max, self.backoff_base * 2**retry)
        return cap * self._jitter()


class _Retry(Exception):
    """Internal: this attempt failed in a way worth another try."""

    def __init__(
        self,
        problem: str,
        retry_after: float | None = None,
        response: httpx.Response | None = None,
    ):
        super().__init__(problem)
        self.problem = problem
        self.retry_after = retry_after
        self.response = response


def server_said(response: httpx.Response, limit: int = _EXCERPT_CHARS) -> str:
    """The start of the body on one line: the server's own words about what went wrong."""
    return " ".join(response.content[:limit].decode("utf-8", errors="replace").split())


def retry_after(
    response: httpx.Response, wall_clock: Callable[[], float] = time.time
) -> float | None:
    """Seconds to wait from `Retry-After` (seconds or an HTTP-date), never negative.

    An HTTP-date is measured against the response's own `Date` header when it has a readable
    one, else against `wall_clock`. An unreadable value counts as absent.
    """
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if _SECONDS.fullmatch(value):
        return float(value)
    when = _http_date(value)
    if when is None:
        return None
    now = _http_date(response.headers.get("Date", ""))
    now_seconds = now.timestamp() if now is not None else wall_clock()
    return max(when.timestamp() - now_seconds, 0.0)


def _http_date(value: str) -> dt.datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
