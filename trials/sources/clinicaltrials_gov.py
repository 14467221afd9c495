"""The ClinicalTrials.gov API v2: the questions the sync asks, over the shared polite client.

The registry publishes no rate limit, but its robots.txt asks for one second between requests
(`CTGOV_REQUEST_INTERVAL`). Pacing, retries, Retry-After and the error wording are
`core.http.PoliteClient`'s; what is the registry's own lives here: a 200 whose body is not
complete JSON is retried (the registry's answers arrive cut short over long routes), a 404 for
a study is `StudyNotFound`, and a 400 on a request that carried a page token says the token
expired, so the caller can restart its query.

Parameter names, list separators and limits follow the OpenAPI description
(`ctg-oas-v2_2.0.5.yaml`): list parameters are `pipeDelimited`, `pageSize` is at most 1000.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings

from core import http
from core.http import Incomplete, PoliteClient, RequestError
from core.identifiers import is_nct_id, normalise_nct_id

MAX_PAGE_SIZE = 1000


class ClinicalTrialsGovError(RequestError):
    """The registry could not give us what we asked for; the message names the URL and why.

    Everything the client raises about a request is one of these, so the sync has one thing
    to catch; each is also the matching `core.http` error.
    """


class StudyNotFound(ClinicalTrialsGovError):
    """404 for one study: the NCT ID is not (or no longer) in the registry."""


class PageTokenExpired(ClinicalTrialsGovError):
    """400 on a request that carried a pageToken: the cursor is stale, restart the query."""


class RetriesExhausted(ClinicalTrialsGovError, http.RetriesExhausted):
    """Every attempt failed with a problem worth retrying; the last one is in the message."""


class RetryAfterTooLong(ClinicalTrialsGovError, http.RetryAfterTooLong):
    """The registry asked us to wait longer than a run waits; `retry_at` says when to retry."""


@dataclass
class StudyPage:
    studies: list[dict]
    next_page_token: str | None = None
    total_count: int | None = None
    url: str = field(default="", compare=False)


class ClinicalTrialsGovClient:
    """GET /version, /studies/{nctId} and /studies, paced and retried by `core.http`.

    Defaults come from settings (`CTGOV_API_BASE`, `CTGOV_REQUEST_INTERVAL`,
    `CTGOV_MAX_RETRIES`, `CTGOV_BACKOFF_SECONDS`) when the client is created, not when this
    module is imported, so that tests and management commands can override them. Every other
    keyword (timeout, transport, sleep, clock, wall_clock, jitter, backoff_max,
    max_retry_after, user_agent) goes to `PoliteClient` as it is.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        min_interval: float | None = None,
        max_retries: int | None = None,
        backoff_base: float | None = None,
        **options: Any,
    ):
        self.http = PoliteClient(
            base_url or settings.CTGOV_API_BASE,
            min_interval=(
                settings.CTGOV_REQUEST_INTERVAL if min_interval is None else min_interval
            ),
            max_retries=settings.CTGOV_MAX_RETRIES if max_retries is None else max_retries,
            backoff_base=settings.CTGOV_BACKOFF_SECONDS if backoff_base is None else backoff_base,
            headers={"Accept": "application/json"},
            **options,
        )

    def close(self) -> None:
        self.http.close()

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
            bad = [value for value in id_list if not is_nct_id(normalise_nct_id(value))]
            if bad:
                raise ValueError(f"not NCT numbers: {', '.join(bad)}")
            params["filter.ids"] = "|".join(normalise_nct_id(value) for value in id_list)
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
        url = self.http.build_url(path, params)
        try:
            return self.http.get(path, params=params, read=_read_json), url
        except ClinicalTrialsGovError:
            raise
        except RequestError as exc:
            raise _registry_error(exc, "pageToken" in params, not_found) from exc


def _read_json(response: httpx.Response) -> Any:
    """The body as JSON; a body that is not complete JSON is asked for again."""
    url = str(response.request.url.copy_with(username=None, password=None))
    if response.status_code != 200:
        raise ClinicalTrialsGovError(
            f"{url} answered HTTP {response.status_code} {response.reason_phrase}, not 200",
            url=url,
            status_code=response.status_code,
        )
    try:
        return json.loads(response.content)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        size = len(response.content)
        raise Incomplete(f"the body ({size} bytes) is not complete JSON ({exc})") from None
    except RecursionError:
        raise Incomplete("the body is not usable JSON (nested too deeply)") from None


def _registry_error(
    error: RequestError, had_page_token: bool, not_found: type[ClinicalTrialsGovError]
) -> ClinicalTrialsGovError:
    """What a failure means at the registry: a missing study, an expired page token, retries
    run out, a wait too long, or another refusal."""
    details = {
        "url": error.url,
        "status_code": error.status_code,
        "server_said": error.server_said,
    }
    if isinstance(error, http.RetryAfterTooLong):
        return RetryAfterTooLong(
            str(error), retry_after=error.retry_after, retry_at=error.retry_at, **details
        )
    if isinstance(error, http.RetriesExhausted):
        return RetriesExhausted(str(error), **details)
    if error.status_code == 404:
        return not_found(str(error), **details)
    if error.status_code == 400 and had_page_token:
        return PageTokenExpired(
            f"{error.url}: refused the page token (expired or invalid; restart the query): "
            f"the server said: {error.server_said or 'nothing'}",
            **details,
        )
    return ClinicalTrialsGovError(str(error), **details)


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
