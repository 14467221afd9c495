"""A polite, patient client for the ClinicalTrials.gov API v2.

The registry publishes no rate limit, but its robots.txt asks for one second between requests,
and a nightly sync pages through thousands of studies over networks (including from mainland
China) where connections reset and responses arrive cut short. So the client:

- paces itself: at most one request per `min_interval` seconds, whatever else happens;
- retries what is worth retrying (network errors, timeouts, 429, 5xx, a 200 whose body is not
  complete JSON) with exponential backoff and full jitter, honouring `Retry-After`;
- fails at once, with the URL and the registry's own words, on anything retrying cannot fix
  (other 4xx), and says when a page token has expired so the caller can restart its query.

Parameter names, list separators and limits follow the OpenAPI description
(`ctg-oas-v2_2.0.5.yaml`): list parameters are `pipeDelimited`, `pageSize` is at most 1000.
`sleep`, `clock`, `wall_clock` and `jitter` are injectable so that tests never wait.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings

from core.identifiers import is_nct_id

logger = logging.getLogger(__name__)

USER_AGENT = "LivingHandbook/0.1 (+https://www.sscchina.org; handbook sync)"
MAX_PAGE_SIZE = 1000
MAX_RETRY_AFTER = 900.0
_FILTER_ID = re.compile(r"^[Nn][Cc][Tt]0*[1-9]\d{0,7}$")
_RETRYABLE_ERRORS = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
    httpx.DecodingError,
)
_EXCERPT_CHARS = 300


class ClinicalTrialsGovError(Exception):
    """The registry could not give us what we asked for; the message names the URL and why."""

    def __init__(self, message: str, *, url: str = "", status_code: int | None = None):
        super().__init__(message)
        self.url = url
        self.status_code = status_code


class StudyNotFound(ClinicalTrialsGovError):
    """404 for one study: the NCT ID is not (or no longer) in the registry."""


class PageTokenExpired(ClinicalTrialsGovError):
    """400 on a request that carried a pageToken: the cursor is stale, restart the query."""


class RetriesExhausted(ClinicalTrialsGovError):
    """Every attempt failed with a problem worth retrying; the last one is in the message."""


@dataclass
class StudyPage:
    studies: list[dict]
    next_page_token: str | None = None
    total_count: int | None = None
    url: str = field(default="", compare=False)


class _Retry(Exception):
    """Internal: this attempt failed in a way worth another try."""

    def __init__(self, problem: str, retry_after: float | None = None):
        super().__init__(problem)
        self.problem = problem
        self.retry_after = retry_after


class ClinicalTrialsGovClient:
    """GET /version, /studies/{nctId} and /studies, paced and retried.

    Defaults come from settings (`CTGOV_API_BASE`, `HTTP_TIMEOUT_SECONDS`,
    `CTGOV_REQUEST_INTERVAL`) when the client is created, not when this module is imported,
    so that tests and management commands can override them.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeout: float | None = None,
        min_interval: float | None = None,
        max_retries: int = 6,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
        user_agent: str = USER_AGENT,
    ):
        self.base_url = (base_url or settings.CTGOV_API_BASE).rstrip("/")
        self.timeout = float(settings.HTTP_TIMEOUT_SECONDS if timeout is None else timeout)
        self.min_interval = float(
            settings.CTGOV_REQUEST_INTERVAL if min_interval is None else min_interval
        )
        if max_retries < 0:
            raise ValueError("max_retries cannot be negative")
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._sleep = sleep
        self._clock = clock
        self._wall_clock = wall_clock
        self._jitter = jitter
        self._last_request: float | None = None
        self._http = httpx.Client(
            base_url=self.base_url + "/",
            timeout=httpx.Timeout(self.timeout),
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            follow_redirects=True,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ClinicalTrialsGovClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def version(self) -> dict:
        """`{"apiVersion": …, "dataTimestamp": …}`: which day's registry the answers come from."""
        data, url = self._get_json("version", {})
        if not isinstance(data, dict) or not isinstance(data.get("apiVersion"), str):
            raise ClinicalTrialsGovError(
                f"{url} did not answer with an API version: {data!r:.200}", url=url
            )
        return data

    def get_study(self, nct_id: str, fields: Iterable[str] | str | None = None) -> dict:
        """One study as JSON. The registry redirects an alias to the trial that absorbed it."""
        nct_id = (nct_id or "").strip().upper()
        if not is_nct_id(nct_id):
            raise ValueError(f"{nct_id!r} is not an NCT number (NCT and eight digits)")
        params = {"format": "json", "markupFormat": "markdown"}
        if fields:
            params["fields"] = _pipe_list(fields, "fields")
        data, url = self._get_json(f"studies/{nct_id}", params, not_found=StudyNotFound)
        if not isinstance(data, dict):
            raise ClinicalTrialsGovError(f"{url} did not answer with a study object", url=url)
        return data

    def search_page(
        self,
        *,
        cond: str | None = None,
        term: str | None = None,
        ids: Iterable[str] | str | None = None,
        overall_status: Iterable[str] | str | None = None,
        fields: Iterable[str] | str | None = None,
        page_size: int = MAX_PAGE_SIZE,
        page_token: str | None = None,
        count_total: bool = False,
    ) -> StudyPage:
        """One page of `GET /studies`. Follow `next_page_token` (or use `iter_pages`) for more."""
        params = self._search_params(
            cond=cond,
            term=term,
            ids=ids,
            overall_status=overall_status,
            fields=fields,
            page_size=page_size,
            count_total=count_total,
        )
        if page_token:
            params["pageToken"] = page_token
        data, url = self._get_json("studies", params)
        return _study_page(data, url)

    def iter_pages(
        self,
        *,
        cond: str | None = None,
        term: str | None = None,
        ids: Iterable[str] | str | None = None,
        overall_status: Iterable[str] | str | None = None,
        fields: Iterable[str] | str | None = None,
        page_size: int = MAX_PAGE_SIZE,
        page_token: str | None = None,
        count_total: bool = False,
    ) -> Iterator[StudyPage]:
        """Every page of a query, fetched lazily: a page is requested only when it is needed.

        Each request repeats the first page's parameters, as the API requires. A PageTokenExpired
        from a later page propagates: the caller restarts the query from the beginning.
        """
        token = page_token
        while True:
            page = self.search_page(
                cond=cond,
                term=term,
                ids=ids,
                overall_status=overall_status,
                fields=fields,
                page_size=page_size,
                page_token=token,
                count_total=count_total,
            )
            yield page
            if not page.next_page_token:
                return
            if page.next_page_token == token:
                raise ClinicalTrialsGovError(
                    f"{page.url} returned the page token it was given: paging would never end",
                    url=page.url,
                )
            token = page.next_page_token

    def _search_params(
        self,
        *,
        cond: str | None,
        term: str | None,
        ids: Iterable[str] | str | None,
        overall_status: Iterable[str] | str | None,
        fields: Iterable[str] | str | None,
        page_size: int,
        count_total: bool,
    ) -> dict[str, str]:
        if isinstance(page_size, bool) or not isinstance(page_size, int):
            raise ValueError(f"page_size must be a whole number, not {page_size!r}")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, not {page_size}")
        params = {"format": "json", "markupFormat": "markdown"}
        if cond:
            params["query.cond"] = cond
        if term:
            params["query.term"] = term
        if ids:
            id_list = _split(ids)
            bad = [value for value in id_list if not _FILTER_ID.match(value)]
            if bad:
                raise ValueError(f"not NCT numbers: {', '.join(bad)}")
            params["filter.ids"] = "|".join(value.upper() for value in id_list)
        if overall_status:
            params["filter.overallStatus"] = _pipe_list(overall_status, "overall_status")
        if fields:
            params["fields"] = _pipe_list(fields, "fields")
        params["pageSize"] = str(page_size)
        if count_total:
            params["countTotal"] = "true"
        return params

    def _get_json(
        self,
        path: str,
        params: dict[str, str],
        *,
        not_found: type[ClinicalTrialsGovError] = ClinicalTrialsGovError,
    ) -> tuple[Any, str]:
        request = self._http.build_request("GET", path, params=params)
        url = _public_url(request.url)
        problem = ""
        retry_after: float | None = None
        for attempt in range(self.max_retries + 1):
            if attempt:
                delay = self._delay(attempt - 1, retry_after)
                logger.warning(
                    "ClinicalTrials.gov: %s (%s); retry %d of %d in %.1f s",
                    url,
                    problem,
                    attempt,
                    self.max_retries,
                    delay,
                )
                if delay > 0:
                    self._sleep(delay)
            try:
                return self._attempt(request, url, not_found), url
            except _Retry as retry:
                problem, retry_after = retry.problem, retry.retry_after
        tries = "attempt" if self.max_retries == 0 else "attempts"
        raise RetriesExhausted(
            f"gave up on {url} after {self.max_retries + 1} {tries}; last problem: {problem}",
            url=url,
        )

    def _attempt(
        self, request: httpx.Request, url: str, not_found: type[ClinicalTrialsGovError]
    ) -> Any:
        self._pace()
        try:
            response = self._http.send(request)
        except _RETRYABLE_ERRORS as exc:
            raise _Retry(f"{type(exc).__name__}: {str(exc) or 'no detail'}") from None
        except httpx.HTTPError as exc:
            raise ClinicalTrialsGovError(
                f"{url} could not be requested: {type(exc).__name__}: {exc}", url=url
            ) from None
        code = response.status_code
        if code == 429 or code >= 500:
            raise _Retry(
                f"HTTP {code} {response.reason_phrase}".rstrip(),
                _retry_after(response, self._wall_clock),
            )
        if code >= 400:
            raise self._client_error(response, url, not_found)
        if code != 200:
            raise ClinicalTrialsGovError(
                f"{url} answered HTTP {code} {response.reason_phrase}, not 200", url=url
            )
        try:
            return json.loads(response.content)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            size = len(response.content)
            raise _Retry(f"the body ({size} bytes) is not complete JSON ({exc})") from None
        except RecursionError:
            raise _Retry("the body is not usable JSON (nested too deeply)") from None

    def _client_error(
        self, response: httpx.Response, url: str, not_found: type[ClinicalTrialsGovError]
    ) -> ClinicalTrialsGovError:
        code = response.status_code
        said = " ".join(response.text[:_EXCERPT_CHARS].split()) or "no message"
        if code == 404:
            error = not_found
            what = "not found"
        elif code == 400 and "pageToken" in response.request.url.params:
            error = PageTokenExpired
            what = "refused the page token (expired or invalid; restart the query)"
        else:
            error = ClinicalTrialsGovError
            what = f"HTTP {code} {response.reason_phrase}".rstrip()
        return error(f"{url}: {what}: the registry said: {said}", url=url, status_code=code)

    def _pace(self) -> None:
        now = self._clock()
        if self._last_request is not None:
            wait = self._last_request + self.min_interval - now
            if wait > 0:
                self._sleep(wait)
                now = self._clock()
        self._last_request = now

    def _delay(self, retry: int, retry_after: float | None) -> float:
        """Retry-After when the registry gave one, else full jitter over an exponential cap."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), MAX_RETRY_AFTER)
        cap = min(self.backoff_max, self.backoff_base * 2**retry)
        return cap * self._jitter()


def _study_page(data: Any, url: str) -> StudyPage:
    if not isinstance(data, dict) or not isinstance(data.get("studies"), list):
        raise ClinicalTrialsGovError(f"{url} did not answer with a page of studies", url=url)
    studies = data["studies"]
    if not all(isinstance(study, dict) for study in studies):
        raise ClinicalTrialsGovError(
            f"{url}: `studies` holds something other than studies", url=url
        )
    token = data.get("nextPageToken")
    if token is not None and not isinstance(token, str):
        raise ClinicalTrialsGovError(f"{url}: nextPageToken is not text: {token!r:.80}", url=url)
    total = data.get("totalCount")
    if total is not None and (isinstance(total, bool) or not isinstance(total, int)):
        raise ClinicalTrialsGovError(f"{url}: totalCount is not a number: {total!r:.80}", url=url)
    return StudyPage(studies=studies, next_page_token=token or None, total_count=total, url=url)


def _split(values: Iterable[str] | str) -> list[str]:
    if isinstance(values, str):
        values = re.split(r"[|,\s]+", values)
    return [value.strip() for value in values if value and value.strip()]


def _pipe_list(values: Iterable[str] | str, name: str) -> str:
    items = _split(values)
    if not items:
        raise ValueError(f"{name} must name at least one value")
    return "|".join(items)


def _retry_after(response: httpx.Response, wall_clock: Callable[[], float]) -> float | None:
    """Seconds to wait from `Retry-After`: a number of seconds, or an HTTP-date.

    An HTTP-date is measured against the response's own `Date` header when it has one, so a
    wrong local clock cannot turn "in 30 seconds" into "an hour ago" or "tomorrow".
    """
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = wall_clock()
    if date_header := response.headers.get("Date"):
        try:
            now = email.utils.parsedate_to_datetime(date_header).timestamp()
        except (TypeError, ValueError):
            pass
    return max(when.timestamp() - now, 0.0)


def _public_url(url: httpx.URL) -> str:
    """The URL as it may appear in logs and errors: never with credentials in it."""
    return str(url.copy_with(username=None, password=None))
